"""The real station client (sync.client) against a real uvicorn on loopback.

One in-process server for the wire contract (gzip JSON, resumable blobs,
bundles); and, on PostgreSQL, two uvicorn worker processes taking concurrent
pushes while a reader checks that sequence numbers only ever appear in order.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text

from sync.blobs import CHUNK_BYTES
from sync.bundle import write_bundle
from sync.client import CentralClient
from sync.client import enroll as enroll_station
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import StationClient, account_maker
from tests.ports import free_port


class _Server(uvicorn.Server):
    """A uvicorn server that says when it is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        self.ready.set()


@pytest.fixture
def live_url(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(30), "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_the_station_client_talks_to_the_centre(
    live_url: str, session: Any, tmp_path: Path
) -> None:
    from central.services.stations import enroll_code

    code = enroll_code(
        session=session, division="640522100201", name="杨河村", role="village", ttl_minutes=5
    )
    credential = enroll_station(live_url, code, "desk-1")
    station = StationClient(None, credential, account_maker(session))  # type: ignore[arg-type]
    with CentralClient(live_url, credential.token, sleep=lambda _s: None) as client:
        hello = client.hello(software_version="0.1.0", schema_version=1, outbox_depth=3)
        assert hello.station_id == credential.station_id

        events = station.new_case()
        assert [r.status.value for r in client.push(events).results] == ["applied"] * 3
        assert [r.status.value for r in client.push(events).results] == ["duplicate"] * 3

        scan = tmp_path / "scan.bin"
        scan.write_bytes(os.urandom(2 * CHUNK_BYTES + 17))
        sha = hashlib.sha256(scan.read_bytes()).hexdigest()
        status = client.upload_blob(scan, sha)
        assert status.complete and status.received == scan.stat().st_size

        page = client.pull(0)
        assert [e.id for e in page.events] == [e.id for e in events]

        later = station.event(EventKind.created)
        bundle = write_bundle(
            tmp_path / "out.daiban",
            station_id=credential.station_id,
            direction="outbox",
            events=[later],
            blob_paths={},
            signing_key=credential.signing_key,
        )
        result = client.upload_bundle(bundle.path.read_bytes())
        assert [r.status.value for r in result.results] == ["applied"]


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_hand_out_sequences_in_commit_order(pg_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DAIBAN_CENTRAL_DB_URL": pg_url,
        "DAIBAN_CENTRAL_DATA_DIR": str(tmp_path / "central"),
        "DAIBAN_CENTRAL_SECRET_KEY": "live-test-secret-0123456789",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "central.app:app_from_env",
        "--factory",
        "--workers",
        "2",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        _concurrent_pushes(base, pg_url)
    finally:
        server.terminate()
        server.wait(20)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.post(f"{base}{API_PREFIX}/hello", json={}).status_code in (401, 422):
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the central did not come up")


def _concurrent_pushes(base: str, pg_url: str) -> None:
    from sqlmodel import Session

    from central.db import make_engine
    from central.services.stations import enroll_code

    engine = make_engine(pg_url)
    stations = []
    for number in range(1, 5):  # one active station per village
        with Session(engine) as session:
            code = enroll_code(
                session=session,
                division=f"6405221002{number:02d}",
                name="村",
                role="village",
                ttl_minutes=5,
            )
            credential = enroll_station(base, code, "desk")
            station = StationClient(None, credential, account_maker(session))  # type: ignore[arg-type]
            station.actor(Role.agent)  # its 代办员's account, made before the writers start
        stations.append(station)
    engine.dispose()
    reader_engine = create_engine(pg_url)
    done, holes, pushed = threading.Event(), [], []

    def read() -> None:
        with reader_engine.connect() as connection:
            while not done.is_set():
                seqs = list(
                    connection.execute(text("SELECT central_seq FROM event ORDER BY 1")).scalars()
                )
                connection.commit()
                first = seqs[0] if seqs else 1  # after the accounts' changes (one counter)
                if seqs != list(range(first, first + len(seqs))):
                    holes.append(seqs)

    def write(station: StationClient) -> None:
        with CentralClient(base, station.credential.token) as client:
            for _ in range(10):
                results = client.push(station.new_case() + station.new_case()).results
                pushed.extend(r.status.value for r in results)

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(s,)) for s in stations]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    reader_engine.dispose()
    assert pushed == ["applied"] * 240
    assert holes == []
