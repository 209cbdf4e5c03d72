"""``daiban station ...``: this station."""

from __future__ import annotations

import typer

from daiban.context import not_available

app = typer.Typer(no_args_is_help=True)


@app.command()
def enroll() -> None:
    """Enroll this station with the county's central."""
    not_available("station enroll")
