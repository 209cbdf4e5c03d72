"""The cases a sync submits (报送): taken in here, not yet submitted, each as its agent.

Read from the events and the cases' states (every desk sync asks), so these tests hold it
to what the cases' views say: the station's own cases in state 收件, never a draft,
never another station's case, never one already submitted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from forms.catalog import Catalog
from station.services.cases import Actor, CaseService
from station.services.syncing import submit_received, waiting_submission
from station.store import StationStore
from station.store.caselist import _WAITING
from station.store.db import reading
from station.store.models import NewEvent
from sync.events import EventKind, EventStatus, RecordedEvent, Role
from sync.protocol import PullResponse, StationRole
from tests.unit.store.conftest import application, identity

NAMES = ("张三丰", "李秀英", "王建国")


def _submitter(store: StationStore, number: str) -> list[str]:
    view = store.get_case(number)
    assert view is not None
    return [entry.actor_id for entry in view.history if entry.kind is EventKind.submitted]


def test_each_case_taken_in_here_is_submitted_once_as_the_agent_who_took_it_in(
    store: StationStore, service: CaseService, catalog: Catalog
) -> None:
    first = service.take_in(application(name="张三丰", serial=1)).case_number
    draft = service.take_in(application(name="李秀英", serial=2), receive=False).case_number
    other_agent = CaseService(
        store, catalog, Actor(user_id="u-agent2", role=Role.agent, name="马代办")
    )
    second = other_agent.take_in(application(name="王建国", serial=3)).case_number

    assert waiting_submission(store) == {first: "u-agent", second: "u-agent2"}
    assert submit_received(store) == 2
    assert _submitter(store, first) == ["u-agent"]
    assert _submitter(store, second) == ["u-agent2"]
    assert _submitter(store, draft) == []
    draft_view = store.get_case(draft)
    assert draft_view is not None and draft_view.state.value == "draft"

    assert waiting_submission(store) == {}
    assert submit_received(store) == 0  # a second sync submits nothing again
    assert _submitter(store, first) == ["u-agent"]


def test_a_township_never_submits_the_villages_cases_it_pulled(
    store: StationStore, service: CaseService, tmp_path: Path
) -> None:
    numbers = [
        service.take_in(application(name=n, serial=i)).case_number
        for i, n in enumerate(("张三丰", "李秀英"), 1)
    ]
    taken_in = [
        RecordedEvent(**event.model_dump(), central_seq=seq, status=EventStatus.applied)
        for seq, event in enumerate(store.outbox_batch(1000, 1 << 24), start=1)
    ]
    township = StationStore.open(tmp_path / "township")
    try:
        township.save_identity(identity(StationRole.township, "640522100"))
        township.apply_pull_page(
            PullResponse(events=taken_in, next_cursor=len(taken_in), has_more=False)
        )
        held = [township.get_case(number) for number in numbers]
        assert [view.state.value for view in held if view is not None] == ["received", "received"]
        assert waiting_submission(township) == {}
        assert submit_received(township) == 0
        assert township.outbox_depth() == 0
    finally:
        township.close()


def test_many_cases_appended_at_once_by_number_or_id_or_none_if_one_is_unknown(
    store: StationStore, service: CaseService
) -> None:
    """``append_many`` reads its cases together (by number, hex or dashed id, in any mix)
    and still gives each its own events; a key it does not hold refuses them all."""
    views = [service.take_in(application(name=n, serial=i)) for i, n in enumerate(NAMES, 1)]
    keys = [views[0].case_number, views[1].case_id.hex, f" {views[2].case_id} "]

    def looked() -> NewEvent:  # each its own event (and id)
        return NewEvent(EventKind.id_revealed, "u-agent", Role.agent, {"name": "王代办"})

    depth = store.outbox_depth()
    with pytest.raises(KeyError):
        store.append_many([(key, [looked()]) for key in [*keys, "6405221001012026112399"]])
    assert store.outbox_depth() == depth  # nothing written

    after = store.append_many([(key, [looked()]) for key in reversed(keys)])
    assert [view.case_number for view in after] == [v.case_number for v in reversed(views)]
    for view in views:
        held = store.get_case(view.case_number)
        assert held is not None
        assert [entry.kind for entry in held.history][-1] is EventKind.id_revealed
        assert [entry.kind for entry in held.history].count(EventKind.id_revealed) == 1
    assert store.outbox_depth() == depth + 3


def test_the_cases_to_submit_are_read_through_the_cases_state_not_every_own_event(
    store: StationStore, service: CaseService
) -> None:
    """Every desk sync asks: the read goes from the few cases in 收件 to their events, never
    through the index of every event the station wrote (years of them on a village PC)."""
    for serial, name in enumerate(NAMES, 1):
        service.take_in(application(name=name, serial=serial))
    submit_received(store)
    compiled = _WAITING.compile(dialect=sqlite.dialect())
    values = tuple(compiled.construct_params({"own": "st-village"}).values())
    with reading(store.engine) as conn:
        plan = " | ".join(
            str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
        )
    assert "SEARCH cases USING INDEX ix_cases_state_updated" in plan, plan
    assert "SEARCH events USING INDEX ix_events_case_id" in plan, plan
    assert "uq_events_station_seq" not in plan, plan
