"""The desk shows Beijing time, whatever the PC's zone and whatever zone its clock tells.

At 16:30 UTC on 1 December it is 00:30 on 2 December in Beijing: the case
number, the timeline, the status line's last sync and the home screen's draft
all say 2 December. Run on a PC set to UTC (the autouse fixture) and to New York.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from forms.workdays import supply_by
from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.case import CaseScreen
from station.services.cases import CaseService
from station.store import StationStore
from sync.engine import SyncReport
from tests.conftest import set_machine_zone
from tests.station.cases_seed import AGENT, allowance
from tests.station.conftest import DEMO, shipped_catalog
from tests.station.helpers import flat_text, log_in, settle

LATE_EVENING_UTC = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
"""00:30 on Wednesday 2 December in Beijing."""
BEIJING_DAY = date(2026, 12, 2)


@pytest.fixture(params=["UTC", "America/New_York"])
def late_desk(
    request: pytest.FixtureRequest,
    hold_time: Callable[[datetime], None],
    station_dir: object,
    store: StationStore,
) -> DaibanApp:
    """A desk whose clock (in UTC) says 16:30 on 1 Dec, on a PC set to UTC or New York."""
    set_machine_zone(request.param)
    hold_time(LATE_EVENING_UTC)
    return make_app(
        load_settings(station_dir),
        store=store,
        demo_accounts=DEMO,
        clock=lambda: LATE_EVENING_UTC,
        catalog=shipped_catalog(),
    )


def _take_in_as_the_desk_does(app: DaibanApp, store: StationStore) -> str:
    """File a case the way the intake screen does: today from the desk's clock."""
    today = app.desk.clock().date()  # type: ignore[attr-defined]
    item = shipped_catalog().get("640522-MZ-001")
    application = allowance().model_copy(
        update={"supply_by": {"bank_card": supply_by(item, today).date}}
    )
    service = CaseService(store, shipped_catalog(), AGENT)
    return service.take_in(application, today=today).case_number


async def test_case_number_and_timeline_say_2_december(
    late_desk: DaibanApp, store: StationStore
) -> None:
    number = _take_in_as_the_desk_does(late_desk, store)
    assert "-20261202-" in number
    async with late_desk.run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        text = flat_text(pilot)
        assert number in text
        assert "2026-12-0200:30" in text  # 创建 and 收件 in the timeline, Beijing time
        assert "16:30" not in text and "11:30" not in text


async def test_status_line_and_home_show_beijing_times(
    late_desk: DaibanApp, store: StationStore
) -> None:
    store.record_sync(SyncReport(finished_at=LATE_EVENING_UTC))
    store.save_draft("draft-late", {"applicant": {"name": "田桂英"}, "item_name": "高龄津贴"})
    async with late_desk.run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        assert "未完成的收件草稿：12-0200:30田桂英" in flat_text(pilot)  # saved at 00:30
        await pilot.press("n")
        await settle(pilot)
        assert "上次同步12-0200:30" in flat_text(pilot)
        assert late_desk.desk.clock().date() == BEIJING_DAY  # type: ignore[attr-defined]
