"""``daiban catalog ...``: the service-item catalog."""

from __future__ import annotations

import typer

from daiban.context import not_available

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_items() -> None:
    """List the service items."""
    not_available("catalog list")
