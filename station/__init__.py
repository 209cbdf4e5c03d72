"""The desk: Textual UI, the local SQLite store, station configuration."""
