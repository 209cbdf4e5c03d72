"""One module per command group; each owned by the package it wires in."""
