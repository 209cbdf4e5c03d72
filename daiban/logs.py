"""The command line's log file: where an unexpected error's traceback goes.

A person at the terminal sees one line in their language and the path of
``<data-dir>/logs/daiban.log``; the traceback is in that file, with every
resident ID number masked (:class:`IdNumberFilter`), because a traceback can
quote the data that broke it.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from forms.privacy import ChinaTimeFormatter, mask_ids

LOG_NAME = "daiban.log"
"""The log file's name in ``<data-dir>/logs``."""

mask_id_numbers = mask_ids
"""``forms.privacy.mask_ids``: the desk's log and this one mask alike."""


class IdNumberFilter(logging.Filter):
    """Masks ID-like numbers in a record's message, traceback and stack before it is written."""

    def __init__(self, formatter: logging.Formatter | None = None) -> None:
        super().__init__()
        self._formatter = formatter or logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        record.msg = mask_id_numbers(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_id_numbers(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_id_numbers(record.stack_info)
        return True


def log_path(data_dir: Path | None) -> Path:
    """Where the log is: ``<data-dir>/logs/daiban.log``, or the temp folder if that cannot be made."""
    if data_dir is not None:
        folder = data_dir / "logs"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            return folder / LOG_NAME
        except OSError:
            pass
    return Path(tempfile.gettempdir()) / LOG_NAME


def log_exception(path: Path, message: str, error: BaseException) -> None:
    """Append ``message`` and ``error``'s traceback to the log at ``path``, ID numbers masked."""
    formatter = ChinaTimeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(formatter)
    handler.addFilter(IdNumberFilter(formatter))
    logger = logging.getLogger("daiban.cli")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error(message, exc_info=(type(error), error, error.__traceback__))
    finally:
        logger.removeHandler(handler)
        handler.close()
