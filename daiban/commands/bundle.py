"""``daiban bundle ...``: offline sync by USB stick."""

from __future__ import annotations

import typer

from daiban.context import not_available

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export_bundle() -> None:
    """Write the outbox to a signed bundle file."""
    not_available("bundle export")


@app.command("import")
def import_bundle() -> None:
    """Take in a bundle file."""
    not_available("bundle import")
