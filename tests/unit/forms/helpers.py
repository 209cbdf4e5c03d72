"""Helpers for the forms tests: valid identity numbers made on the spot."""

from __future__ import annotations

from datetime import date

from stdnum.iso7064 import mod_11_2

TODAY = date(2026, 11, 23)


def id_number(area: str = "640522", born: str = "19600101", seq: str = "123") -> str:
    """A resident ID number with a correct check character."""
    body = f"{area}{born}{seq}"
    return body + mod_11_2.calc_check_digit(body)


def wrong_check(number: str) -> str:
    """The same number with a wrong check character."""
    return number[:17] + ("0" if number[17] != "0" else "1")
