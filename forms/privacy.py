"""Resident ID numbers never reach a log: a formatter that masks them in every line.

Masking happens on the formatted text (message, arguments and traceback alike),
so an ID number inside an exception's message or a payload dump is masked too.
Nothing is hashed: a hash of an 18-digit ID number gives the number back in
seconds.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from forms.clock import CHINA

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
"""An 18-character or 15-digit resident ID number standing on its own.

Not part of a longer number (a bank card) nor of a token of Latin letters and
digits on either side: a request id (32 hex digits) can hold a run of 15 digits,
and a masked request id no longer finds its request. Chinese text, punctuation
and spaces around a number do not protect it (``身份证640522199001011234`` is
masked).
"""


def mask_ids(text: str) -> str:
    """``text`` with every ID-like number masked as on screens (``640522********1234``).

    Args:
        text: any text bound for a log.

    Returns:
        The text with ID numbers masked (bank cards and phones are left alone).
    """
    from forms.identity import mask_id_number

    return ID_LIKE.sub(lambda match: mask_id_number(match.group(0)), text)


_OPENS_LONGER = re.compile(r"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx])([0-9]{1,2})(?![0-9A-Za-z])")
"""18 characters and one or two digits more: a 第二代残疾人证号 is the holder's ID number
followed by the disability's category and grade."""


def mask_ids_shown(text: str) -> str:
    """``text`` as a screen or paper shows a form's free text: :func:`mask_ids`, and an
    ID number that opens a longer number (a disability certificate's) masked as well
    when its check character is right (a bank card's digits rarely are; masked all the
    same, nothing is lost but its middle on the screen).
    """
    from stdnum.iso7064 import mod_11_2

    from forms.identity import mask_id_number

    def opening(match: re.Match[str]) -> str:
        number = match.group(1).upper()
        if mod_11_2.calc_check_digit(number[:17]) != number[17]:
            return match.group(0)
        return mask_id_number(number) + match.group(2)

    return mask_ids(_OPENS_LONGER.sub(opening, text))


class ChinaTimeFormatter(logging.Formatter):
    """A formatter whose times are China's, with their offset (``2026-12-05 06:56:00,123
    +08:00``): the people who read a station's log live in China, its PC may not."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """The record's moment in China time; ``datefmt`` as ``strftime`` takes it."""
        moment = datetime.fromtimestamp(record.created, CHINA)
        if datefmt:
            return moment.strftime(datefmt)
        zone = moment.strftime("%z")  # +0800
        return f"{moment:%Y-%m-%d %H:%M:%S},{int(record.msecs):03d} {zone[:3]}:{zone[3:]}"


class MaskingFormatter(ChinaTimeFormatter):
    """A formatter whose every line has ID numbers masked (times in China, as above)."""

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
