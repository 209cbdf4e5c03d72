"""Admission control: pushes a few at a time, 429 with Retry-After beyond, hello and pull
never held up; the real station client waits and retries, and a replay stays a duplicate."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from central.db import write_turn
from central.services.admission import PushGate
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
