"""The ``daiban`` entry point (Typer). Thin: each command calls the package that owns the work."""

from __future__ import annotations

import typer

from daiban.commands import (
    bundle,
    case,
    catalog,
    central,
    demo,
    desk,
    printcmd,
    station,
    synccmd,
)
from daiban.context import DataDir

app = typer.Typer(
    name="daiban",
    help="daiban 代办 — desk software for village service stations (帮代办).",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    data_dir: DataDir = None,
) -> None:
    """Open the station desk when no command is given."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    if ctx.invoked_subcommand is None:
        desk.open_desk(data_dir)


app.command("demo", help="A complete local demo: central, county, township, villages, desk.")(
    demo.demo
)
app.command("sync", help="Push and pull once; print what moved.")(synccmd.sync)
app.add_typer(central.app, name="central", help="The county intake API (中心端).")
app.add_typer(station.app, name="station", help="This station: enrollment and settings.")
app.add_typer(case.app, name="case", help="Cases: import, export, show and the lifecycle.")
app.add_typer(bundle.app, name="bundle", help="Offline sync by USB stick (离线包).")
app.add_typer(printcmd.app, name="print", help="Print or write documents (回执, 告知书, 台账).")
app.add_typer(catalog.app, name="catalog", help="The service-item catalog (事项目录).")


def main() -> None:
    """Console-script entry point."""
    app()
