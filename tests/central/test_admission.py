"""Admission control: pushes a few at a time, 429 with Retry-After beyond, hello and pull
never held up; the real station client waits and retries, and a replay stays a duplicate."""

from __future__ import annotations

import asyncio
import fcntl
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import select

from central.db import write_turn
from central.services.admission import Busy, PushGate
from sync.client import CentralClient
from sync.protocol import API_PREFIX, ResultStatus

from .conftest import StationClient


def _held_gate(app: FastAPI) -> PushGate:
    """One slot and no waiting, so the test can hold the only slot itself."""
    gate = app.state.push_gate = PushGate(slots=1, wait_s=0.0)
    return gate


def _body(events: list[Any]) -> dict[str, Any]:
    return {"events": [e.model_dump(mode="json") for e in events]}


def test_a_push_beyond_the_bound_is_429_with_retry_after_and_applies_nothing(
    app: FastAPI, client: TestClient, enroll: Any
) -> None:
    village: StationClient = enroll()
    events = village.new_case()
    with _held_gate(app).admitted():
        busy = client.post(f"{API_PREFIX}/push", json=_body(events), headers=village.headers)
        # hello and pull do not wait behind pushes
        hello = client.post(
            f"{API_PREFIX}/hello",
            json={"software_version": "t", "schema_version": 1, "outbox_depth": 3},
            headers=village.headers,
        )
        pulled = village.pull()
    assert busy.status_code == 429
    assert int(busy.headers["Retry-After"]) >= 1
    assert hello.status_code == 200
    assert pulled["events"] == []
    assert village.pull()["events"] == []  # nothing of the refused batch was kept
    results = village.push(events)  # the station's retry, once the slot is free
    assert [r["status"] for r in results] == ["applied"] * 3
    replay = village.push(events)
    assert [r["status"] for r in replay] == ["duplicate"] * 3
    assert len(village.pull()["events"]) == 3


def test_the_station_client_waits_out_a_busy_centre_with_jitter(
    app: FastAPI, client: TestClient, enroll: Any
) -> None:
    village: StationClient = enroll()
    events = village.new_case()
    gate = _held_gate(app)
    slot = gate.admitted()
    slot.__enter__()
    waits: list[float] = []

    def wait(seconds: float) -> None:  # the centre frees its slot while the station waits
        waits.append(seconds)
        if len(waits) == 2:
            slot.__exit__(None, None, None)

    station = CentralClient(
        "http://testserver", village.credential.token, transport=client._transport, sleep=wait
    )
    answer = station.push(events)
    assert [r.status for r in answer.results] == [ResultStatus.applied] * 3
    retry_after = app.state.settings.push_retry_after_s
    assert len(waits) == 2
    assert all(retry_after <= w <= retry_after + max(retry_after / 2, 1.0) for w in waits)
    assert len(set(waits)) == 2  # jittered: a county's stations do not come back together
    assert [r.status for r in station.push(events).results] == [ResultStatus.duplicate] * 3


def test_sqlite_writers_take_turns_through_one_lock_every_worker_shares(app: FastAPI) -> None:
    engine = app.state.engine
    if engine.dialect.name != "sqlite":  # PostgreSQL wakes lock waiters itself: no file
        with write_turn(engine):
            assert not list(Path(app.state.settings.data_dir).glob("*.write-turn"))
        return
    turn = Path(f"{engine.url.database}.write-turn")
    with write_turn(engine), turn.open("a+b") as other_worker:
        with pytest.raises(BlockingIOError):  # another process's writer must wait its turn
            fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)
    with turn.open("a+b") as other_worker:
        fcntl.flock(other_worker, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again after the block


def test_pushes_waiting_for_a_slot_hold_no_request_thread(
    app: FastAPI, client: TestClient, enroll: Any
) -> None:
    """More pushes wait than the worker has request threads (40), and hello and pull
    still answer at once: the waits are on the event loop, not in threads."""
    village: StationClient = enroll()
    gate = app.state.push_gate = PushGate(slots=1, wait_s=120.0)
    cases = [village.new_case() for _ in range(45)]
    slot = gate.admitted()
    slot.__enter__()
    with ThreadPoolExecutor(len(cases)) as pool:
        pushes = [pool.submit(village.push, events) for events in cases]
        try:
            assert gate.wait_until(len(cases), timeout=60.0), gate.waiting
            hello = client.post(
                f"{API_PREFIX}/hello",
                json={"software_version": "t", "schema_version": 1, "outbox_depth": 135},
                headers=village.headers,
            )
            pulled = village.pull()
            still_waiting = gate.waiting  # answered while every push still waited
        finally:
            slot.__exit__(None, None, None)
        results = [push.result(timeout=120) for push in pushes]
    assert hello.status_code == 200
    assert pulled["events"] == []
    assert still_waiting == len(cases)
    assert all([r["status"] for r in batch] == ["applied"] * 3 for batch in results)
    assert len(village.pull()["events"]) == 3 * len(cases)


async def test_a_slot_goes_to_the_first_waiter_and_a_timed_out_one_is_told_busy() -> None:
    gate = PushGate(slots=1, wait_s=30.0)
    order: list[int] = []
    release = asyncio.Event()

    async def push(n: int) -> None:
        async with gate.admitted_async():
            order.append(n)
            if n == 0:
                await release.wait()

    first = asyncio.create_task(push(0))
    await asyncio.sleep(0)  # let the first take the slot
    waiting = [asyncio.create_task(push(n)) for n in (1, 2, 3)]
    while gate.waiting < 3:
        await asyncio.sleep(0)
    gate.wait_s = 0.0
    with pytest.raises(Busy):  # no slot free, no wait allowed
        async with gate.admitted_async():
            pass
    assert gate.waiting == 3  # the one told busy left the queue
    waiting[1].cancel()  # a cancelled waiter leaves the queue without losing the slot
    release.set()
    await asyncio.gather(first, waiting[0], waiting[2], return_exceptions=True)
    assert order == [0, 1, 3]
    assert gate.waiting == 0
    async with gate.admitted_async():  # the slot came back
        assert gate.waiting == 0


def test_hellos_at_once_are_each_recorded(app: FastAPI, client: TestClient, enroll: Any) -> None:
    """The 9 a.m. hellos are written in groups (one commit for many): every station's
    report still lands on its own row, and each is answered."""
    from sqlmodel import Session

    from central.models import Station

    stations: list[StationClient] = [
        enroll(division=f"640522100{201 + n:03d}", name=f"站{n}") for n in range(24)
    ]

    def hello(n: int) -> int:
        body = {"software_version": "t", "schema_version": 1, "outbox_depth": 100 + n}
        answer = client.post(f"{API_PREFIX}/hello", json=body, headers=stations[n].headers)
        return answer.status_code

    with ThreadPoolExecutor(len(stations)) as pool:
        codes = list(pool.map(hello, range(len(stations))))
    assert codes == [200] * len(stations)
    with Session(app.state.engine) as db:
        depths = {s.id: s.outbox_depth for s in db.exec(select(Station)).all()}
    assert [depths[s.id] for s in stations] == [100 + n for n in range(len(stations))]


def test_hellos_commit_without_a_disk_flush_and_leave_every_connection_durable(
    app: FastAPI, client: TestClient, enroll: Any
) -> None:
    """A hello's record (last contact, its figures) is committed without waiting for the
    disk; the connection it used is durable again before anything else (a push) uses it."""
    from contextlib import ExitStack

    engine = app.state.engine
    sqlite = engine.dialect.name == "sqlite"
    stations: list[StationClient] = [
        enroll(division=f"640522100{201 + n:03d}", name=f"站{n}") for n in range(12)
    ]
    relaxed: list[object] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "synchronous" in statement and ("NORMAL" in statement or "OFF" in statement):
            relaxed.append(statement)

    def hello(n: int) -> int:
        body = {"software_version": "t", "schema_version": 1, "outbox_depth": n}
        return client.post(
            f"{API_PREFIX}/hello", json=body, headers=stations[n].headers
        ).status_code

    try:
        with ThreadPoolExecutor(len(stations)) as pool:
            assert list(pool.map(hello, range(len(stations)))) == [200] * len(stations)
    finally:
        event.remove(engine, "before_cursor_execute", _seen)
    assert relaxed, "the hellos' commits were not relaxed"
    with ExitStack() as stack:  # every connection the pool holds, at once
        connections = [
            stack.enter_context(engine.connect()) for _ in range(engine.pool.checkedin())
        ]
        for connection in connections:
            if sqlite:
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 2  # FULL
            else:
                assert connection.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
