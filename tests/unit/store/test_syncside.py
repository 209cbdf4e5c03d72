"""The store's side of sync: the outbox, acknowledgements and pull pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from station.services.cases import CaseService
from station.store import StationStore, eventlog
from station.store.db import reading
from sync.events import Event, EventKind, EventStatus, RecordedEvent, Role
from sync.ids import new_id
from sync.protocol import AccountRecord, EventResult, PullResponse, ResultStatus
from tests.unit.store.conftest import application


def _result(
    event: Event, status: ResultStatus, seq: int | None, reason: str | None = None
) -> EventResult:
    return EventResult(id=str(event.id), status=status, central_seq=seq, reason=reason)


def _recorded(
    event: Event, seq: int, status: EventStatus = EventStatus.applied, reason: str | None = None
) -> RecordedEvent:
    return RecordedEvent(**event.model_dump(), central_seq=seq, status=status, reason=reason)


def _township_event(case: Event, kind: EventKind, seq: int, payload: dict) -> RecordedEvent:
    return RecordedEvent(
        id=new_id(),
        case_id=case.case_id,
        case_number=case.case_number,
        division=case.division,
        kind=kind,
        station_id="st-township",
        station_seq=seq,
        base_version=3,
        actor_id="u-reviewer",
        actor_role=Role.reviewer,
        device_time=datetime.now(UTC),
        payload=payload,
        central_seq=100 + seq,
    )


def test_acknowledged_events_leave_the_outbox_and_never_come_back(
    service: CaseService, store: StationStore
) -> None:
    service.take_in(application())
    batch = store.outbox_batch(200, 1 << 20)
    results = [_result(e, ResultStatus.applied, i + 1) for i, e in enumerate(batch)]
    store.acknowledge(results)
    assert store.outbox_depth() == 0
    # a replayed answer (say "duplicate") changes nothing: acknowledgement is monotonic
    store.acknowledge([_result(e, ResultStatus.duplicate, None) for e in batch])
    assert store.outbox_batch(200, 1 << 20) == []


def test_a_rejected_event_stays_but_does_not_block_the_ones_behind(
    service: CaseService, store: StationStore
) -> None:
    first = service.take_in(application(serial=1))
    service.take_in(application(serial=2))
    batch = store.outbox_batch(1, 1 << 20)
    assert len(batch) == 1
    store.acknowledge([_result(batch[0], ResultStatus.rejected, None, "wrong station")])
    rest = store.outbox_batch(200, 1 << 20)
    assert [e.station_seq for e in rest] == [2, 3, 4]
    history = store.case_history(first.case_id)
    assert [(h.kind.value, h.status.value, h.reason) for h in history][0] == (
        "created",
        "superseded",
        "wrong station",
    )


def test_outbox_batch_respects_the_byte_limit(service: CaseService, store: StationStore) -> None:
    service.take_in(application())
    assert len(store.outbox_batch(200, 10)) == 1  # always at least one


def test_a_pull_page_is_applied_once_with_its_cursor_and_accounts(
    service: CaseService, store: StationStore
) -> None:
    case = service.take_in(application())
    service.act(case.case_number, EventKind.submitted)
    created, received, submitted = store.outbox_batch(200, 1 << 20)
    store.acknowledge(
        [
            _result(e, ResultStatus.applied, i + 1)
            for i, e in enumerate((created, received, submitted))
        ]
    )
    accepted = _township_event(created, EventKind.accepted, 1, {})
    account = AccountRecord(
        user_id="u-agent",
        username="wang",
        display_name="王代办",
        role=Role.agent,
        division="640522100201",
        password_hash="$argon2id$x",
        updated_at=datetime.now(UTC),
    )
    page = PullResponse(
        events=[_recorded(created, 1), _recorded(received, 2), _recorded(submitted, 3), accepted],
        next_cursor=101,
        has_more=False,
        accounts=[account],
    )
    store.apply_pull_page(page)
    store.apply_pull_page(page)  # replayed: nothing changes
    view = store.get_case(case.case_number)
    assert view is not None and view.state == "accepted"
    assert len(view.history) == 4
    assert store.pull_cursor() == 101
    assert store.find_account("wang") == account


def test_an_own_event_superseded_at_the_centre_flags_the_case(
    service: CaseService, store: StationStore
) -> None:
    case = service.take_in(application())
    service.act(case.case_number, EventKind.submitted)
    created, received, submitted = store.outbox_batch(200, 1 << 20)
    store.acknowledge(
        [
            _result(e, ResultStatus.applied, i + 1)
            for i, e in enumerate((created, received, submitted))
        ]
    )
    rejected = _township_event(created, EventKind.rejected, 1, {"reason": "不属于本站受理范围"})
    store.apply_pull_page(
        PullResponse(
            events=[
                _recorded(created, 1),
                _recorded(received, 2),
                _recorded(submitted, 3),
                rejected,
            ],
            next_cursor=101,
            has_more=False,
        )
    )
    assert store.get_case(case.case_number).state == "rejected"  # type: ignore[union-attr]
    assert store.list_cases(flagged=True) == []
    # our withdrawal raced the rejection: the centre kept it as superseded
    withdrawal = Event(
        **{
            **created.model_dump(),
            "id": new_id(),
            "kind": EventKind.withdrawn,
            "station_seq": 4,
            "base_version": 3,
            "payload": {"reason": "申请人撤回"},
        }
    )
    page = PullResponse(
        events=[
            _recorded(
                withdrawal, 102, EventStatus.superseded, "not allowed while the case is rejected"
            )
        ],
        next_cursor=102,
        has_more=False,
    )
    store.apply_pull_page(page)
    (flagged,) = store.list_cases(flagged=True)
    assert flagged.case_number == case.case_number
    last = store.case_history(case.case_id)[-1]
    assert (last.status.value, last.reason) == (
        "superseded",
        "not allowed while the case is rejected",
    )


def test_attachments_are_queued_with_the_event_and_leave_the_queue_once_uploaded(
    service: CaseService, store: StationStore, tmp_path: Path
) -> None:
    scan = tmp_path / "户口簿.jpg"
    scan.write_bytes(b"\xff\xd8scan" * 1000)
    attachment = service.attach(scan, "hukou")
    assert store.blob_path(attachment.sha256).read_bytes() == scan.read_bytes()
    application_with_scan = application().model_copy(update={"attachments": [attachment]})
    service.take_in(application_with_scan)
    (queued,) = store.pending_blobs(10)
    assert (queued.sha256, queued.size, queued.name) == (attachment.sha256, 6000, "户口簿.jpg")
    store.mark_blob_uploaded(attachment.sha256)
    assert store.pending_blobs(10) == []


def _explain(store: StationStore, statement: object) -> str:
    compiled = statement.compile(dialect=sqlite.dialect())  # type: ignore[attr-defined]
    with reading(store.engine) as conn:
        plan = conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())
        )
        return " ".join(str(row[-1]) for row in plan)


def test_the_outbox_index_holds_only_unsent_events_and_the_outbox_reads_through_it(
    service: CaseService, store: StationStore
) -> None:
    service.take_in(application(serial=1))
    station_id = store.require_identity().station_id
    assert "ix_events_outbox" in _explain(
        store, eventlog.OUTBOX_QUERY.params(own=station_id, after=0, limit=200)
    )
    indexed = (
        "SELECT count(*) FROM events INDEXED BY ix_events_outbox WHERE " + eventlog.OUTBOX_WHERE
    )
    with reading(store.engine) as conn:
        assert conn.execute(text(indexed)).scalar_one() == 2
    batch = store.outbox_batch(200, 1 << 20)
    store.acknowledge([_result(e, ResultStatus.applied, i + 1) for i, e in enumerate(batch)])
    with reading(store.engine) as conn:
        assert conn.execute(text(indexed)).scalar_one() == 0
    service.take_in(application(serial=2))
    assert [e.station_seq for e in store.outbox_batch(200, 1 << 20)] == [3, 4]


def test_acked_at_is_kept_only_for_events_the_centre_refused(
    service: CaseService, store: StationStore
) -> None:
    service.take_in(application(serial=1))
    first, second = store.outbox_batch(200, 1 << 20)
    store.acknowledge(
        [
            _result(first, ResultStatus.applied, 1),
            _result(second, ResultStatus.superseded, 2, "state moved on"),
        ]
    )
    with reading(store.engine) as conn:
        rows = conn.execute(text("SELECT status, acked_at FROM events ORDER BY station_seq"))
        (applied, applied_at), (superseded, superseded_at) = rows.all()
    assert (applied, applied_at) == ("applied", None)
    assert superseded == "superseded" and superseded_at
    assert store.case_history(first.case_id)[-1].reason == "state moved on"


def test_a_pulled_event_s_payload_is_stored_as_compact_utf8_json_that_reads_back_the_same(
    service: CaseService, store: StationStore
) -> None:
    service.take_in(application())
    (created, _received) = store.outbox_batch(200, 1 << 20)
    payload = {  # as the centre sends it (stored whatever the reducer makes of it)
        "note": '材料齐全，请于“周一”来取\n"证件"',
        "fee": 12.5,
        "tiny": 1e-07,
        "items": [{"名称": "户口簿", "份数": 1}, None, True],
    }
    returned = _township_event(created, EventKind.returned, 1, payload)
    store.apply_pull_page(PullResponse(events=[returned], next_cursor=101, has_more=False))
    with reading(store.engine) as conn:
        stored = conn.execute(
            text("SELECT payload FROM events WHERE id = :id"), {"id": returned.id.hex}
        ).scalar_one()
    assert json.loads(stored) == payload
    assert "材料齐全" in stored and "户口簿" in stored  # UTF-8 as is, not \\u escapes
    assert ", " not in stored and ": " not in stored  # no spaces between items


def test_the_outbox_goes_case_by_case_each_case_with_its_later_events(
    service: CaseService, store: StationStore
) -> None:
    """Three cases taken in (numbers 1 to 6), then submitted (7, 8, 9), as a desk that took
    them in offline submits them at its sync: each batch holds whole cases, case by case
    (each 提交 after its 收件), read up to the first event of a case it does not hold."""
    cases = [service.take_in(application(serial=serial)) for serial in (1, 2, 3)]
    for case in cases:
        service.act(case.case_number, EventKind.submitted)
    first, cursor = store.outbox_cases(4, 1 << 20)
    assert ([e.station_seq for e in first], cursor) == ([1, 2, 7], 2)
    in_flight = frozenset(e.id for e in first)
    second, cursor = store.outbox_cases(4, 1 << 20, cursor, in_flight)
    assert ([e.station_seq for e in second], cursor) == ([3, 4, 8], 4)
    assert {e.case_id for e in second} == {cases[1].case_id}
    # the first batch answered: its events leave the outbox, the third case comes whole
    store.acknowledge([_result(e, ResultStatus.applied, i + 1) for i, e in enumerate(first)])
    third, cursor = store.outbox_cases(200, 1 << 20, cursor, frozenset(e.id for e in second))
    assert ([e.station_seq for e in third], cursor) == ([5, 6, 9], 9)
    assert store.outbox_cases(200, 1 << 20, cursor) == ([], 9)
    # from the start, what is not answered yet: the second and third cases, whole
    again, _ = store.outbox_cases(200, 1 << 20)
    assert [e.station_seq for e in again] == [3, 4, 8, 5, 6, 9]
    station_id = store.require_identity().station_id
    tails = eventlog.OUTBOX_TAILS.params(own=station_id, above=4, cases='["a"]')
    assert "ix_events_case_id" in _explain(store, tails)


def test_an_outbox_that_fills_one_batch_exactly_reads_no_later_events(
    service: CaseService, store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window that holds the rest of the outbox (the row after it is not there) reads no
    tails: a sync of a few cases makes one statement for its batch."""
    for serial in (1, 2):
        service.take_in(application(serial=serial))
    tails: list[int] = []
    read = eventlog.outbox_tails
    monkeypatch.setattr(
        eventlog, "outbox_tails", lambda *args: tails.append(args[-1]) or read(*args)
    )
    batch, cursor = store.outbox_cases(4, 1 << 20)  # exactly the four events waiting
    assert ([e.station_seq for e in batch], cursor, tails) == ([1, 2, 3, 4], 4, [])
    batch, cursor = store.outbox_cases(3, 1 << 20)  # one more waits: its case is read
    assert ([e.station_seq for e in batch], cursor, tails) == ([1, 2], 2, [3])
