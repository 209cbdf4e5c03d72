"""``daiban`` with no command (or ``daiban desk``): open the station desk; ``desk serve``: in a browser."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from daiban.context import config, fail
from daiban.i18n import _
from daiban.selfrun import daiban_argv

app = typer.Typer(no_args_is_help=False)

LOOPBACK = "127.0.0.1"
"""Where ``desk serve`` listens unless told otherwise: this PC only."""
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
"""Hosts that mean "every address": the browser cannot be sent there, a name is needed."""


def open_desk(
    data_dir: Path, demo_accounts: Sequence[Any] = (), language: str | None = None
) -> None:
    """Open the Textual desk for the station whose files are in ``data_dir``.

    Args:
        data_dir: the station's data directory (``--data-dir`` / ``DAIBAN_HOME``).
        demo_accounts: accounts to show on the login screen (``daiban demo`` only).
        language: ``--lang`` / ``DAIBAN_LANG``; None: the station's setting.
    """
    from forms.i18n import set_language
    from station.config import load_settings

    settings = load_settings(data_dir)
    if language:
        # The flag wins over DAIBAN_LANG, which the desk (make_app) reads for its session.
        os.environ["DAIBAN_LANG"] = language
    # Before the desk's modules are imported: key descriptions are translated at import.
    set_language(language or settings.language)
    from daiban.commands.station import has_station
    from station.app import make_app
    from station.store import StationStore

    if not has_station(settings.data_dir):  # not opened: that would leave an empty one
        _not_enrolled()
    store = StationStore.open(settings.data_dir)
    try:
        if store.identity() is None:
            _not_enrolled()
        make_app(settings, store=store, demo_accounts=demo_accounts).run()
    finally:
        store.close()


def _not_enrolled() -> None:
    fail(
        _(
            "This station is not enrolled yet: run `daiban station enroll --central URL "
            "--code CODE` (or `daiban demo` for a demonstration)."
        )
    )


@app.callback(invoke_without_command=True)
def desk_main(ctx: typer.Context) -> None:
    """Open the station desk (the same as ``daiban`` alone)."""
    if ctx.invoked_subcommand is None:
        options = config()
        open_desk(options.data_dir, language=options.language)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    host: Annotated[
        str, typer.Option(help="Address to listen on (default: this PC only).")
    ] = LOOPBACK,
    public_url: Annotated[
        str | None,
        typer.Option(
            "--public-url",
            help="The address browsers use (default: http://HOST:PORT).",
            show_default=False,
        ),
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Allow plain HTTP beyond loopback.")
    ] = False,
) -> None:
    """Serve this station's desk in a web browser (one desk per browser tab).

    Plain HTTP: on this PC only, with an HTTPS reverse proxy in front for other
    computers (--public-url https://…), or beyond it with --insecure on a network
    you trust.
    """
    from textual_serve.server import Server

    from sync.tls import is_loopback

    options = config()
    data_dir = options.data_dir.resolve()
    if not is_loopback(host) and not insecure:
        fail(
            _(
                "refusing to serve the desk as plain HTTP on {host}: passwords and residents' "
                "data would cross the network unencrypted. Serve it on this PC (the default) "
                "behind an HTTPS reverse proxy (--public-url https://…), or add --insecure on "
                "a network you trust."
            ).format(host=host)
        )
    _check_enrolled(data_dir)
    url = public_url or _default_url(host, port)
    typer.echo(_("The desk is served at {url} — open it in a web browser.").format(url=url))
    if not is_loopback(host):
        typer.echo(
            _("Other computers on the network can reach it; each person signs in."), err=True
        )
        typer.echo(
            _("Warning: plain HTTP: passwords and residents' data cross the network unencrypted."),
            err=True,
        )
    command = desk_command(data_dir, options.language)
    Server(command, host=host, port=port, title="daiban 帮代办", public_url=url).serve()


def _default_url(host: str, port: int) -> str:
    if host in WILDCARD_HOSTS:
        import socket

        host = socket.gethostname()
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _check_enrolled(data_dir: Path) -> None:
    """Refuse to serve a station that is not enrolled (its browser tabs would only fail)."""
    from daiban.commands.station import has_station
    from station.store import StationStore

    if not has_station(data_dir):
        _not_enrolled()
    store = StationStore.open(data_dir)
    try:
        if store.identity() is None:
            _not_enrolled()
    finally:
        store.close()


def desk_command(data_dir: Path, language: str | None) -> str:
    """The shell command textual-serve runs for each browser tab: this station's desk.

    The same Python and the same daiban as this process, the same data directory
    and language, every word quoted for the platform's shell (textual-serve runs
    it through the shell).

    Args:
        data_dir: the station's data directory (absolute).
        language: ``--lang`` as given; None: the station's setting decides.

    Returns:
        One command line.
    """
    words = [*daiban_argv(), "--data-dir", str(data_dir)]
    if language:
        words += ["--lang", language]
    if os.name == "nt":
        return subprocess.list2cmdline(words)
    return shlex.join(words)
