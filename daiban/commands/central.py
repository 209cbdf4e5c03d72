"""``daiban central ...``: run and administer the county intake API."""

from __future__ import annotations

import typer

from daiban.context import not_available

app = typer.Typer(no_args_is_help=True)
user_app = typer.Typer(no_args_is_help=True, help="Accounts (一人一账号).")
report_app = typer.Typer(no_args_is_help=True, help="Reconciliation and statistics.")
app.add_typer(user_app, name="user")
app.add_typer(report_app, name="report")


@app.command()
def serve() -> None:
    """Run the county intake API (SQLite file by default, PostgreSQL by URL)."""
    not_available("central serve")


@app.command()
def init() -> None:
    """Set up a county's central database."""
    not_available("central init")


@app.command()
def enroll() -> None:
    """Issue a one-time enrollment code for a station."""
    not_available("central enroll")


@user_app.command("add")
def user_add() -> None:
    """Create an account."""
    not_available("central user add")


@report_app.command("reconcile")
def reconcile() -> None:
    """Per station: cases and events held, gaps, duplicates."""
    not_available("central report reconcile")


@report_app.command("stats")
def stats() -> None:
    """The county's statistics."""
    not_available("central report stats")
