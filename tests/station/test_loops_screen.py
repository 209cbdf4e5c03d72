"""The loop list at 80×24 (snapshot) and the outcome fetch that never fails a sync."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from forms.clock import set_source
from station.app import DaibanApp
from station.screens.loops import LoopsScreen
from station.services.loops import actions_for, fetch_outcomes, outcome_lines, row_of
from station.store import StationStore
from station.store.outcomes import loop_cursor, save_outcomes
from sync.client import CentralClient
from sync.events import Role
from tests.station.conftest import NOW
from tests.station.helpers import flat_text, log_in, settle
from tests.station.review_helpers import township_app
from tests.station.test_roles import township_station

Snap = Callable[..., bool]


def _item(number: int, state: str, card: str, days: int, kind: str = "rating") -> dict[str, Any]:
    source = (
        f"640522100201-20261201-{number:04d}"
        if kind == "rating"
        else (f"BCS-640522100201-20261201-{number:04d}")
    )
    return {
        "id": number, "source_kind": kind, "source_id": f"id-{number}", "source_number": source,
        "division": "640522100201", "station_name": "杨郎村便民服务站", "words": "跑了三趟才办好",
        "rating": 2 if kind == "rating" else None, "created_at": "2026-12-01T02:00:00+00:00",
        "state": state, "unit_kind": "township" if state != "open" else "",
        "unit": "640522100000", "unit_name": "海城镇" if state != "open" else "",
        "appeal": "", "closed_at": None, "updated_seq": number, "due": "2026-12-22",
        "days_left": days, "card": card,
    }  # fmt: skip


ITEMS = [
    _item(1, "assigned", "red", -2),
    _item(2, "visited", "yellow", 3),
    _item(3, "open", "", 12, kind="unresolved"),
]


class CentreStandIn:
    """The county centre as the desk's line sees it (the network is outside the desk)."""

    def get(self, path: str, **params: Any) -> Any:
        return [i for i in ITEMS if not params.get("card") or i["card"] == params["card"]]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StationStore]:
    set_source(lambda: NOW)
    opened = township_station(tmp_path / "township")
    try:
        yield opened
    finally:
        set_source(None)
        opened.close()


async def _loops(pilot: Pilot[None]) -> None:
    await log_in(pilot, "wangfang")
    app = pilot.app
    assert isinstance(app, DaibanApp)
    app.desk.centre_line = CentreStandIn()  # type: ignore[assignment]
    await app.push_screen(LoopsScreen(app.desk))
    await settle(pilot)


def test_loop_list_snapshot(snap_compare: Snap, store: StationStore, tmp_path: Path) -> None:
    app = township_app(store, tmp_path / "township")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_loops)


async def test_the_loop_list_shows_cards_and_filters_to_red(
    store: StationStore, tmp_path: Path
) -> None:
    app = township_app(store, tmp_path / "township")
    async with app.run_test(size=(80, 24)) as pilot:
        await _loops(pilot)
        shown = flat_text(pilot)
        assert "红牌" in shown and "黄牌" in shown and "办不成事BCS-" in shown
        assert "共3项（全部）·红牌1·黄牌1" in shown
        await pilot.press("f")
        await settle(pilot)
        assert "共1项（红牌）" in flat_text(pilot)


def test_a_row_says_source_unit_days_left_and_state_in_chinese() -> None:
    row = row_of(ITEMS[0])
    assert (row.card, row.source, row.unit, row.days_left, row.state) == (
        "红牌", "差评 640522100201-20261201-0001", "海城镇", "超期2", "已分派",
    )  # fmt: skip


def test_each_role_is_offered_only_its_own_acts() -> None:
    assert actions_for(Role.admin, ITEMS[2]) == ["assign"]
    assert actions_for(Role.reviewer, ITEMS[0]) == ["visited", "appeal"]
    assert actions_for(Role.admin, {**ITEMS[0], "state": "fed_back"}) == ["close"]
    assert actions_for(Role.agent, ITEMS[0]) == []


def test_an_unreachable_centre_fetches_no_outcome_and_raises_nothing(
    store: StationStore,
) -> None:
    save_outcomes(store, [{**ITEMS[0], "steps": []}], 7)
    with CentralClient("http://127.0.0.1:9", "t", retries=0, timeout=1.0) as client:
        assert fetch_outcomes(store, client) == 0
    assert loop_cursor(store) == 7  # the next sync asks again from where it was
    assert outcome_lines(store, ITEMS[0]["source_number"])[0].startswith("县里跟进：已分派")
