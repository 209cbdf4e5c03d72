"""``daiban print ...``: documents."""

from __future__ import annotations

import typer

from daiban.context import not_available

app = typer.Typer(no_args_is_help=True)


@app.command()
def receipt() -> None:
    """Print a case's 帮代办收件回执."""
    not_available("print receipt")
