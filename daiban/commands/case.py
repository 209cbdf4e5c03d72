"""``daiban case ...``: bulk import/export and the lifecycle from a script."""

from __future__ import annotations

import typer

from daiban.context import not_available

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_cases() -> None:
    """Import cases from JSON lines."""
    not_available("case import")


@app.command("export")
def export_cases() -> None:
    """Export cases."""
    not_available("case export")


@app.command()
def show() -> None:
    """Show a case."""
    not_available("case show")
