"""China time: the one place that knows what time it is for the people who use daiban.

Stations, the centre and their users live in China Standard Time; the machines
they run on may not (a server in UTC, a laptop set to anything). So:

- **stored** times are aware UTC (:func:`utc_now`);
- everything a person **sees** (screens, paper, exports), a case number's date
  and "today" in a deadline is China time (:func:`china_now`, :func:`china_today`,
  :func:`to_china`), whatever the machine's ``TZ``.

A naive datetime is read as UTC (that is how the project stores time), never as
the machine's local time. The zone comes from ``zoneinfo`` (``tzdata`` supplies
it where the system has no zone database, as on Windows).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = [
    "CHINA",
    "china_clock",
    "china_day",
    "china_now",
    "china_today",
    "format_day",
    "format_minute",
    "format_short",
    "set_source",
    "to_china",
    "to_utc",
    "utc_now",
]

CHINA = ZoneInfo("Asia/Shanghai")
"""China Standard Time (UTC+8, no daylight saving since 1991)."""


def to_utc(moment: datetime) -> datetime:
    """``moment`` as aware UTC (a naive datetime is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_china(moment: datetime) -> datetime:
    """``moment`` as an aware datetime in China (a naive datetime is taken to be UTC)."""
    return to_utc(moment).astimezone(CHINA)


def _machine_now() -> datetime:
    return datetime.now(UTC)


_source: Callable[[], datetime] = _machine_now


def set_source(source: Callable[[], datetime] | None) -> None:
    """Where "now" comes from: the machine's clock (None) or a fixed one (tests, demos).

    Args:
        source: returns "now" (aware in any zone, or naive UTC); None restores
            the machine's clock.
    """
    global _source
    _source = source or _machine_now


def utc_now() -> datetime:
    """Now, aware UTC: the time to store."""
    return to_utc(_source())


def china_now() -> datetime:
    """Now, aware, in China: the time people see."""
    return to_china(utc_now())


def china_today() -> date:
    """Today's date in China (case numbers, deadlines, dates stamped on paper)."""
    return china_now().date()


def china_day(moment: datetime) -> date:
    """The calendar day of ``moment`` in China (a naive datetime is taken to be UTC)."""
    return to_china(moment).date()


def china_clock(clock: Callable[[], datetime] | None = None) -> Callable[[], datetime]:
    """A clock that always tells aware China time.

    Args:
        clock: any "now" (aware in any zone, or naive UTC); default the real one.

    Returns:
        A function returning ``clock()`` converted to China time, so ``.date()``
        and ``strftime`` on its result are what a person in China reads.
    """
    source = clock or utc_now
    return lambda: to_china(source())


def format_minute(moment: datetime | None) -> str:
    """``2026-12-02 00:30`` in China; empty for None."""
    return to_china(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def format_short(moment: datetime | None) -> str:
    """``12-02 00:30`` in China (narrow columns, the status line); empty for None."""
    return to_china(moment).strftime("%m-%d %H:%M") if moment else ""


def format_day(moment: datetime | None) -> str:
    """``2026-12-02``: the China calendar day of ``moment``; empty for None."""
    return china_day(moment).isoformat() if moment else ""


def day_in_year(day: date | str | None, year: int) -> str:
    """A calendar day as a narrow column writes it: ``12-11`` when it falls in ``year``
    (the China year of the desk's today), another year's whole (``2025-12-11``); empty for
    None or "". Takes a date or its ISO text."""
    if not day:
        return ""
    text = day if isinstance(day, str) else day.isoformat()
    return text[5:] if text.startswith(f"{year}-") else text


def moment_in_year(moment: datetime, year: int) -> str:
    """A moment in China time as a narrow column writes it: ``12-02 00:30`` in ``year``,
    ``2025-12-02 00:30`` in another."""
    return format_short(moment) if to_china(moment).year == year else format_minute(moment)
