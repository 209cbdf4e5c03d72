"""The ``daiban`` entry point (Typer). Thin: each command calls the package that owns the work.

The global options live here, on the root callback, and nowhere else. The root
group (:class:`DaibanGroup`) lets them be written anywhere on the line and turns
an unexpected exception into one line for the person and a traceback in the log.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

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
from daiban.context import (
    CliConfig,
    config,
    config_scope,
    fail,
    lift_global_options,
    set_config,
)
from daiban.helptext import localize_error, translate_commands
from daiban.i18n import _, environment_language, language_on_the_line
from daiban.logs import log_exception, log_path

_CLICK_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)
"""click's ClickException, found through Typer: newer Typers vendor click, older ones do not."""
CLEAN_EXITS: tuple[type[BaseException], ...] = (typer.Exit, typer.Abort, EOFError, _CLICK_ERROR)
"""Exceptions that already are a clean end: a message was shown, or click shows one."""


class DaibanGroup(TyperGroup):
    """The root command: global options anywhere, unexpected errors logged, not shown."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """Choose the language before click reads anything, so ``--help`` speaks it too."""
        choose_language(list(sys.argv[1:] if args is None else args))
        translate_commands(self)
        return super().main(args, *rest, **extra)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """Parse with the global options lifted to the front (see ``lift_global_options``)."""
        try:
            return list(super().parse_args(ctx, lift_global_options(list(args))))
        except _CLICK_ERROR as error:
            localize_error(error)
            raise

    def invoke(self, ctx: Any) -> Any:
        """Run the command; an exception nobody turned into a message is logged instead."""
        with config_scope():
            try:
                return super().invoke(ctx)
            except CLEAN_EXITS as error:
                if isinstance(error, _CLICK_ERROR):
                    localize_error(error)
                raise
            except BrokenPipeError:  # the reader went away (``| head``): click ends quietly
                raise
            except Exception as error:  # the one place every unexpected error ends
                if ctx.invoked_subcommand == "central":
                    explain_central_failure(error)
                else:
                    explain_damaged_station(error)
                report_unexpected(error)


def explain_central_failure(error: Exception) -> None:
    """Exit with one line if a central command failed for a known reason (its database)."""
    from daiban.commands.central_ops import explain_failure

    line = explain_failure(error)
    if line is not None:
        log_exception(log_path(config().data_dir), "central command failed", error)
        fail(line)


DAMAGED = ("file is not a database", "database disk image is malformed")
"""What SQLite says of a station database a power cut or a failing disk damaged."""


def explain_damaged_station(error: Exception) -> None:
    """Exit with what to do if the station's database is damaged (every command said only
    发生了意外错误（DatabaseError）): restore the last backup."""
    import sqlite3

    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, sqlite3.DatabaseError):
        cause = getattr(cause, "orig", None) or cause.__cause__
    if cause is None or not any(words in str(cause).lower() for words in DAMAGED):
        return
    from station.store.db import DB_FILE

    folder = config().data_dir
    path = log_path(folder)
    log_exception(path, "the station's database is damaged", error)
    fail(
        _(
            "The station's database {db} is damaged (a power cut while it was written, or a "
            "failing disk). Restore the last backup: daiban station restore <backup folder> "
            "(the details are in the log: {log})."
        ).format(db=folder / DB_FILE, log=path)
    )


def choose_language(args: list[str]) -> None:
    """Set this run's language: ``--lang``, else ``DAIBAN_LANG``; an unknown one is said once.

    An unknown ``--lang`` is left to the root callback, which refuses it (the person can
    fix the line they typed); an unknown ``DAIBAN_LANG`` (set somewhere else) falls back
    to Chinese with a one-line warning on stderr.
    """
    from forms.i18n import SUPPORTED_LANGUAGES, set_language

    wanted = language_on_the_line(args)
    if wanted in SUPPORTED_LANGUAGES:
        set_language(wanted)
        return
    language, warning = environment_language()
    if warning and wanted is None:
        typer.echo(f"daiban: {warning}", err=True)
    if language is not None:
        set_language(language)


def print_version(show: bool) -> None:
    """``--version``: print ``daiban <version>`` and stop."""
    if show:
        from daiban import version

        typer.echo(f"daiban {version()}")
        raise typer.Exit()


def report_unexpected(error: Exception) -> None:
    """Log ``error``'s traceback in the data dir's log and exit with one line naming the log."""
    try:
        folder: Path | None = config().data_dir
    except Exception:  # the data dir itself may be what failed
        folder = None
    path = log_path(folder)
    kind = type(error).__name__
    log_exception(path, f"unexpected error in daiban: {kind}", error)
    fail(
        _("Something unexpected went wrong ({kind}); the details are in the log: {path}").format(
            kind=kind, path=path
        )
    )


app = typer.Typer(
    name="daiban",
    cls=DaibanGroup,
    help="daiban 代办 — desk software for village service stations (帮代办).",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="DAIBAN_HOME",
            help="Data directory (default: the platform's user data directory). "
            "May be written before or after the command.",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="The central's database URL (default: SQLite in <data dir>/central). "
            "Central commands only.",
            show_default=False,
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", envvar="DAIBAN_LANG", help="zh_CN or en.", show_default=False),
    ] = None,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Open the station desk when no command is given."""
    if lang is not None and _from_environment(ctx, "lang"):
        lang, _warning = environment_language()  # an unknown one: said already, Chinese
    settings = CliConfig(data_dir, db, lang)
    ctx.obj = settings
    set_config(settings)
    if lang is not None:
        _set_language(lang)
    if db is not None and ctx.invoked_subcommand != "central":
        fail(_("--db is for the central's commands only (daiban central ...)."))
    if ctx.invoked_subcommand is None:
        desk.open_desk(settings.data_dir, language=lang)


def _from_environment(ctx: typer.Context, name: str) -> bool:
    """Whether option ``name`` got its value from the environment (not the line)."""
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "ENVIRONMENT"


def _set_language(language: str) -> None:
    from forms.i18n import SUPPORTED_LANGUAGES, set_language

    try:
        set_language(language)
    except ValueError:
        fail(
            _("Unknown language {language}; use one of {languages}.").format(
                language=language, languages=", ".join(SUPPORTED_LANGUAGES)
            )
        )


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
app.add_typer(desk.app, name="desk", help="The desk: in this terminal, or `serve` for a browser.")


def main() -> None:
    """Console-script entry point."""
    app()
