"""China time whatever the machine's zone: 16:30 UTC on 1 Dec is 00:30 on 2 Dec in Beijing.

Each test holds "now" at 2026-12-01 16:30 UTC and runs on a machine set to UTC
(the autouse fixture) and again to New York, where the local date is still
1 December all evening: only China's date is right.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from stdnum.iso7064 import mod_11_2

from forms.catalog.model import FieldSpec
from forms.clock import (
    CHINA,
    china_clock,
    china_day,
    china_now,
    china_today,
    day_in_year,
    format_day,
    format_minute,
    format_short,
    moment_in_year,
    to_china,
    utc_now,
)
from forms.identity import parse_id_number
from forms.validation import validate_field
from forms.workdays import due_date
from tests.conftest import set_machine_zone

LATE_EVENING_UTC = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
"""00:30 on Wednesday 2 December in Beijing."""
BEIJING_DAY = date(2026, 12, 2)
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(params=["UTC", "America/New_York"])
def at_half_past_midnight(
    request: pytest.FixtureRequest, hold_time: Callable[[datetime], None]
) -> str:
    """Now is 00:30 on 2 Dec in Beijing; the machine says UTC or New York."""
    set_machine_zone(request.param)
    hold_time(LATE_EVENING_UTC)
    return str(request.param)


def _id_born(day: date) -> str:
    body = f"640522{day:%Y%m%d}001"
    return body + mod_11_2.calc_check_digit(body)


def test_now_and_today_are_beijing_s(at_half_past_midnight: str) -> None:
    # the held moment in the machine's own zone is another day (whatever the real clock says)
    assert LATE_EVENING_UTC.astimezone().date() != BEIJING_DAY
    assert china_today() == BEIJING_DAY
    assert format_minute(china_now()) == "2026-12-02 00:30"
    assert china_now().utcoffset() == LATE_EVENING_UTC.astimezone(CHINA).utcoffset()
    assert utc_now() == LATE_EVENING_UTC and utc_now().tzinfo is UTC


def test_naive_times_are_utc_and_shown_in_beijing(at_half_past_midnight: str) -> None:
    naive = datetime(2026, 12, 1, 16, 30)
    assert to_china(naive) == LATE_EVENING_UTC
    assert format_minute(naive) == "2026-12-02 00:30"
    assert format_short(naive) == "12-02 00:30"
    assert format_day(naive) == "2026-12-02"
    assert china_day(naive) == BEIJING_DAY
    assert format_minute(None) == "" and format_short(None) == ""
    # An aware time in another zone is the same instant, shown in Beijing.
    assert format_minute(LATE_EVENING_UTC.astimezone(NEW_YORK)) == "2026-12-02 00:30"


def test_an_injected_clock_is_read_as_china_time(at_half_past_midnight: str) -> None:
    desk_clock = china_clock(lambda: datetime(2026, 12, 1, 11, 30, tzinfo=NEW_YORK))
    assert desk_clock().date() == BEIJING_DAY
    assert desk_clock().strftime("%H:%M") == "00:30"
    assert china_clock()().date() == BEIJING_DAY  # the default follows forms.clock's now


def test_someone_born_today_in_beijing_is_not_born_in_the_future(
    at_half_past_midnight: str,
) -> None:
    info = parse_id_number(_id_born(BEIJING_DAY))
    assert info.birth_date == BEIJING_DAY


def test_a_date_of_today_in_beijing_is_not_in_the_future(at_half_past_midnight: str) -> None:
    spec = FieldSpec(key="died_on", label="死亡日期", type="date", past_only=True)
    assert validate_field(spec, "2026-12-02") is None
    problem = validate_field(spec, "2026-12-03")
    assert problem is not None and problem.field == "fields.died_on"


def test_an_open_pause_runs_to_today_in_beijing(at_half_past_midnight: str) -> None:
    # Accepted Mon 30 Nov, 3 working days, returned for correction on Tue 1 Dec and
    # not back yet: the clock stands still up to today (Wed 2 Dec in Beijing).
    pauses = [(date(2026, 12, 1), None)]
    projected = due_date(date(2026, 11, 30), 3, pauses).date
    assert projected == due_date(date(2026, 11, 30), 3, pauses, today=BEIJING_DAY).date
    assert projected == date(2026, 12, 7)  # Thu 3 = 1, Fri 4 = 2, Mon 7 = 3


def test_a_narrow_column_writes_this_year_s_days_without_the_year() -> None:
    """At 80 columns a date of this year is 12-11; one of another year stays whole, so a
    case received last December does not read as if received this December."""
    assert day_in_year(date(2026, 12, 11), 2026) == "12-11"
    assert day_in_year("2026-12-11", 2026) == "12-11"
    assert day_in_year(date(2025, 12, 11), 2026) == "2025-12-11"
    assert day_in_year(None, 2026) == day_in_year("", 2026) == ""


def test_a_narrow_column_writes_a_moment_in_china_time_and_its_china_year() -> None:
    """23:30 UTC on 31 December is already the next year in China: its year is China's."""
    new_year = datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 2026-01-01 00:30 in China
    assert moment_in_year(new_year, 2026) == "01-01 00:30"
    assert moment_in_year(new_year, 2025) == "2026-01-01 00:30"
