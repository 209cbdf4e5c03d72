"""Who is who on a case's review page: the resident and the person who acts for them."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from station.services.review import _persons
from sync.payloads import Person
from sync.views import CaseView


def test_the_relative_who_files_for_the_resident_is_the_entrusted_one() -> None:
    """The resident (申请人) entrusts; the relative who comes to file is the 受托人. The
    page called the relative 委托人, the reverse of the 授权委托书 and the receipt."""
    view = CaseView(
        case_id=uuid4(),
        case_number="640522100201-20261205-0006",
        division="640522100201",
        applicant=Person(name="马秀兰", id_number="640522194003150227"),
        principal=Person(name="马建国", id_number="640522196805120010", phone="13900000001"),
        relation="relative",
    )
    lines = {line.name: line.role for line in _persons(view)}
    assert lines == {"马秀兰": "申请人", "马建国": "受托人（代办人）"}
    assert "委托人" not in lines.values()


def test_a_due_date_in_a_provisional_holiday_year_says_so(tmp_path: Path) -> None:
    """Only the receipt said that 2027's holidays are the county's provisional table; the
    review page gave 2027-01-… as if it were sure."""
    from datetime import UTC, date, datetime

    from forms.clock import set_source
    from station.services.review import _header
    from sync.events import EventKind
    from tests.station.cases_seed import take_in, township
    from tests.station.test_roles import township_station

    store = township_station(tmp_path / "township")
    set_source(lambda: datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    try:
        number = take_in(store).case_number  # 高龄津贴: 20 working days
        view = township(store, number, (EventKind.accepted, {}))
        lines = _header(view, None, date(2026, 12, 10), {})
    finally:
        set_source(None)
        store.close()
    due = next(line for line in lines if line.startswith("办结期限 2027-01"))
    assert lines[lines.index(due) + 1].startswith("2027年节假日安排为县级暂定")


def test_the_review_page_counts_late_days_and_stops_counting_once_decided(
    tmp_path: Path,
) -> None:
    """It said 剩 -3 个工作日 of a case past its deadline, and counted on after 办结."""
    from datetime import UTC, date, datetime

    from forms.clock import set_source
    from station.services.review import _header
    from sync.events import EventKind
    from tests.station.cases_seed import take_in, township
    from tests.station.test_roles import township_station

    store = township_station(tmp_path / "township")
    set_source(lambda: datetime(2026, 10, 9, 2, 0, tzinfo=UTC))
    try:
        number = take_in(store).case_number  # 高龄津贴: 20 working days
        view = township(store, number, (EventKind.accepted, {}))
        late = _header(view, None, date(2026, 11, 23), {})
        done = township(store, number, (EventKind.completed, {"result": "approved"}))
        decided = _header(done, None, date(2026, 11, 23), {})
    finally:
        set_source(None)
        store.close()
    assert "办结期限 2026-11-05（已逾期 12 个工作日）" in late
    assert "办结期限 2026-11-05" in decided
    assert not [line for line in decided if "工作日" in line]


def test_an_area_or_a_height_is_shown_in_its_own_unit_not_in_yuan() -> None:
    """宅基地建房's areas and height (the catalog's two-place decimals) read 150.00 元."""
    from forms.catalog.loader import load_catalog
    from station.services.review import format_value

    item = load_catalog().get("640522-ZR-001")
    shown = {key: format_value(item.field(key), "150") for key in ("plot_area", "height")}
    assert shown == {"plot_area": "150.00 平方米", "height": "150.00 米"}
    income = next(f for f in load_catalog().get("640522-MZ-003").fields if f.type == "money")
    assert format_value(income, "1234.5") == "1,234.50 元"
    # a county's own labels: 万元 kept, a bracketed note is no unit
    for label, unit in (("项目金额（万元）", "万元"), ("补贴（含税）", "元"), ("补贴", "元")):
        assert income.model_copy(update={"label": label}).unit == unit


def test_a_long_reason_is_cut_in_the_header_and_the_warning_comes_under_the_state(
    tmp_path: Path,
) -> None:
    """A 330-character 不通过 note filled the five-line header: what came after it (the
    重复申请 warning) was not shown."""
    from datetime import UTC, date, datetime

    from forms.clock import set_source
    from station.services.review import HEADER_TEXT, _header, _with_warning
    from sync.events import EventKind
    from tests.station.cases_seed import take_in, township
    from tests.station.test_roles import township_station

    store = township_station(tmp_path / "township")
    set_source(lambda: datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    note = "经现场踏勘，" + "拟建房位置位于基本农田保护范围内，" * 20
    try:
        number = take_in(store).case_number
        township(store, number, (EventKind.accepted, {}))
        done = township(store, number, (EventKind.completed, {"result": "denied", "note": note}))
        lines = _with_warning(_header(done, None, date(2026, 12, 10), {}), "⚠ 重复申请")
    finally:
        set_source(None)
        store.close()
    assert lines[2] == "⚠ 重复申请"
    (result,) = [line for line in lines if line.startswith("办结结果")]
    assert result.startswith("办结结果：不通过") and result.endswith("…")
    assert len(result) == HEADER_TEXT
