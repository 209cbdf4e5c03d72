"""The county's 闭环 walked at the desks against a real central on loopback.

A village takes in a case; the township accepts and completes it; the village hands
it over and the resident rates it 不满意; the village syncs. The county administrator
signs in at a county desk and sees the 差评 on the loop list, assigns it to the
township; the township reviewer, at the township desk (from the review queue),
records 回访, 整改 and 反馈; the county closes it; the village syncs and its case
page shows the outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, Static

from forms.catalog import load_catalog
from station.app import make_app
from station.config import load_settings
from station.screens.dashboard import DashboardScreen, FigureCard
from station.screens.loops import LoopItemScreen, LoopsScreen
from station.services.cases import Actor, CaseService
from station.store import StationStore
from sync.events import EventKind, Role
from tests.e2e.conftest import (
    PASSWORD,
    TOWNSHIP,
    VILLAGE,
    Central,
    Station,
    enrolled_station,
    id_number,
)
from tests.station.helpers import flat_text, log_in, settle, type_into
from tests.station.review_helpers import assistance

pytestmark = pytest.mark.slow  # a real central and three stations

COUNTY = "640522000000"


def _person(central: Central, station: Station, username: str, role: str, division: str) -> None:
    """An account at the centre (one person, one ID number), cached at the station by its
    next pull."""
    serial = 100 + sum(ord(c) for c in username) % 800
    central.cli(
        "user", "add", "--username", username, "--name", username, "--role", role,
        "--division", division, "--password", PASSWORD,
        "--id-number", id_number(f"64052219800101{serial:03d}"),
    )  # fmt: skip
    station.cli("sync")


def _service(station: Station, store: StationStore, role: Role) -> CaseService:
    return CaseService(store, load_catalog(), Actor(station.user_id, role, station.user))


def _rated_bad(village: Station, township: Station) -> str:
    """A township item (临时救助) taken in, decided, handed over and rated 不满意; synced."""
    store = StationStore.open(village.data_dir)
    try:
        agent = _service(village, store, Role.agent)
        number = agent.take_in(assistance()).case_number
        agent.act(number, EventKind.submitted)
    finally:
        store.close()
    village.cli("sync")
    township.cli("sync")
    store = StationStore.open(township.data_dir)
    try:
        reviewer = _service(township, store, Role.reviewer)
        reviewer.accept(number)
        reviewer.complete(number, "approved", "救助金3000元")
    finally:
        store.close()
    township.cli("sync")
    village.cli("sync")
    village.cli("case", "handover", number)
    store = StationStore.open(village.data_dir)
    try:
        _service(village, store, Role.agent).rate(number, 2, "跑了三趟才办好")
    finally:
        store.close()
    village.cli("sync")
    return number


async def _at_desk(station: Station, username: str, walk: Any) -> None:
    store = StationStore.open(station.data_dir)
    try:
        app = make_app(load_settings(station.data_dir), store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, username, PASSWORD)
            await walk(pilot)
    finally:
        store.close()


async def _act(pilot: Any, key: str, texts: dict[str, str], choices: dict[str, str]) -> None:
    """Open the act's dialog with ``key``, fill it in, send it (F9) and wait for the centre."""
    await pilot.press(key)
    await settle(pilot)
    for field, value in choices.items():
        pilot.app.screen.query_one(f"#f-{field}", Select).value = value
    for field, text in texts.items():
        await type_into(pilot, f"#f-{field}", text)
    await pilot.press("f9")
    await settle(pilot)


async def test_a_bad_rating_goes_round_the_loop_and_the_village_sees_it_closed(
    sqlite_central: Central, tmp_path: Path
) -> None:
    central = sqlite_central
    village = enrolled_station(central, tmp_path / "v", VILLAGE, "杨郎村便民服务站", "village")
    township = enrolled_station(central, tmp_path / "t", TOWNSHIP, "海城镇便民服务中心", "township")
    county = enrolled_station(central, tmp_path / "c", COUNTY, "海原县政务服务中心", "county")
    number = _rated_bad(village, township)
    _person(central, county, "xu", "admin", COUNTY)
    _person(central, township, "ma", "reviewer", TOWNSHIP)

    async def county_assigns(pilot: Any) -> None:
        assert isinstance(pilot.app.screen, DashboardScreen)  # the county's home: the 看板
        bad = pilot.app.screen.query_one("#figure-bad", FigureCard)
        assert str(bad.render()).split() == ["差评", "1"]
        await pilot.press("3")  # 闭环
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoopsScreen)
        shown = flat_text(pilot)
        assert f"差评{number}" in shown and "待分派" in shown
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoopItemScreen)
        assert "跑了三趟才办好" in flat_text(pilot)
        await _act(pilot, "a", {}, {"unit": TOWNSHIP})
        assert "已分派" in flat_text(pilot) and "海城镇" in flat_text(pilot)

    await _at_desk(county, "xu", county_assigns)

    async def township_follows_up(pilot: Any) -> None:
        await pilot.press("b")  # from the review queue: the township's own items
        await settle(pilot)
        assert f"差评{number}" in flat_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("v")  # a visit dated ahead is refused, the form kept
        await settle(pilot)
        when = pilot.app.screen.query_one("#f-when", Input)
        typed_now, when.value = when.value, "2099-03-01 10:00"
        pilot.app.screen.query_one("#f-how", Select).value = "电话"
        await type_into(pilot, "#f-found", "等候时间长属实")
        await pilot.press("f9")
        await settle(pilot)
        assert "时间：晚于现在，请在发生后再登记" in flat_text(pilot).replace(" ", "")
        when.value = typed_now
        await pilot.press("f9")
        await settle(pilot)
        assert "已回访" in flat_text(pilot)
        await _act(pilot, "t", {"what": "增设预约窗口"}, {})
        await _act(pilot, "k", {"response": "满意"}, {"how": "上门"})
        assert "已反馈" in flat_text(pilot)

    await _at_desk(township, "ma", township_follows_up)

    async def county_closes(pilot: Any) -> None:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await _act(pilot, "c", {"text": "已核实"}, {})
        header = str(pilot.app.screen.query_one("#loop-header", Static).render())
        assert "已办结" in header and "时限" in header
        assert "剩余" not in header  # closed: nothing left to count down

    await _at_desk(county, "xu", county_closes)

    village.cli("sync")

    async def village_sees(pilot: Any) -> None:
        from station.screens.case import CaseScreen

        await pilot.app.push_screen(CaseScreen(pilot.app.desk, number))
        await settle(pilot)
        shown = flat_text(pilot)
        assert "县里跟进：已办结" in shown and "增设预约窗口" in shown, shown

    await _at_desk(village, village.user, village_sees)
