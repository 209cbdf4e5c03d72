"""Which report, over which days: the light part of the reports (the command line imports it).

A period is whole days in China; a month is written ``YYYY-MM``, days ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from central.i18n import _
from forms.clock import china_day


class ReportKind(StrEnum):
    """The reports a county sends upward."""

    monthly = "monthly"  # 月报
    reconcile = "reconcile"  # 对账表
    ratings = "ratings"  # 好差评台账
    unresolved = "unresolved"  # 办不成事台账
    disposition = "disposition"  # 收件去向表


class PeriodError(ValueError):
    """A period that cannot be reported on (the message is for the person)."""


@dataclass(frozen=True)
class Period:
    """Whole days in China, ``start`` to ``end`` inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(_("The period ends before it starts."))

    def holds(self, moment: datetime | None) -> bool:
        """Whether ``moment`` falls on one of the period's days in China."""
        return moment is not None and self.start <= china_day(moment) <= self.end

    def label(self) -> str:
        """``2026-11-01 至 2026-11-30``."""
        return _("{start} to {end}").format(
            start=f"{self.start:%Y-%m-%d}", end=f"{self.end:%Y-%m-%d}"
        )


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_period(text: str) -> Period:
    """The month ``YYYY-MM`` as a period.

    Raises:
        PeriodError: not a month.
    """
    match = _MONTH.match(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(_("Write the month as year-month, e.g. 2026-11."))
    year, month = int(match.group(1)), int(match.group(2))
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1))


def parse_period(month: str | None, start: str | None, end: str | None, today: date) -> Period:
    """The period asked for: a month, or a first and last day; the last full month if neither.

    Raises:
        PeriodError: a bad month or day, both forms, or half of the second.
    """
    if month and (start or end):
        raise PeriodError(_("Give a month or a first and last day, not both."))
    if month:
        return _not_ahead(month_period(month), today)
    if start or end:
        if not (start and end):
            raise PeriodError(_("Give both the first and the last day."))
        return _not_ahead(Period(_day(start), _day(end)), today)
    first = today.replace(day=1) - timedelta(days=1)
    return month_period(f"{first:%Y-%m}")


def _not_ahead(period: Period, today: date) -> Period:
    """The period, unless it has not begun (the desk refused such a month; the command line
    wrote an empty report of it, as if nothing had happened)."""
    if period.start > today:
        raise PeriodError(
            _("{day} has not come yet: a report covers days already past.").format(
                day=period.start.isoformat()
            )
        )
    return period


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise PeriodError(
            _("{text} is not a day; write it as 2026-11-01.").format(text=text)
        ) from error
