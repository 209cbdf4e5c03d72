"""What a person at the desk reads when something they asked for did not happen.

One function turns any failure into a sentence: what happened and what to do.
The detail goes to the desk's log (ID numbers masked, see ``forms.privacy``),
never to the screen as a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from station.i18n import _
from station.services.application import ActionRefused, ValidationFailed
from station.services.desk import NotSignedIn

LOG_NAME = "daiban.desk"


def log_path(data_dir: Path) -> Path:
    """The desk's log file under the station's data directory (the folder is made)."""
    folder = data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "desk.log"


def desk_logger(data_dir: Path) -> logging.Logger:
    """The desk's logger, writing masked lines to :func:`log_path`."""
    from forms.privacy import file_log

    return file_log(str(log_path(data_dir)), LOG_NAME)


def explain(error: BaseException, log_file: Path | None = None) -> str:
    """What happened and what to do, in the desk's language.

    Args:
        error: what the worker raised.
        log_file: where the detail was logged (named for an unexpected error).

    Returns:
        One or two sentences for the error dialog.
    """
    if isinstance(error, ActionRefused):
        return error.message
    if isinstance(error, ValidationFailed):
        return "\n".join(f"✗ {p.message}" for p in error.problems)
    if isinstance(error, NotSignedIn):
        return _("Nobody is signed in. Sign in and try again.")
    if _is_database(error):
        return _(
            "The station's database could not be written just now. What you typed is kept; "
            "try again in a moment. If it keeps happening, check the free disk space."
        )
    if isinstance(error, OSError):
        reason = error.strerror or type(error).__name__
        return _(
            "A file could not be written or read ({reason}). Check the disk or the USB "
            "stick, then try again."
        ).format(reason=reason)
    where = str(log_file) if log_file else ""
    return _(
        "Something unexpected went wrong ({kind}). The details are in the log {path}. "
        "Try again; if it happens again, call the county's technical support."
    ).format(kind=type(error).__name__, path=where)


def _is_database(error: BaseException) -> bool:
    if isinstance(error, sqlite3.OperationalError):
        return True
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError)
