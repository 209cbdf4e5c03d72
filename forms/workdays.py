"""Working-day deadlines (工作日) on China's adjusted-workday calendar (调休 included).

Sources, in order: a county-published holiday table for the year (shipped with
the catalog), then ``chinesecalendar`` (2004 up to its last release), then
Monday to Friday with a visible warning. A table marked provisional (set by the
county before the State Council publishes) gives way to the library as soon as
an installed chinesecalendar release covers its year.

A time limit of N working days ends on the Nth working day *after* the start
day (the start day itself never counts). Pauses (补正 returned-for-correction,
特别程序 such as 公示 or 鉴定) are closed intervals ``(first, last)``: no day in
them counts, and the clock restarts the day after ``last``. A pause still
running has ``last = None``: the date is then projected as if the clock
restarted tomorrow, with a warning.

``chinese_calendar.find_workday(n, d)`` is not used: it counts ``d`` itself as
day 0 when ``d`` is not a working day, one day late for a weekend start.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from forms.catalog.model import HolidayTable, ServiceItem
from forms.clock import china_today
from forms.messages import _

__all__ = [
    "DueDate",
    "WorkCalendar",
    "due_date",
    "default_calendar",
    "install_holiday_tables",
    "is_working_day",
    "promised_due_date",
    "supply_by",
    "working_days_between",
]

SHIPPED_CATALOG_FILE = Path(__file__).parent / "catalog" / "catalog.toml"
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class DueDate:
    """A computed deadline and what the reader should know about how it was computed."""

    date: date
    warnings: list[str] = field(default_factory=list)


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Which days are working days: county tables, then chinesecalendar, then Mon-Fri."""

    def __init__(self, tables: Iterable[HolidayTable] = ()) -> None:
        """Build a calendar.

        Args:
            tables: county-published holiday tables; a table overrides the
                library for its whole year.
        """
        # A provisional county table yields to an official library calendar for the same year.
        self._tables = {
            table.year: table
            for table in tables
            if not (table.provisional and _library_knows(table.year))
        }
        self._holidays = {d for table in self._tables.values() for d in table.holidays}
        self._workdays = {d for table in self._tables.values() for d in table.workdays}
        self._cached = lru_cache(maxsize=4096)(self._compute)

    def source(self, year: int) -> str:
        """Where the year's calendar comes from: ``county``, ``library`` or ``fallback``."""
        if year in self._tables:
            return "county"
        return "library" if _library_knows(year) else "fallback"

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day (调休 make-up weekend days included)."""
        return bool(self._cached(day))

    def _compute(self, day: date) -> bool:
        if day.year in self._tables:
            if day in self._workdays:
                return True
            return day.weekday() < 5 and day not in self._holidays
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def warnings_for(self, first: date, last: date) -> list[str]:
        """Visible warnings about the calendar used for days in ``first..last``."""
        warnings = []
        for year in range(min(first, last).year, max(first, last).year + 1):
            source = self.source(year)
            table = self._tables.get(year)
            if source == "fallback":
                warnings.append(
                    _(
                        "No holiday table for {year}: counted Monday to Friday, "
                        "holidays and make-up days not included"
                    ).format(year=year)
                )
            elif table is not None and table.provisional:
                warnings.append(
                    _(
                        "The {year} holiday table is provisional (county-set until the "
                        "State Council publishes); the date may move"
                    ).format(year=year)
                )
        return warnings

    def due_date(
        self,
        start: date,
        working_days: int,
        pauses: Sequence[tuple[date, date | None]] = (),
        *,
        today: date | None = None,
    ) -> DueDate:
        """The Nth working day after ``start``, skipping paused intervals.

        Args:
            start: the day the clock starts (acceptance); not itself counted.
            working_days: the time limit N; 0 means the start day itself (即办件), or
                the next working day when the start day is a rest day or paused.
            pauses: closed intervals ``(first, last)`` in which the clock stands
                still; ``last = None`` for a pause still running.
            today: the day an open pause is assumed to run to (default: today in China).

        Returns:
            The due date, with warnings when a provisional or missing table was
            used or the clock is stopped.
        """
        if working_days < 0:
            raise ValueError("working_days must not be negative")
        closed, still_paused = _close(pauses, today or china_today())
        day, counted = start, 0
        while counted < working_days:
            day += _ONE_DAY
            if self.is_working_day(day) and not _paused(day, closed):
                counted += 1
        while working_days == 0 and not (self.is_working_day(day) and not _paused(day, closed)):
            day += _ONE_DAY  # 即办件 taken on a rest day: done on the next working day
        warnings = self.warnings_for(start, day)
        if still_paused:
            warnings.append(
                _("The clock is stopped (补正 or 特别程序); the date assumes it restarts tomorrow")
            )
        return DueDate(day, warnings)

    def working_days_between(self, first: date, last: date) -> int:
        """Working days after ``first`` up to and including ``last``; negative when ``last`` is earlier.

        ``working_days_between(today, due)`` is the number of working days left
        (0 = due today, negative = overdue by that many working days).
        """
        if last < first:
            return -self.working_days_between(last, first)
        count, day = 0, first
        while day < last:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count


def _paused(day: date, pauses: Sequence[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in pauses)


def _close(
    pauses: Sequence[tuple[date, date | None]], today: date
) -> tuple[list[tuple[date, date]], bool]:
    """Pauses with open ends closed at ``today`` (or their first day), and whether any was open."""
    closed = [(first, last if last is not None else max(first, today)) for first, last in pauses]
    return closed, any(last is None for _first, last in pauses)


def shipped_holiday_tables(path: Path = SHIPPED_CATALOG_FILE) -> list[HolidayTable]:
    """The holiday tables in a catalog.toml (the shipped one by default)."""
    with path.open("rb") as file:
        data = tomllib.load(file)
    return [HolidayTable.model_validate(table) for table in data.get("holiday_tables", [])]


_default: WorkCalendar | None = None


def default_calendar() -> WorkCalendar:
    """The calendar the module functions use (shipped tables until others are installed)."""
    global _default
    if _default is None:
        _default = WorkCalendar(shipped_holiday_tables())
    return _default


def install_holiday_tables(tables: Iterable[HolidayTable]) -> None:
    """Use these county-published tables from now on (e.g. after a catalog update is pulled)."""
    global _default
    _default = WorkCalendar(tables)


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day on the default calendar."""
    return default_calendar().is_working_day(day)


def due_date(
    start: date,
    working_days: int,
    pauses: Sequence[tuple[date, date | None]] = (),
    *,
    today: date | None = None,
) -> DueDate:
    """The Nth working day after ``start`` on the default calendar (see :meth:`WorkCalendar.due_date`)."""
    return default_calendar().due_date(start, working_days, pauses, today=today)


def promised_due_date(
    item: ServiceItem,
    accepted_on: date,
    pauses: Sequence[tuple[date, date | None]] = (),
    *,
    today: date | None = None,
) -> DueDate:
    """When a case of ``item`` accepted (受理) on ``accepted_on`` is due, at its promised limit."""
    return due_date(accepted_on, item.promised_days, pauses, today=today)


def supply_by(item: ServiceItem, received_on: date) -> DueDate:
    """The default date by which a 容缺 (deferred) material must be supplied."""
    return due_date(received_on, item.defer_days)


def working_days_between(first: date, last: date) -> int:
    """Working days in ``(first, last]`` on the default calendar; negative when ``last < first``."""
    return default_calendar().working_days_between(first, last)
