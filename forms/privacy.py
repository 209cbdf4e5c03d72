"""Resident ID numbers never reach a log: a formatter that masks them in every line.

Masking happens on the formatted text (message, arguments and traceback alike),
so an ID number inside an exception's message or a payload dump is masked too.
Nothing is hashed: a hash of an 18-digit ID number gives the number back in
seconds.
"""

from __future__ import annotations

import logging
import re

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8,11}(\d{3}[\dXx]|\d{4})?(?![0-9A-Za-z])")
"""15- or 18-digit ID numbers (and other long digit runs that could be one)."""


def mask_ids(text: str) -> str:
    """``text`` with every ID-like number masked as ``640522********``.

    Args:
        text: any text bound for a log.

    Returns:
        The text, ID numbers reduced to their first six digits (the division).
    """
    return ID_LIKE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 6), text)


class MaskingFormatter(logging.Formatter):
    """A formatter whose every line has ID numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then mask."""
        return mask_ids(super().format(record))


def file_log(path: str, name: str = "daiban") -> logging.Logger:
    """A logger that writes masked, timestamped lines (with tracebacks) to ``path``.

    Args:
        path: the log file (its folder must exist); rotated at 1 MB, 5 kept.
        name: the logger's name.

    Returns:
        The logger (handlers added once per path).
    """
    from logging.handlers import RotatingFileHandler

    logger = logging.getLogger(name)
    if not any(getattr(h, "baseFilename", None) == path for h in logger.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger
