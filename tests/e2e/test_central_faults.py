"""kill -9 the CENTRAL (a real ``daiban central serve``) and make it refuse: nothing lost or doubled.

The central kills itself with SIGKILL at a test-only fault point
(``DAIBAN_CENTRAL_FAULT``, see ``central.faults``): after a push transaction
committed but before its answer, after a pull page was queried but before it
was written, after some chunks of a resumable blob upload were stored. Each
time it is restarted on the same data directory / database and the station
syncs again. The station syncs in-process through the real engine, store and
``CentralClient`` over loopback HTTP; only the client's retry waits are
recorded instead of slept.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from daiban.cli import app
from station.services.syncing import sync_now
from station.store import StationIdentity, StationStore
from sync.blobs import CHUNK_BYTES, store_blob
from sync.client import CentralClient
from sync.engine import SyncReport
from sync.errors import CentralRefused, CentralUnreachable
from sync.events import Role
from tests.e2e.conftest import (
    DAIBAN,
    START_DEADLINE_S,
    VILLAGE,
    Central,
    Station,
    _free_port,
    _wait_until_up,
    enrolled_station,
    invoke,
    write_cases,
)

pytestmark = pytest.mark.slow  # real central processes, killed and restarted


class _Recording(httpx.HTTPTransport):
    """A real transport that remembers the offset of every blob chunk sent."""

    def __init__(self) -> None:
        super().__init__()
        self.put_offsets: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            self.put_offsets.append(int(request.url.params["offset"]))
        return super().handle_request(request)


@dataclass
class CentralProcess:
    """A ``daiban central serve`` that can be started with a fault, killed and restarted."""

    data_dir: Path
    db_args: tuple[str, ...]
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def central(self) -> Central:
        return Central(url=self.url, data_dir=self.data_dir, db_args=self.db_args)

    def start(self, fault: str | None = None) -> None:
        """Serve on the same port, data directory and database as before."""
        env = {k: v for k, v in os.environ.items() if k != "DAIBAN_CENTRAL_FAULT"}
        if fault:
            env["DAIBAN_CENTRAL_FAULT"] = fault
        log = self.data_dir / "serve.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(DAIBAN), "central", "serve", "--port", str(self.port)]
                + ["--data-dir", str(self.data_dir), *self.db_args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        _wait_until_up(self.url, self.process, log)

    def assert_killed(self) -> None:
        """The fault point was reached: the central died of SIGKILL."""
        assert self.process is not None
        assert self.process.wait(timeout=START_DEADLINE_S) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _central_process(data_dir: Path, db_args: tuple[str, ...]) -> Iterator[CentralProcess]:
    invoke("central", "init", "--data-dir", str(data_dir), *db_args)
    proc = CentralProcess(data_dir, db_args)
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_central(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CentralProcess]:
    """A stopped central on SQLite or PostgreSQL (the test starts it, with its fault)."""
    db_args: tuple[str, ...] = ()
    if request.param == "postgres":
        db_args = ("--db", request.getfixturevalue("pg_url"))
    yield from _central_process(tmp_path / "county", db_args)


@pytest.fixture
def sqlite_central_process(tmp_path: Path) -> Iterator[CentralProcess]:
    """A stopped central on SQLite (the test starts it, with its fault)."""
    yield from _central_process(tmp_path / "county", ())


@dataclass
class NoWait:
    """The client's retry waits, recorded instead of slept."""

    waits: list[float] = field(default_factory=list)

    def client(
        self, identity: StationIdentity, transport: httpx.BaseTransport | None = None
    ) -> CentralClient:
        return CentralClient(
            identity.central_url,
            identity.token,
            retries=3,
            sleep=self.waits.append,
            transport=transport,
        )


def _village(
    proc: CentralProcess, tmp_path: Path, cases: int
) -> tuple[Station, StationStore, list[str]]:
    """An enrolled village station with ``cases`` cases taken in (not yet synced)."""
    station = enrolled_station(proc.central, tmp_path / "village", VILLAGE, "杨郎村", "village")
    imported = station.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", cases)))
    assert imported["imported"] == cases
    return station, StationStore.open(station.data_dir), imported["case_numbers"]


def _sync(store: StationStore, waits: NoWait, transport: httpx.BaseTransport | None = None) -> Any:
    return sync_now(store, client_factory=lambda identity: waits.client(identity, transport))


def _sync_fails(store: StationStore, waits: NoWait) -> CentralUnreachable:
    with pytest.raises(CentralUnreachable) as failed:
        _sync(store, waits)
    return failed.value


def _assert_held_once(central: Central, station: Station, events: int) -> dict[str, Any]:
    held = central.reconcile()[station.station_id]
    assert (held["events"], held["max_station_seq"]) == (events, events)
    assert (held["gaps"], held["duplicates"], held["sequence_conflicts"]) == ([], 0, 0)
    return held


def _history(station: Station, case_number: str) -> list[tuple[str, str]]:
    return [(h["kind"], h["status"]) for h in station.cli("case", "show", case_number)["history"]]


def test_killed_after_the_push_commit_the_resent_batch_is_recognised(
    any_db_central: CentralProcess, tmp_path: Path
) -> None:
    proc = any_db_central
    proc.start(fault="after_push_commit")
    station, store, numbers = _village(proc, tmp_path, cases=5)
    waits = NoWait()

    error = _sync_fails(store, waits)

    proc.assert_killed()
    assert "cannot be reached" in str(error)
    assert waits.waits, "the lost answer was retried before giving up"
    # The centre committed all 15 events; the station never heard, so it keeps them all.
    assert _assert_held_once(proc.central, station, 15)["duplicate_pushes"] == 0
    assert store.outbox_depth() == 15

    proc.start()
    report = _sync(store, waits)

    assert (report.pushed, report.duplicates, report.applied, report.pending) == (15, 15, 0, 0)
    held = _assert_held_once(proc.central, station, 15)
    assert (held["cases"], held["duplicate_pushes"]) == (5, 15)
    assert store.outbox_depth() == 0
    # its own events come back as acknowledgements, not in full, and settle every entry
    assert report.pulled == 0
    for number in numbers:
        assert [status for _, status in _history(station, number)] == ["applied"] * 3


def test_killed_after_the_enrollment_commit_the_same_code_enrolls_the_pc_once(
    sqlite_central_process: CentralProcess, tmp_path: Path
) -> None:
    """The centre spent the code and stored the station, then its answer was lost: the
    station's retries and the agent's second try were told the code was used, and the
    county held a station nobody could sync as."""
    proc = sqlite_central_process
    proc.start(fault="after_enroll_commit")
    code = proc.central.enroll_code(VILLAGE, "杨郎村", "village")
    station = Station(tmp_path / "village")
    enroll = ("station", "enroll", "--central", proc.url, "--code", code)
    args = (*enroll, "--data-dir", str(station.data_dir), "--json")

    failed = CliRunner().invoke(app, list(args))

    proc.assert_killed()
    assert failed.exit_code != 0 and _identity(station) is None
    assert "网络恢复后，用同一个注册码再注册一次即可" in failed.output
    proc.start()
    station.station_id = station.cli(*enroll)["station_id"]  # the same code, typed again

    (held,) = proc.central.cli("stations")["stations"]  # one, the one the PC holds
    assert held["station"] == station.station_id and not held.get("revoked_at")
    station.sign_up("agent-201", Role.agent, VILLAGE, proc.central)
    imported = station.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 2)))
    store = StationStore.open(station.data_dir)
    try:
        report = _sync(store, NoWait())
    finally:
        store.close()
    assert (report.pushed, report.pending) == (6, 0)
    assert len(imported["case_numbers"]) == 2
    _assert_held_once(proc.central, station, 6)


def test_an_enrollment_answered_503_after_its_commit_is_resent_and_answered_again(
    sqlite_central_process: CentralProcess, tmp_path: Path
) -> None:
    """The centre (or a proxy in front of it) took the code and answered 503: the client's
    own resend, within the one command, is answered with the credential."""
    proc = sqlite_central_process
    proc.start(fault="after_enroll_commit:5xx:1")
    code = proc.central.enroll_code(VILLAGE, "杨郎村", "village")
    station = Station(tmp_path / "village")

    station.station_id = station.cli("station", "enroll", "--central", proc.url, "--code", code)[
        "station_id"
    ]

    (held,) = proc.central.cli("stations")["stations"]
    assert held["station"] == station.station_id == _identity(station)
    station.sign_up("agent-201", Role.agent, VILLAGE, proc.central)
    station.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 1)))
    store = StationStore.open(station.data_dir)
    try:
        assert _sync(store, NoWait()).pending == 0
    finally:
        store.close()


def _identity(station: Station) -> str | None:
    """The station id the PC holds (None: not enrolled)."""
    store = StationStore.open(station.data_dir)
    try:
        identity = store.identity()
    finally:
        store.close()
    return identity.station_id if identity else None


def test_killed_mid_pull_page_the_page_is_pulled_again_and_applied_once(
    sqlite_central_process: CentralProcess, tmp_path: Path
) -> None:
    proc = sqlite_central_process
    proc.start(fault="mid_pull_page")
    station, store, numbers = _village(proc, tmp_path, cases=3)
    waits = NoWait()

    _sync_fails(store, waits)

    proc.assert_killed()
    # The push and the page go in one request (POST /sync): the centre died reading the
    # page after the push had committed, so the station heard of neither.
    assert store.outbox_depth() == 9
    assert store.pull_cursor() == 0  # no page arrived: the cursor did not move
    _assert_held_once(proc.central, station, 9)
    proc.start()
    report = _sync(store, waits)

    # the nine again, answered as duplicates; the page again, once: its own nine as
    # acknowledgements (nothing pulled in full)
    assert (report.pushed, report.duplicates, report.pulled, report.pending) == (9, 9, 0, 0)
    newest = max(
        h["central_seq"] for n in numbers for h in station.cli("case", "show", n)["history"]
    )
    assert store.pull_cursor() == newest  # past its own nine (and any account change before)
    _assert_held_once(proc.central, station, 9)
    for number in numbers:
        assert [status for _, status in _history(station, number)] == ["applied"] * 3


def test_killed_mid_blob_the_upload_resumes_where_it_stopped(
    sqlite_central_process: CentralProcess, tmp_path: Path
) -> None:
    proc = sqlite_central_process
    proc.start(fault="mid_blob:2")  # dies once the 2nd chunk is stored and committed
    station, store, _ = _village(proc, tmp_path, cases=1)
    scan = tmp_path / "户口簿.jpg"
    scan.write_bytes(random.Random(4).randbytes(3 * CHUNK_BYTES + CHUNK_BYTES // 2))
    ref = store_blob(store.blob_dir, scan)
    store.add_blob(ref.sha256, ref.size, ref.name)
    waits = NoWait()

    # the case went and its page came in /sync; the upload after it met the dead centre:
    # the run says so (nothing after it needed the centre: catalog and outcomes unmoved)
    broken = _sync(store, waits)

    assert broken.blob_errors == 1 and "cannot be reached" in broken.blob_failures[ref.sha256]
    proc.assert_killed()
    assert [b.sha256 for b in store.pending_blobs(10)] == [ref.sha256]
    proc.start()
    identity = store.require_identity()
    with waits.client(identity) as client:
        before = client.blob_status(ref.sha256)
    assert before is not None and not before.complete
    assert before.received == 2 * CHUNK_BYTES  # two chunks survived the kill

    recording = _Recording()
    report = _sync(store, waits, recording)

    assert report.blobs_uploaded == 1 and report.blob_errors == 0
    assert recording.put_offsets == [2 * CHUNK_BYTES, 3 * CHUNK_BYTES]  # resumed, not from 0
    assert store.pending_blobs(10) == []
    with waits.client(identity) as client:
        held = client.request("GET", f"/blobs/{ref.sha256}").content
    assert (
        hashlib.sha256(held).hexdigest()
        == ref.sha256
        == hashlib.sha256(scan.read_bytes()).hexdigest()
    )
    _assert_held_once(proc.central, station, 3)
    assert store.outbox_depth() == 0


def test_refused_batches_stay_in_the_outbox_5xx_retried_then_revoked(
    sqlite_central_process: CentralProcess, tmp_path: Path
) -> None:
    proc = sqlite_central_process
    proc.start(fault="push:5xx:3")  # the first 3 pushes are answered 503
    station, store, _ = _village(proc, tmp_path, cases=4)
    waits = NoWait()

    error = _sync_fails(store, waits)  # 5xx: retried, then "unreachable"

    assert "503" in str(error)
    assert len(waits.waits) == 2  # 3 attempts in all
    assert store.outbox_depth() == 12
    last = store.last_sync()
    assert last is not None and last.error and "503" in last.error and last.pushed == 0
    county = proc.central.reconcile()[station.station_id]
    assert county["events"] == 0
    # what the county reads is the outbox as the station reported it: not emptied by the
    # push of its whole outbox that never went
    assert county["outbox_depth"] == 12 and county["oldest_unsent"] is not None

    report: SyncReport = _sync(store, waits)  # the centre answers again: all of it goes
    assert (report.applied, report.pending) == (12, 0)
    _assert_held_once(proc.central, station, 12)

    station.cli("case", "import", str(write_cases(tmp_path / "more.jsonl", 2, first=5)))
    depth = store.outbox_depth()
    assert depth == 4
    proc.central.cli("revoke", station.station_id)
    waits.waits.clear()

    refused = CliRunner().invoke(app, ["sync", "--data-dir", str(station.data_dir)])

    assert refused.exit_code == 1
    assert "同步失败" in refused.output and "403" in refused.output  # one clear line
    assert store.outbox_depth() == depth
    # The batch itself, sent with the revoked credential: refused at once, never retried.
    with waits.client(store.require_identity()) as client, pytest.raises(CentralRefused) as no:
        client.push(store.outbox_batch())
    assert no.value.status_code == 403 and waits.waits == []
    assert store.outbox_depth() == depth
    assert proc.central.reconcile()[station.station_id]["events"] == 12
