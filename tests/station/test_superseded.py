"""A withdrawal the township's rejection overtook: superseded, flagged on the home screen, 已阅."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.store import NewEvent, StationStore
from sync.events import EventKind, EventStatus, RecordedEvent, Role
from sync.ids import new_id
from sync.protocol import PullResponse
from tests.station.cases_seed import AGENT, take_in
from tests.station.helpers import flat_text, log_in, settle

WHY = "not allowed while the case is rejected"


def overtaken_withdrawal(store: StationStore) -> str:
    """Agent submits then withdraws; the centre had the township's rejection first."""
    case = take_in(store)
    store.append(case.case_number, [NewEvent(EventKind.submitted, AGENT.user_id, Role.agent)])
    store.append(
        case.case_number,
        [NewEvent(EventKind.withdrawn, AGENT.user_id, Role.agent, {"reason": "本人不办了"})],
    )
    ours = store.outbox_batch()
    *before, withdrawal = ours
    recorded = [RecordedEvent(**e.model_dump(), central_seq=i + 1) for i, e in enumerate(before)]
    rejection = RecordedEvent(
        id=new_id(),
        case_id=case.case_id,
        case_number=case.case_number,
        division=case.division,
        kind=EventKind.rejected,
        station_id="st-township",
        station_seq=1,
        base_version=len(before),
        actor_id="u-reviewer",
        actor_role=Role.reviewer,
        device_time=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        payload={"reason": "不符合申领条件"},
        central_seq=len(before) + 1,
    )
    late = RecordedEvent(
        **withdrawal.model_dump(),
        central_seq=len(before) + 2,
        status=EventStatus.superseded,
        reason=WHY,
    )
    page = PullResponse(
        events=[*recorded, rejection, late], next_cursor=late.central_seq, has_more=False
    )
    store.apply_pull_page(page)
    return case.case_number


async def test_superseded_withdrawal_is_flagged_and_can_be_marked_seen(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = overtaken_withdrawal(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "需处理1" in text and number in text
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        text = flat_text(pilot)
        assert "不予受理" in text and "已被取代" in text
        await pilot.press("a")
        await settle(pilot)
    view = store.get_case(number)
    assert view is not None and "superseded" not in view.flags
