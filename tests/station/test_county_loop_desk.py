"""The county desk's 闭环, 看板 and 对账 as the county administrator walked them: every box of
a 闭环 act drawn under its name, a 差评's case opened from its item, a 办不成事 record's
闭环 state and item reached from the 看板, a duplicate application opened from 对账, and
long text wrapped at 80×24 rather than cut off."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from station.app import DaibanApp
from station.screens.dashboard_cases import DrillScreen
from station.screens.loops import LoopForm, LoopItemScreen, LoopsScreen
from station.screens.reconcile_admin import ReconcileAdminScreen
from station.screens.review import ReviewScreen
from station.services.centre import CentreError
from station.store import StationStore
from station.widgets.status import DeskStatus
from tests.station.cases_seed import take_in
from tests.station.helpers import flat_text, log_in, screen_text, settle
from tests.station.test_county_completes import county_desk, county_station

WORDS = "为在银川住院的母亲补办出生医学证明：出生医学证明由出生医院签发，本站和乡镇都不能代办，群众跑了两趟"
RECORD_ID = "6f1c0d7e-0000-4000-8000-000000000001"


def _item(state: str, kind: str = "unresolved", number: str = "BCS-640522100201-20261206-0001"):
    return {
        "id": 7, "source_kind": kind, "source_id": RECORD_ID, "source_number": number,
        "division": "640522100201", "station_name": "海城镇山门村便民服务站", "words": WORDS,
        "rating": 2 if kind == "rating" else None, "created_at": "2026-11-20T02:00:00+00:00",
        "state": state, "unit_kind": "department", "unit": "县卫健局", "unit_name": "县卫健局",
        "appeal": "", "closed_at": None, "updated_seq": 1, "due": "2026-12-22",
        "days_left": 12, "card": "",
        "steps": [{"action": "created", "at": "2026-11-20T02:00:00+00:00",
                   "actor_name": "县级中心", "detail": {"words": WORDS}}],
    }  # fmt: skip


class Centre:
    """The county centre as the administrator's line sees it."""

    def __init__(self, item: dict[str, Any], duplicates: list[dict[str, Any]] = ()) -> None:
        self.item = item
        self.duplicates = list(duplicates)

    def get(self, path: str, **params: Any) -> Any:
        if path == "/loops":
            return [self.item]
        if path.startswith("/loops/"):
            return self.item
        if path == "/admin/dashboard/cases":
            line = {"case_number": self.item["source_number"], "case_id": RECORD_ID,
                    "item_code": "", "item_name": "补办出生医学证明", "division": "640522100201",
                    "village": "海城镇山门村便民服务站", "state": "recorded",
                    "received_on": "2026-11-20"}  # fmt: skip
            return {"key": params["key"], "kind": "unresolved", "total": 1, "cases": [line]}
        if path == "/admin/reconcile":
            stations = [{"name": "海城镇山门村便民服务站", "cases": 5, "events": 22, "gaps": [],
                         "outbox_depth": 0, "oldest_unsent": None, "cases_held": 5,
                         "last_seen": "2026-11-23T01:30:00+00:00"}]  # fmt: skip
            return {"stations": stations, "silent": [], "duplicate_applications": self.duplicates}
        raise AssertionError(path)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StationStore]:
    opened = county_station(tmp_path / "county")
    try:
        yield opened
    finally:
        opened.close()


async def _signed_in(pilot: Pilot[None], centre: Centre) -> DaibanApp:
    await log_in(pilot, "zhaojun")
    app = pilot.app
    assert isinstance(app, DaibanApp)
    app.desk.centre_line = centre  # type: ignore[assignment]
    return app


def _lines_under(pilot: Pilot[None], label: str) -> tuple[str, str]:
    """The screen line holding ``label`` and the line under it."""
    lines = screen_text(pilot).splitlines()
    at = next(i for i, line in enumerate(lines) if f"█  {label}" in line)
    return lines[at], lines[at + 1]


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
@pytest.mark.parametrize(
    ("state", "key", "labels"),
    [
        ("open", "a", ["乡镇", "或县直部门"]),
        ("assigned", "v", ["时间", "方式", "核实情况"]),
        ("visited", "t", ["整改措施"]),
        ("rectified", "k", ["时间", "方式", "群众意见"]),
        ("fed_back", "c", ["说明"]),
    ],
)
async def test_every_box_of_a_loop_act_is_drawn_under_its_name(
    store: StationStore, tmp_path: Path, size: tuple[int, int], state: str, key: str,
    labels: list[str],
) -> None:  # fmt: skip
    """分派 showed 或县直部门 with no box under it (a compact box, empty, on the dialog's
    background), and F9 asked for a department nothing on screen could take."""
    app = county_desk(store, tmp_path)
    async with app.run_test(size=size) as pilot:
        desk = (await _signed_in(pilot, Centre(_item(state)))).desk
        await app.push_screen(LoopItemScreen(desk, 7))
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, LoopForm)
        for label in labels:
            named, under = _lines_under(pilot, label)
            column = named.index(label)
            assert under[column:].lstrip(" ▊").startswith("▔▔▔"), (label, under)
        assert "确定" in screen_text(pilot)  # the buttons still on screen


async def test_a_bad_ratings_case_opens_from_its_loop_item(
    store: StationStore, tmp_path: Path
) -> None:
    """The 闭环 page of a 差评 had no key to the case it was given for."""
    number = take_in(store).case_number
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, Centre(_item("open", "rating", number)))).desk
        await app.push_screen(LoopItemScreen(desk, 7))
        await settle(pilot)
        assert "o打开办件" in flat_text(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.case_number == number


async def test_a_record_not_held_here_says_so_and_a_record_has_no_case_key(
    store: StationStore, tmp_path: Path
) -> None:
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, Centre(_item("open")))).desk
        await app.push_screen(LoopItemScreen(desk, 7))
        await settle(pilot)
        assert "打开办件" not in flat_text(pilot)  # a 办不成事 record is no case
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, LoopItemScreen)


async def test_the_dashboards_record_shows_its_loop_state_and_opens_its_item(
    store: StationStore, tmp_path: Path
) -> None:
    """The 办不成事 list said 办不成事登记 for a record whose 闭环 was 已办结, and Enter only
    said to go to 3（闭环）."""
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, Centre(_item("closed")))).desk
        await app.push_screen(DrillScreen(desk, "unresolved:all:-:2026-11", "办不成事"))
        await settle(pilot)
        shown = flat_text(pilot)
        assert "闭环已办结" in shown and "办不成事登记" not in shown
        assert "回车打开其闭环事项" in shown
        table = app.screen.query_one("#drill-table", DataTable)
        assert table.virtual_size.width <= table.size.width  # nothing off to the right
        assert "BCS-640522100201-20261206-0001" in shown  # a number kept whole
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoopItemScreen) and app.screen.item_id == 7


async def test_the_timeline_wraps_the_residents_words_at_80_columns(
    store: StationStore, tmp_path: Path
) -> None:
    """…出生医学证明：出生医学 and the rest was off the screen."""
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, Centre(_item("open")))).desk
        await app.push_screen(LoopItemScreen(desk, 7))
        await settle(pilot)
        assert f"县级中心：{WORDS}" in flat_text(pilot)


async def test_reconciliation_fits_80_columns_and_a_duplicate_opens_its_case(
    store: StationStore, tmp_path: Path
) -> None:
    """站点办件 and 最近联系 were off the screen, station names cut, and Enter on a
    duplicate did nothing."""
    first, second = take_in(store, "马秀兰").case_number, "640522100202-20261206-0004"
    cases = [
        {"case_number": first, "station_name": "海城镇山门村便民服务站", "state": "submitted"},
        {"case_number": second, "station_name": "海城镇武塬村便民服务站", "state": "submitted"},
    ]
    pair = {"id_masked": "640522********1029", "item_name": "城乡居民基本医疗保险参保登记",
            "item_code": "640522-YB-001", "cases": cases}  # fmt: skip
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, Centre(_item("open"), [pair]))).desk
        await app.push_screen(ReconcileAdminScreen(desk))
        await settle(pilot)
        for table_id in ("#recon-stations", "#recon-duplicates"):
            table = app.screen.query_one(table_id, DataTable)
            assert table.virtual_size.width <= app.screen.size.width - 2, table_id
        assert "最近联系" in screen_text(pilot).replace(" ", "")
        # this year's moments without the year: the station's name on one line beside them
        # (without 便民服务站), the centre's count beside the station's
        (row,) = [line for line in screen_text(pilot).splitlines() if "山门村" in line]
        assert row.split() == ["海城镇山门村", "5", "5", "22", "0", "0", "11-23", "09:30"]
        # nothing unsent: 0 (— is for a station that has not reported, as the note says)
        assert "站点尚未上报" in flat_text(pilot)
        await pilot.press("d")
        await settle(pilot)
        shown = flat_text(pilot)
        assert first in shown and second in shown
        lines = screen_text(pilot).splitlines()  # each pair's row on one line, names whole
        assert any(
            line.split()[:4] == ["****1029", "医保参保", first, "海城镇山门村"] for line in lines
        ), lines
        assert any(line.split() == [second, "海城镇武塬村", "已报送"] for line in lines), lines
        await pilot.press("down", "enter")  # not on this workstation: said, not silent
        await settle(pilot)
        assert isinstance(app.screen, ReconcileAdminScreen)
        notes = [str(n.message) for n in app._notifications]
        assert any(second in note and "同步" in note for note in notes), notes
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.case_number == first


class _SilentLoops(Centre):
    """Answers the 看板's list, then says nothing about the 闭环 (a line gone mid-way)."""

    def get(self, path: str, **params: Any) -> Any:
        if path == "/loops":
            raise CentreError("县中心没有及时回应", silent=True)
        return super().get(path, **params)


async def test_a_list_shown_without_its_loops_because_the_centre_fell_silent_says_offline(
    store: StationStore, tmp_path: Path
) -> None:
    """The drill-down showed its records without their 闭环 states and the header went on
    saying 在线: nothing told the administrator that the centre had stopped answering."""
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        desk = (await _signed_in(pilot, _SilentLoops(_item("closed")))).desk
        app._show_sync_state(replace(desk.sync_state, reachable=True))
        await app.push_screen(DrillScreen(desk, "unresolved:all:-:2026-11", "办不成事"))
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)  # the list, not a dialog
        shown = flat_text(pilot)
        assert "办不成事登记" in shown and "BCS-640522100201-20261206-0001" in shown
        assert "中心：离线" in shown and not app.screen.query_one(DeskStatus).state.reachable


class _Recording(Centre):
    """The centre as above, keeping each act sent to it."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__(item)
        self.posts: list[tuple[str, Any]] = []

    def post(self, path: str, body: Any) -> Any:
        self.posts.append((path, body))
        return {"ok": True}


async def test_a_loop_acts_note_is_sent_with_enter_once(
    store: StationStore, tmp_path: Path
) -> None:
    """办结's note typed, then Enter: nothing was sent (F9 only), the focus moved to the
    button. Now Enter sends it, and a second quick Enter does not send it again."""
    app = county_desk(store, tmp_path)
    centre = _Recording(_item("fed_back"))
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, centre)).desk
        page = LoopItemScreen(desk, 7)
        await app.push_screen(page)
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, LoopForm)
        assert "确定（回车/F9）" in flat_text(pilot)
        await pilot.press(*"已电话告知群众", "enter", "enter")
        await settle(pilot)
        assert app.screen is page
        notes = [str(n.message) for n in app._notifications]
    assert centre.posts == [("/loops/7/close", {"text": "已电话告知群众"})]
    assert "已保存到县级中心。" in notes


async def test_a_second_enter_on_a_bad_ratings_item_stays_on_its_page(
    store: StationStore, tmp_path: Path
) -> None:
    """Enter on a 差评 in the list, and again (pressed twice, or the key repeating): the
    second Enter landed on the item's timeline and opened the rated case instead."""
    number = take_in(store).case_number
    app = county_desk(store, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, Centre(_item("assigned", "rating", number)))).desk
        await app.push_screen(LoopsScreen(desk))
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, LoopItemScreen) and app.screen.item_id == 7
        await pilot.press("enter")  # the item read, the repeat arriving after it
        await settle(pilot)
        assert isinstance(app.screen, LoopItemScreen)
        await pilot.press("o")  # the case is a key away, as the footer says
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen) and app.screen.case_number == number


async def test_rectification_is_t_and_z_records_nothing_on_a_loop_item(
    store: StationStore, tmp_path: Path
) -> None:
    """z was 整改 here and 暂停 on the review page a 差评's o opens: one letter, two acts on
    the same desk. 整改 is t now; z here asks for nothing and sends nothing."""
    app = county_desk(store, tmp_path)
    centre = _Recording(_item("visited"))  # a county department's item: the county records
    async with app.run_test(size=(80, 24)) as pilot:
        desk = (await _signed_in(pilot, centre)).desk
        page = LoopItemScreen(desk, 7)
        await app.push_screen(page)
        await settle(pilot)
        assert "t整改" in flat_text(pilot) and "z整改" not in flat_text(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert app.screen is page and centre.posts == []
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, LoopForm)
        await pilot.press(*"增设预约窗口", "enter")
        await settle(pilot)
        assert app.screen is page
    assert centre.posts == [("/loops/7/steps/rectified", {"detail": {"what": "增设预约窗口"}})]
