"""Applying pull pages that acknowledge our own events instead of carrying them."""

from __future__ import annotations

import pytest

from station.services.cases import CaseService
from station.store import StationStore
from sync.engine import UnknownAcks
from sync.events import EventKind, EventStatus
from sync.ids import new_id
from sync.protocol import EventAck, EventResult, PullResponse, ResultStatus
from sync.reducer import EntryStatus
from tests.unit.store.conftest import application
from tests.unit.store.test_syncside import _township_event


def _pushed(store: StationStore) -> list[EventAck]:
    """Push the outbox (the centre applies it, seq 1...); its acknowledgements."""
    batch = store.outbox_batch(200, 1 << 20)
    store.acknowledge(
        [
            EventResult(id=str(e.id), status=ResultStatus.applied, central_seq=i + 1)
            for i, e in enumerate(batch)
        ]
    )
    return [
        EventAck(id=e.id, central_seq=i + 1, status=EventStatus.applied)
        for i, e in enumerate(batch)
    ]


def test_acknowledgements_settle_our_pending_entries(
    service: CaseService, store: StationStore
) -> None:
    case = service.take_in(application())
    acks = _pushed(store)
    assert {h.status for h in store.case_history(case.case_id)} == {EntryStatus.pending}
    store.apply_pull_page(PullResponse(events=[], acks=acks, next_cursor=2, has_more=False))
    history = store.case_history(case.case_id)
    assert [(h.status, h.central_seq) for h in history] == [
        (EntryStatus.applied, 1),
        (EntryStatus.applied, 2),
    ]
    assert store.pull_cursor() == 2


def test_an_acknowledgement_of_an_event_not_held_changes_nothing(
    service: CaseService, store: StationStore
) -> None:
    case = service.take_in(application())
    acks = _pushed(store)
    stranger = EventAck(id=new_id(), central_seq=3, status=EventStatus.applied)
    page = PullResponse(events=[], acks=[*acks, stranger], next_cursor=3, has_more=False)
    with pytest.raises(UnknownAcks):
        store.apply_pull_page(page)
    assert store.pull_cursor() == 0
    assert {h.status for h in store.case_history(case.case_id)} == {EntryStatus.pending}


def test_a_desk_write_between_two_pages_of_one_pull_is_kept(
    service: CaseService, store: StationStore
) -> None:
    case = service.take_in(application())
    acks = _pushed(store)
    store.apply_pull_page(PullResponse(events=[], acks=acks, next_cursor=2, has_more=True))
    service.act(case.case_number, EventKind.submitted)  # the desk, while the pull goes on
    (submitted,) = store.outbox_batch(200, 1 << 20)
    remote = _township_event(submitted, EventKind.rejected, 1, {"reason": "不属于本站受理范围"})
    store.apply_pull_page(PullResponse(events=[remote], next_cursor=101, has_more=False))
    ids = [h.event_id for h in store.case_history(case.case_id)]
    assert submitted.id in ids and remote.id in ids
