"""Identity numbers: resident ID (GB 11643), unified social credit code (GB 32100), bank cards.

The resident ID check is done here, not by ``stdnum.cn.ric.validate``: stdnum
refuses numbers whose area code was assigned after the holder's birth, yet a
holder born before 2004 and first registered in a county re-coded since (640522
Haiyuan, 640302 Litong...) holds exactly such a valid number. The birthplace
table is used only to warn.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from stdnum.iso7064 import mod_11_2

from forms.clock import china_today

_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_ID_SO_FAR = re.compile(r"^(\d{0,18}|\d{17}X)$")
"""What the start of an ID number may hold: digits, and an X only as the last of 18."""
_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_PATTERN = re.compile(rf"^[{_USCC_CHARSET}]{{18}}$")

IdProblem = Literal["length", "old15", "format", "checksum", "birth_date", "future"]
"""Why a number is refused; ``old15`` is a first-generation 15-digit number (一代证)."""


class IdNumberError(ValueError):
    """A resident ID number that is not valid; ``reason`` says why."""

    def __init__(self, reason: IdProblem) -> None:
        super().__init__(reason)
        self.reason: IdProblem = reason


@dataclass(frozen=True)
class IdInfo:
    """What a valid resident ID number says about its holder."""

    number: str
    birth_date: date
    sex: Literal["male", "female"]
    area_code: str
    area_known: bool

    def age_on(self, day: date) -> int:
        """Age in full years on ``day`` (周岁)."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


def compact_id_number(number: str) -> str:
    """Full-width characters made ASCII, spaces removed, a trailing ``x`` upper-cased."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", number)).upper()


def id_number_miswritten(number: str) -> bool:
    """Whether a number, complete or still being typed, holds what no ID number holds
    (a Chinese character, a letter, an X before the end), full-width characters made
    ASCII and spaces dropped first: said at once, not when the 18th character is
    missing (an IME left on types the name into the ID box)."""
    compact = compact_id_number(number)
    return len(compact) > 18 or not _ID_SO_FAR.match(compact)


def parse_id_number(number: str, *, today: date | None = None) -> IdInfo:
    """Check a resident ID number (GB 11643) and read the holder's facts from it.

    Args:
        number: the 18-character number; spaces and a lower-case ``x`` are accepted.
        today: the date a birth date may not lie after (default: today in China).

    Returns:
        The birth date, sex (odd 17th digit = male), area code and whether the area
        code is in stdnum's birthplace table (advisory: a miss is only a warning).

    Raises:
        IdNumberError: wrong length, characters, check character or birth date.
    """
    compact = compact_id_number(number)
    if len(compact) == 15 and compact.isdigit():
        raise IdNumberError("old15")
    if len(compact) < 18 and not _ID_SO_FAR.match(compact):
        raise IdNumberError("format")  # 张三 in the ID box: the characters, not the length
    if len(compact) != 18:
        raise IdNumberError("length")
    if not _ID_PATTERN.match(compact):
        raise IdNumberError("format")
    if mod_11_2.calc_check_digit(compact[:17]) != compact[17]:
        raise IdNumberError("checksum")
    try:
        birth = date(int(compact[6:10]), int(compact[10:12]), int(compact[12:14]))
    except ValueError:
        raise IdNumberError("birth_date") from None
    if birth.year < 1890:
        raise IdNumberError("birth_date")
    if birth > (today or china_today()):
        raise IdNumberError("future")
    sex: Literal["male", "female"] = "male" if int(compact[16]) % 2 else "female"
    return IdInfo(compact, birth, sex, compact[:6], area_known(compact[:6]))


@cache
def area_known(area_code: str) -> bool:
    """Whether stdnum's birthplace table knows this area code (in any year)."""
    from stdnum import numdb

    results = numdb.get("cn/loc").info(area_code)
    return any(props for _part, props in results)


def mask_id_number(number: str) -> str:
    """Mask an ID number for screens and paper: ``640522********1234``.

    Keeps the area code and the last four characters; anything shorter than 11
    characters is masked whole.
    """
    compact = compact_id_number(number)
    if len(compact) < 11:
        return "*" * len(compact)
    return compact[:6] + "*" * (len(compact) - 10) + compact[-4:]


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100, weighted mod 31)."""
    total = sum(_USCC_CHARSET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> Literal["length", "format", "checksum"] | None:
    """Why a unified social credit code is invalid, or None when it is valid.

    Accepts every registering-authority prefix of the charset, including the
    A, N (agricultural collectives) and Y codes that ``stdnum.cn.uscc`` refuses.
    """
    compact = re.sub(r"\s", "", code).upper()
    if len(compact) != 18:
        return "length"
    if not _USCC_PATTERN.match(compact):
        return "format"
    if uscc_check_char(compact[:17]) != compact[17]:
        return "checksum"
    return None


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check (most bank cards do; passbooks may not)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0
