"""central_seq is handed out in commit order: a reader never sees N+1 before N."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, select, text
from sqlmodel import Session

from central.models import EventRow, Station
from central.services import push as push_service
from central.services.audit import verify_audit
from central.services.push import SchemaRange, apply_events
from sync.events import Event

SCHEMAS = SchemaRange(1, 1)
WRITERS = 4
BATCHES = 12


def _push(app: FastAPI, station_id: str, events: list[Event]) -> list[str]:
    with Session(app.state.engine, expire_on_commit=False) as session:
        station = session.get_one(Station, station_id)
        session.commit()
        results = apply_events(session=session, station=station, events=events, schemas=SCHEMAS)
    return [r.status.value for r in results]


def _visible_seqs(app: FastAPI) -> list[int]:
    with Session(app.state.engine) as session:
        statement = select(EventRow.central_seq).order_by(EventRow.central_seq)  # type: ignore[arg-type]
        return list(session.scalars(statement))


def test_concurrent_pushes_commit_in_sequence_order(app: FastAPI, enroll: Any) -> None:
    """Writers push in parallel; a reader polling all the while only ever sees 1..N, no holes."""
    stations = [enroll(f"6405221002{i + 1:02d}") for i in range(WRITERS)]  # one village each
    batches = {s.id: [s.new_case() + s.new_case() for _ in range(BATCHES)] for s in stations}
    done = threading.Event()
    holes: list[list[int]] = []
    snapshots = 0

    def read() -> None:
        nonlocal snapshots
        while not done.is_set():
            seqs = _visible_seqs(app)
            snapshots += 1
            first = seqs[0] if seqs else 1  # after the accounts' changes (one counter)
            if seqs != list(range(first, first + len(seqs))):
                holes.append(seqs)

    def write(station_id: str) -> None:
        for batch in batches[station_id]:
            assert _push(app, station_id, batch) == ["applied"] * 6

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(s.id,)) for s in stations]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    assert holes == []
    assert snapshots > 1
    accounts = WRITERS  # each village's 代办员, made before the pushes
    assert _visible_seqs(app) == list(range(accounts + 1, accounts + WRITERS * BATCHES * 6 + 1))
    with Session(app.state.engine) as session:
        chain = verify_audit(session=session)
    assert chain.ok and chain.entries == WRITERS * BATCHES * 6


def test_the_same_batch_pushed_concurrently_is_stored_once(app: FastAPI, enroll: Any) -> None:
    village = enroll()
    batch = village.new_case() + village.new_case()
    outcomes: list[list[str]] = []

    def write() -> None:
        outcomes.append(_push(app, village.id, batch))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [["applied"] * 6] + [["duplicate"] * 6] * 3
    seqs = _visible_seqs(app)
    assert seqs == list(range(seqs[0], seqs[0] + 6))


def _waiting_for_a_lock(app: FastAPI) -> bool:
    """Whether some transaction waits for a row lock (PostgreSQL; SQLite has one writer)."""
    with Session(app.state.engine) as session:
        waiting = session.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
        return bool(waiting.scalar_one())


def _until(condition: Callable[[], bool], done: threading.Event) -> None:
    """Poll ``condition`` until it holds or ``done`` is set (never longer than the deadline)."""
    deadline = time.monotonic() + 30
    while not condition() and not done.wait(0.01):
        assert time.monotonic() < deadline, "the second push neither waited nor finished"


def test_a_puller_never_skips_a_push_that_commits_late(app: FastAPI, enroll: Any) -> None:
    """Push A holds its numbers uncommitted while push B comes in: B may not become visible
    with higher numbers before A commits, or a puller's cursor would pass A for good."""
    first, second = enroll("640522100201"), enroll("640522100202")
    township = enroll("640522100000", role="township")
    a_batch, b_batch = first.new_case(), second.new_case()
    a_ready, a_release, b_sent, b_done = (threading.Event() for _ in range(4))
    outcomes: dict[str, list[str]] = {}

    def push_a() -> None:
        with Session(app.state.engine, expire_on_commit=False) as session:
            station = session.get_one(Station, first.id)
            session.commit()

            @event.listens_for(session, "before_commit")
            def hold(_session: Session) -> None:  # numbered and written, not yet committed
                a_ready.set()
                a_release.wait()

            results = apply_events(
                session=session, station=station, events=a_batch, schemas=SCHEMAS
            )
        outcomes["a"] = [r.status.value for r in results]

    def push_b() -> None:
        b_sent.set()
        outcomes["b"] = _push(app, second.id, b_batch)
        b_done.set()

    cursor = township.pull()["next_cursor"]
    pusher_a = threading.Thread(target=push_a)
    pusher_a.start()
    a_ready.wait()
    pusher_b = threading.Thread(target=push_b)
    pusher_b.start()
    b_sent.wait()
    if app.state.engine.dialect.name == "postgresql":  # B waits at the counter, or is done
        _until(lambda: _waiting_for_a_lock(app), b_done)
    seen: list[str] = []
    page = township.pull(after=cursor)  # while A is uncommitted
    seen += [e["id"] for e in page["events"]]
    cursor = page["next_cursor"]
    a_release.set()
    pusher_a.join()
    pusher_b.join()
    page = township.pull(after=cursor)
    seen += [e["id"] for e in page["events"]]
    assert outcomes == {"a": ["applied"] * 3, "b": ["applied"] * 3}
    assert sorted(seen) == sorted(str(e.id) for e in a_batch + b_batch)


def test_an_event_stored_after_the_look_up_is_answered_as_the_duplicate_it_is(
    app: FastAPI, enroll: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The look-up of known ids misses events another transaction stored meanwhile: the
    insert keeps the stored rows (ON CONFLICT), the push finds fewer rows stored than it
    numbered, and judges the batch again, answering each stored event as the duplicate it
    is, with its own number. Nothing is stored twice and the numbers have no hole."""
    village = enroll()
    first, second = village.new_case(), village.new_case()
    with Session(app.state.engine, expire_on_commit=False) as session:
        station = session.get_one(Station, village.id)
        session.commit()
        applied = apply_events(session=session, station=station, events=first, schemas=SCHEMAS)
    numbers = [r.central_seq for r in applied]
    real = push_service._held_events
    look_ups: list[int] = []

    def missing_at_first(connection: Any, ids: list[Any]) -> Any:
        look_ups.append(len(ids))
        return {} if len(look_ups) == 1 else real(connection, ids)

    monkeypatch.setattr(push_service, "_held_events", missing_at_first)
    with Session(app.state.engine, expire_on_commit=False) as session:
        station = session.get_one(Station, village.id)
        session.commit()
        results = apply_events(
            session=session, station=station, events=first + second, schemas=SCHEMAS
        )
    assert [r.status.value for r in results] == ["duplicate"] * 3 + ["applied"] * 3
    assert [r.central_seq for r in results[:3]] == numbers
    assert look_ups == [6, 6]  # judged again once
    seqs = _visible_seqs(app)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert seqs[-6:] == [*numbers, numbers[-1] + 1, numbers[-1] + 2, numbers[-1] + 3]
    with Session(app.state.engine) as session:
        chain = verify_audit(session=session)
    assert chain.ok and chain.entries == 6
