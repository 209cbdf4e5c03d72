"""Shared command-line plumbing: the global options, JSON output, clean failures.

The global options (``--data-dir``/``DAIBAN_HOME``, ``--db``, ``--lang``/``DAIBAN_LANG``)
are declared once, on the root callback (``daiban.cli``), which keeps them in a
:class:`CliConfig` on the root context. Commands read it with :func:`config` or
:func:`home`; none declares the options again. So that ``daiban central init
--data-dir X`` means the same as ``daiban --data-dir X central init``, the root
group lifts these options to the front before click parses (:func:`lift_global_options`).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, NoReturn

import platformdirs
import typer

from daiban.i18n import _

APP_NAME = "daiban"

GLOBAL_OPTIONS = ("--data-dir", "--db", "--lang")
"""Options of the root command that may also be written after a subcommand."""


def data_dir(explicit: Path | None = None) -> Path:
    """Where this station's (or centre's) files live (created if missing).

    Precedence: ``--data-dir``, then ``DAIBAN_HOME``, then the platform's user
    data directory (platformdirs). Several stations can run side by side on one
    machine by giving each its own directory.
    """
    if explicit is not None:
        path = explicit
    elif os.environ.get("DAIBAN_HOME"):
        path = Path(os.environ["DAIBAN_HOME"])
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class CliConfig:
    """The global options of one ``daiban`` run, resolved once by the root callback."""

    explicit_data_dir: Path | None = None
    """``--data-dir`` or ``DAIBAN_HOME`` as given; None: the platform's default."""
    db: str | None = None
    """``--db``: the central's database URL (central commands only)."""
    language: str | None = None
    """``--lang`` or ``DAIBAN_LANG``; None: the station's setting (desk) or zh_CN."""

    @cached_property
    def data_dir(self) -> Path:
        """The data directory, created on first use (``daiban --help`` creates nothing)."""
        try:
            return data_dir(self.explicit_data_dir)
        except OSError as error:
            fail(
                _("The data directory {path} cannot be used: {reason}").format(
                    path=error.filename or self.explicit_data_dir, reason=folder_problem(error)
                )
            )


def folder_problem(error: OSError) -> str:
    """Why a folder could not be made or used, in the person's language (the system's
    own words are English: ``File exists`` for a data directory that is a file)."""
    import errno

    reasons = {
        errno.EEXIST: _("a file of that name is in the way: it is not a folder"),
        errno.ENOTDIR: _("a part of the path is a file, not a folder"),
        errno.EACCES: _("this account may not write there"),
        errno.EPERM: _("this account may not write there"),
        errno.EROFS: _("the disk is read-only"),
        errno.ENOSPC: _("the disk is full"),
    }
    return reasons.get(error.errno or 0, error.strerror or str(error))


_CURRENT: ContextVar[CliConfig | None] = ContextVar("daiban_cli_config", default=None)
"""The running command's options (also on the root context's ``obj``).

A context variable rather than click's current context: Typer vendors its own
click in newer releases, so ``click.get_current_context`` would not see it.
"""


@contextmanager
def config_scope() -> Iterator[None]:
    """One ``daiban`` run: the options set inside are forgotten when it ends."""
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def set_config(options: CliConfig) -> None:
    """Make ``options`` the running command's (the root callback does, once)."""
    _CURRENT.set(options)


def config() -> CliConfig:
    """The global options of the running command.

    Outside a ``daiban`` run (a command function called directly), the
    environment alone decides, as it would for ``daiban`` without options.
    """
    found = _CURRENT.get()
    if found is not None:
        return found
    home = os.environ.get("DAIBAN_HOME")
    return CliConfig(Path(home) if home else None, None, os.environ.get("DAIBAN_LANG") or None)


def home() -> Path:
    """This run's data directory (``--data-dir``, ``DAIBAN_HOME`` or the platform's)."""
    return config().data_dir


def lift_global_options(args: list[str]) -> list[str]:
    """Move the global options, wherever written, to the front of ``args``.

    ``daiban case show N --data-dir X`` becomes ``daiban --data-dir X case show N``,
    which is what click can parse. Both ``--opt value`` and ``--opt=value`` are
    recognised; nothing after ``--`` is touched.

    Args:
        args: the command line after the program name.

    Returns:
        The same words, global options first (in the order they were written).
    """
    lifted: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            rest.extend(args[index:])
            break
        name = word.split("=", 1)[0]
        if name in GLOBAL_OPTIONS and "=" in word:
            lifted.append(word)
        elif word in GLOBAL_OPTIONS and index + 1 < len(args):
            lifted.extend(args[index : index + 2])
            index += 1
        else:
            rest.append(word)
        index += 1
    return lifted + rest


JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
"""Use as ``as_json: JsonFlag = False`` where a command's output is data."""


def fail(message: str, code: int = 1) -> NoReturn:
    """Exit non-zero with a one-line reason on stderr."""
    typer.echo(f"daiban: {message}", err=True)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    """Print data as JSON (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
