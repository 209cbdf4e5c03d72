"""Shared command-line plumbing: the data directory, JSON output, clean failures."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import platformdirs
import typer

APP_NAME = "daiban"


def data_dir(explicit: Path | None = None) -> Path:
    """Where this station's (or centre's) files live.

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


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="DAIBAN_HOME",
        help="Data directory (default: the platform's user data directory).",
        show_default=False,
    ),
]
"""Use as ``data_dir: DataDir = None`` in every command."""

JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
"""Use as ``as_json: JsonFlag = False`` where a command's output is data."""


def fail(message: str, code: int = 1) -> NoReturn:
    """Exit non-zero with a one-line reason on stderr."""
    typer.echo(f"daiban: {message}", err=True)
    raise typer.Exit(code)


def not_available(what: str) -> NoReturn:
    """A command a later issue fills: say so and exit 2, never pretend to work."""
    fail(f"{what}: not available yet", code=2)


def print_json(data: Any) -> None:
    """Print data as JSON (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
