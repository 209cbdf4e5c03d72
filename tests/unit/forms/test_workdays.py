"""Working-day deadlines: 调休, holidays, pauses, county tables and the Mon-Fri fallback."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from forms.catalog import HolidayTable
from forms.workdays import (
    WorkCalendar,
    due_date,
    install_holiday_tables,
    is_working_day,
    shipped_holiday_tables,
    working_days_between,
)


def test_make_up_saturdays_are_working_days() -> None:
    assert is_working_day(date(2026, 2, 14))  # Saturday before the Spring Festival
    assert is_working_day(date(2026, 2, 28))
    assert not is_working_day(date(2026, 2, 16))  # 除夕 week
    assert not is_working_day(date(2026, 11, 22))  # an ordinary Sunday


def test_across_the_2026_spring_festival() -> None:
    # Accepted Friday 13 Feb: Sat 14 (调休) = 1, 15-23 holiday, Tue 24 = 2, Wed 25 = 3.
    result = due_date(date(2026, 2, 13), 3)
    assert result.date == date(2026, 2, 25)
    assert result.warnings == []


def test_across_the_2026_national_day() -> None:
    # Accepted Wed 30 Sep: 1-7 Oct holiday, Thu 8 = 1, Fri 9 = 2, Sat 10 (调休) = 3.
    assert due_date(date(2026, 9, 30), 3).date == date(2026, 10, 10)
    # Sun 20 Sep is a make-up day, so it is the first working day after Fri 18 Sep.
    assert due_date(date(2026, 9, 18), 1).date == date(2026, 9, 20)


def test_a_weekend_start_does_not_count_the_start_day() -> None:
    # chinese_calendar.find_workday counts a non-working start day as day 0.
    saturday = date(2026, 11, 21)
    assert chinese_calendar.find_workday(1, saturday) == date(2026, 11, 24)  # one day late
    assert due_date(saturday, 1).date == date(2026, 11, 23)
    assert due_date(saturday, 5).date == date(2026, 11, 27)


def test_zero_days_is_the_start_day() -> None:
    assert due_date(date(2026, 11, 23), 0).date == date(2026, 11, 23)


def test_zero_days_from_a_rest_day_is_the_next_working_day() -> None:
    """A 即办件 accepted on a Saturday was due that Saturday: 今天到期 on the desk, and
    overdue on Monday although no working day had passed (the receipt said Monday)."""
    assert due_date(date(2026, 12, 5), 0).date == date(2026, 12, 7)  # Sat -> Mon
    assert due_date(date(2026, 10, 1), 0).date == date(2026, 10, 8)  # National Day
    assert due_date(date(2026, 2, 14), 0).date == date(2026, 2, 14)  # a make-up Saturday


def test_paused_case() -> None:
    # 15 working days from Mon 2 Nov 2026 is Mon 23 Nov; returned for 补正 on
    # Wed 11 Nov, corrected Mon 16 Nov: Wed 11 - Mon 16 do not count (4 working
    # days), the clock restarts Tue 17 Nov.
    assert due_date(date(2026, 11, 2), 15).date == date(2026, 11, 23)
    paused = due_date(date(2026, 11, 2), 15, pauses=[(date(2026, 11, 11), date(2026, 11, 16))])
    assert paused.date == date(2026, 11, 27)


def test_two_pauses_and_a_公示() -> None:
    pauses = [(date(2026, 11, 4), date(2026, 11, 4)), (date(2026, 11, 9), date(2026, 11, 13))]
    # 5 days from Mon 2 Nov: Tue 3, (Wed 4 paused), Thu 5, Fri 6, (9-13 paused), Mon 16, Tue 17
    assert due_date(date(2026, 11, 2), 5, pauses).date == date(2026, 11, 17)


def test_2027_uses_the_provisional_county_table_with_a_warning() -> None:
    # Thu 4 Feb 2027: Fri 5 - Sat 13 Spring Festival (provisional), Mon 15 = 1,
    # Tue 16 = 2, Wed 17 = 3.
    result = due_date(date(2027, 2, 4), 3)
    assert result.date == date(2027, 2, 17)
    assert result.warnings == ["2027年节假日安排为县级暂定（待国务院办公厅公布），期限可能调整"]
    assert is_working_day(date(2027, 2, 20))  # provisional 调休 Saturday


def test_a_deadline_running_into_2027_warns() -> None:
    result = due_date(date(2026, 12, 28), 5)
    assert result.date == date(2027, 1, 5)  # 1 Jan 2027 is a holiday
    assert len(result.warnings) == 1


def test_beyond_every_table_falls_back_to_monday_to_friday_with_a_warning() -> None:
    result = due_date(date(2028, 1, 27), 3)  # Thursday
    assert result.date == date(2028, 2, 1)
    assert result.warnings == [
        "没有2028年的节假日安排：按周一至周五计算，未计入节假日和调休，期限仅供参考"
    ]


def test_installed_tables_replace_the_shipped_ones() -> None:
    table = HolidayTable(year=2028, holidays=[date(2028, 1, 28)], workdays=[date(2028, 1, 29)])
    try:
        install_holiday_tables([*shipped_holiday_tables(), table])
        result = due_date(date(2028, 1, 27), 3)
        assert result.date == date(2028, 2, 1)  # Sat 29 works, Fri 28 does not
        assert result.warnings == []
    finally:
        install_holiday_tables(shipped_holiday_tables())


def test_working_days_between_for_days_left_and_overdue() -> None:
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 25)) == 3
    assert working_days_between(date(2026, 2, 25), date(2026, 2, 13)) == -3
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


def test_negative_limit_refused() -> None:
    with pytest.raises(ValueError):
        WorkCalendar().due_date(date(2026, 1, 1), -1)


def test_shipped_2027_table_is_marked_provisional() -> None:
    (table,) = [t for t in shipped_holiday_tables() if t.year == 2027]
    assert table.provisional
    assert date(2027, 10, 1) in table.holidays


def test_a_pause_still_running_is_projected_from_today_with_a_warning() -> None:
    result = due_date(date(2026, 11, 2), 15, [(date(2026, 11, 11), None)], today=date(2026, 11, 16))
    assert result.date == date(2026, 11, 27)  # as if closed on 16 Nov
    assert result.warnings == ["办理时限已暂停（补正或特别程序中），此日期按明天恢复计时推算"]


def test_item_helpers() -> None:
    from forms.catalog import load_catalog
    from forms.workdays import promised_due_date, supply_by

    item = load_catalog().get("640522-RS-001")  # promised 3 working days
    assert promised_due_date(item, date(2026, 2, 13)).date == date(2026, 2, 25)
    assert supply_by(item, date(2026, 11, 20)).date == date(2026, 11, 27)  # 5 working days


def test_a_provisional_table_yields_to_the_official_calendar() -> None:
    guess = HolidayTable(year=2026, provisional=True, holidays=[date(2026, 11, 23)])
    official = HolidayTable(year=2026, holidays=[date(2026, 11, 23)])
    assert WorkCalendar([guess]).is_working_day(date(2026, 11, 23))
    assert WorkCalendar([guess]).source(2026) == "library"
    assert not WorkCalendar([official]).is_working_day(date(2026, 11, 23))
