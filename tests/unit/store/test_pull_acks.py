"""Applying pull pages that acknowledge our own events instead of carrying them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from station.services.cases import CaseService
from station.store import StationStore, projection
from station.store.db import reading
from station.store.tables import CASES
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


def _stored_rows(store: StationStore) -> list[tuple[object, ...]]:
    with reading(store.engine) as conn:
        return [tuple(row) for row in conn.execute(select(CASES).order_by(CASES.c.case_id))]


def _rebuilt_rows(store: StationStore) -> list[tuple[object, ...]]:
    """The cases rows a full rebuild from the event rows writes (rolled back after reading)."""
    with store.engine.connect() as conn, conn.begin() as transaction:
        ids = [case_id for (case_id,) in conn.execute(select(CASES.c.case_id))]
        projection.refold_many(conn, ids)
        rows = [tuple(row) for row in conn.execute(select(CASES).order_by(CASES.c.case_id))]
        transaction.rollback()
    return rows


def test_acknowledged_cases_are_stored_as_a_rebuild_stores_them(
    service: CaseService, store: StationStore
) -> None:
    """The pullback settles stored views in their text: the rows must be a rebuild's, byte
    for byte, also for a case with an event written after the push (still pending)."""
    first = service.take_in(application("张三丰", 1))
    second = service.take_in(application("李四", 2))
    acks = _pushed(store)
    service.act(second.case_number, EventKind.submitted)  # not pushed: stays pending
    store.apply_pull_page(PullResponse(events=[], acks=acks, next_cursor=4, has_more=False))
    rows = _stored_rows(store)
    assert rows == _rebuilt_rows(store)
    history = store.case_history(second.case_id)
    assert [(h.status, h.central_seq) for h in history] == [
        (EntryStatus.applied, 3),
        (EntryStatus.applied, 4),
        (EntryStatus.pending, None),
    ]
    assert {h.status for h in store.case_history(first.case_id)} == {EntryStatus.applied}


def test_an_acknowledgement_of_a_superseded_event_rebuilds_the_case(
    service: CaseService, store: StationStore
) -> None:
    case = service.take_in(application())
    acks = _pushed(store)
    refused = acks[1].model_copy(
        update={"status": EventStatus.superseded, "reason": "not allowed in this state"}
    )
    page = PullResponse(events=[], acks=[acks[0], refused], next_cursor=2, has_more=False)
    store.apply_pull_page(page)
    assert store.last_page is not None and store.last_page.superseded == 1
    history = store.case_history(case.case_id)
    assert [h.status for h in history] == [EntryStatus.applied, EntryStatus.superseded]
    assert history[1].reason == "not allowed in this state"
    assert _stored_rows(store) == _rebuilt_rows(store)


def test_a_page_acknowledged_twice_changes_nothing_more(
    service: CaseService, store: StationStore
) -> None:
    """A crash after the commit and a pull of the same page again (replay)."""
    service.take_in(application())
    acks = _pushed(store)
    page = PullResponse(events=[], acks=acks, next_cursor=2, has_more=False)
    store.apply_pull_page(page)
    rows = _stored_rows(store)
    store.apply_pull_page(page)
    assert store.last_page is not None and store.last_page.cases == 0
    assert _stored_rows(store) == rows


@pytest.mark.parametrize(
    ("times", "latest"),
    [
        (
            ["2026-12-01T09:00:00+00:00", "2026-12-01T10:00:00.5+00:00"],
            "2026-12-01T10:00:00.500000+00:00",
        ),
        # mixed offsets: the greatest text, as it always was (not the latest moment)
        (["2026-12-01T10:00:00+00:00", "2026-12-01T15:00:00+08:00"], "2026-12-01T15:00:00+08:00"),
    ],
)
def test_a_cases_row_is_updated_at_its_greatest_device_time_text(
    service: CaseService, store: StationStore, times: list[str], latest: str
) -> None:
    view = service.take_in(application())
    history = tuple(
        entry.model_copy(update={"device_time": datetime.fromisoformat(moment)})
        for entry, moment in zip(view.history, times, strict=True)
    )
    row = projection.case_row(view.model_copy(update={"history": history}), key=b"k" * 32)
    assert row["updated_at"] == latest
