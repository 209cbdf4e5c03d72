"""The 9 a.m. reconnect: ``python -m bench.storm --stations N --cases K --db sqlite|postgres
--workers W [--procs P]``.

One real central (``daiban central serve --workers W`` in a subprocess, as ``bench.sync``
starts it) and N real village stations, each in its own temporary data directory,
enrolled through POST /enroll and holding K cases taken in as the desk writes them
(3 events each; with ``--as desk`` taken in offline and submitted by the sync itself,
as the desk does once the centre answers). The stations live in P client processes;
when every one is ready they all sync at the same moment, one thread per station: as
the desk does (``--as desk``, the
default: ``station.services.syncing.sync_now`` with the desk's client, which is what a
county's stations send at 9 a.m.), or the sync engine alone (``--as engine``:
``sync.engine.run_sync`` with the client's defaults, as the rounds before this option
measured).

The stations' data directories are on tmpfs (``/dev/shm``) unless ``--stations-on disk``:
in a county each station fsyncs its own disk, while here 500 stations would queue their
durable commits on the bench machine's one disk (about 9 ms each) in front of the centre's.
The centre's database is always on disk. The client processes run at a lower priority
(``nice`` 10): in a county they are 500 other PCs, so here they yield the cores to the
centre rather than compete with it (they still add to the wall times).

Prints ``name=value`` lines:

- ``sync_p50_s`` / ``_p90_s`` / ``_p99_s`` / ``_max_s``: wall time of one station's
  whole sync, from the common start (includes the bench's own queueing: hundreds of
  stations' Python sharing a few client processes and the machine's cores);
- ``station_p50_s`` / ``_p90_s`` / ``_p99_s``: what a station sees, from its first
  request leaving to its last answer arriving;
- ``station_wait_p50_s`` / ``_p99_s``: the part of that spent waiting for answers (from a
  request leaving to its answer's headers arriving, summed over the station's requests);
- ``client_cpu_s`` (every client process during the storm) and
  ``client_cpu_ms_per_station``: the stations' own work, which in a county runs on 500
  PCs and here shares the bench machine with the centre;
- ``requests`` and ``requests_per_sync``: every request sent (retries included);
- ``http_429`` / ``http_5xx``: answers seen on the wire (the client retried them);
- ``failed_syncs``: syncs that ended in an error (retries exhausted, a timeout);
- ``events_expected`` / ``events_at_centre`` / ``events_lost`` / ``events_duplicated``:
  reconciliation of every station's own event ids against the centre's event table
  (lost: an id the centre acknowledged to the station that it does not hold;
  duplicated: a station sequence number held more than once at the centre);
- ``unacknowledged``: events still pending in the stations' outboxes after the run
  (a failed sync; they go with the next one);
- ``centre_answer_p50_ms`` / ``_p99_ms`` (and per route: ``centre_hello_p99_ms``, ...):
  the centre's own time per answer, from its access log (from the request reaching the
  app to its answer; a request queued in the kernel or the event loop before that is not
  counted): what the stations would wait if the bench's own clients did not share the
  machine;
- ``central_db_bytes_per_case`` (and by table, the largest): what the storm's cases added
  to the centre's database, as ``bench.sync`` measures it, in a county's morning: each
  station's few cases arrive whole in one push (``bench.sync``'s one station pushing a
  10,000-case backlog writes each case's row twice, once per batch its events span);
- ``server_cpu_s`` (uvicorn processes) and ``db_cpu_s`` (PostgreSQL) during the storm,
  ``server_peak_rss_mb``: the largest sum of the server processes' resident memory;
- ``centre_cpu_ms_per_station``: the centre's CPU (server and database) per station's
  sync, and ``centre_cpu_floor_s``: that CPU spread over this machine's cores, the
  shortest the storm could be if the stations ran on PCs of their own (a floor, not a
  forecast: the centre's waits for the disk and for locks are not in it);
- ``loadavg_before`` / ``loadavg_after``; ``calibration_ms_before`` / ``_after`` and ``steal_pct``: how fast it was (``bench.machine``).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from bench._central import CentralRun, _proc_stats
from bench.machine import loadavg, machine_after, machine_before
from bench.sync import db_bytes, emit, emit_db_growth, take_in

COUNTY = "640522"
VILLAGES_PER_TOWNSHIP = 90
RSS_SAMPLE_S = 0.2
SHM = Path("/dev/shm")
CLIENT_NICE = 10
"""The client processes' priority: below the centre's (they stand for other PCs)."""
SYNC_ROUTES = ("sync", "hello", "push", "pull", "catalog", "outcomes")


def division_of(n: int) -> str:
    """Station ``n``'s village code: 90 villages per township, townships 101, 102, ..."""
    township, village = divmod(n, VILLAGES_PER_TOWNSHIP)
    return f"{COUNTY}{101 + township:03d}{201 + village:03d}"


class StatusCounting(httpx.HTTPTransport):
    """The real transport, counting the answers' status codes (before the client retries)
    and timing the station's requests."""

    def __init__(self, counts: Counter[int], lock: threading.Lock, tls: ssl.SSLContext) -> None:
        # One TLS context per client process, not one per station: building one loads the
        # CA bundle (~30 ms of CPU), which 500 stations do on 500 PCs, not on the bench's
        # 2 cores in the middle of the storm. (The centre here is plain HTTP anyway.)
        super().__init__(verify=tls)
        self.counts, self.lock = counts, lock
        self.first_sent: float | None = None
        self.last_answer = 0.0
        self.waiting = 0.0
        """Seconds from each request leaving to its answer's headers arriving, summed."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send, count the status code and time the wait."""
        sent = time.perf_counter()
        if self.first_sent is None:
            self.first_sent = sent
        response = super().handle_request(request)
        answered = time.perf_counter()
        self.waiting += answered - sent
        self.last_answer = answered
        with self.lock:
            self.counts[response.status_code] += 1
        return response


@dataclass
class ProcResult:
    """What one client process saw."""

    latencies: list[float] = field(default_factory=list)
    """Seconds from the common start to each station's sync ending."""
    seen: list[float] = field(default_factory=list)
    """Seconds from each station's first request to its last answer."""
    waits: list[float] = field(default_factory=list)
    """Seconds each station spent waiting for answers."""
    cpu: float = 0.0
    """CPU seconds of this client process during the storm."""
    failures: list[str] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    own_ids: dict[str, list[str]] = field(default_factory=dict)
    """Station id -> the ids of the events it wrote and the centre acknowledged."""
    pending: int = 0


def _client_process(
    codes: list[tuple[int, str, str]],
    url: str,
    root: str,
    cases: int,
    barrier: Any,
    results: Any,
    desk: bool,
) -> None:
    """Set up this process's stations, wait for the others, sync them all at once."""
    from sqlalchemy import text

    from station.services.syncing import default_client, enroll_station, software_version, sync_now
    from station.store import StationStore
    from station.store.db import reading
    from sync.client import CentralClient
    from sync.engine import run_sync

    stores = []
    for n, code, agent_id in codes:
        store = StationStore.open(Path(root) / f"s{n}")
        enroll_station(store, url, code, device_name=f"storm-{n}")
        # a desk offline took them in; its sync submits them (3 events a case either way)
        take_in(store, 3_000_000 + n * cases, cases, agent_id, submit=not desk)
        stores.append(store)
    out = ProcResult()
    lock = threading.Lock()
    tls = ssl.create_default_context()
    os.nice(CLIENT_NICE)
    barrier.wait()
    start, cpu = time.perf_counter(), time.process_time()

    def sync(store: StationStore) -> None:
        identity = store.require_identity()
        transport = StatusCounting(out.statuses, lock, tls)
        try:
            if desk:
                sync_now(store, client_factory=lambda held: default_client(held, transport))
            else:
                with CentralClient(identity.central_url, identity.token, transport=transport) as c:
                    run_sync(store, c, software_version=software_version())
        except Exception as error:  # noqa: BLE001 - a failed sync is a figure here
            with lock:
                out.failures.append(f"{type(error).__name__}: {error}"[:200])
        with lock:
            out.latencies.append(time.perf_counter() - start)
            if transport.first_sent is not None:
                out.seen.append(transport.last_answer - transport.first_sent)
                out.waits.append(transport.waiting)

    threads = [threading.Thread(target=sync, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.cpu = time.process_time() - cpu
    for store in stores:
        identity = store.require_identity()
        with reading(store.engine) as conn:
            rows = conn.execute(text("SELECT id, status FROM events WHERE origin = 'local'"))
            ids = []
            for row in rows:
                if row.status == "pending":  # never acknowledged: still in the outbox
                    out.pending += 1
                else:
                    ids.append(str(row.id))
        out.own_ids[identity.station_id] = ids
        store.close()
    results.put(out)


class RssSampler(threading.Thread):
    """The peak of the server processes' summed resident memory, sampled in the background."""

    def __init__(self, group: int) -> None:
        super().__init__(daemon=True)
        self.group, self.peak, self.stopping = group, 0, threading.Event()
        self.page = os.sysconf("SC_PAGE_SIZE")

    def run(self) -> None:
        """Sample until stopped."""
        while not self.stopping.wait(RSS_SAMPLE_S):
            self.peak = max(self.peak, sum(self._rss()))

    def _rss(self) -> Iterator[int]:
        for stat in _proc_stats():
            if stat.pgrp != self.group:
                continue
            try:
                yield int(Path(f"/proc/{stat.pid}/statm").read_text().split()[1]) * self.page
            except (OSError, ValueError, IndexError):
                continue


def reconcile(central: CentralRun, own_ids: dict[str, list[str]]) -> tuple[int, int, int]:
    """(events at the centre, acknowledged ids the centre lacks, station sequence numbers
    held twice)."""
    from sqlalchemy import func, select

    from central.bootstrap import load_settings, open_session
    from central.models import EVENT_TABLE

    ev = EVENT_TABLE.c
    settings = load_settings(central.central_dir, central.db_url)
    with open_session(settings) as session:
        held = {UUID(str(row.id)) for row in session.execute(select(ev.id))}
        twice = session.execute(
            select(func.count()).select_from(
                select(ev.station_id, ev.station_seq)
                .group_by(ev.station_id, ev.station_seq)
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
    lost = sum(1 for ids in own_ids.values() for event_id in ids if UUID(event_id) not in held)
    return len(held), lost, int(twice)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def station_root(central: CentralRun, where: str) -> Iterator[Path]:
    """Where the stations' data directories go: tmpfs (removed at the end) or the central's
    temporary workspace on disk."""
    if where == "disk" or not SHM.is_dir():
        yield central.root
        return
    root = Path(tempfile.mkdtemp(prefix="daiban-storm-", dir=SHM))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(
    stations: int, cases: int, db: str, workers: int, procs: int, where: str, desk: bool = True
) -> None:
    """The whole storm in one temporary workspace (removed at the end)."""
    for name, value in (("stations", stations), ("cases", cases), ("db", db)):
        emit(name, value)
    emit("syncs_as", "desk" if desk else "engine")
    emit("workers", workers)
    emit("client_procs", procs)
    emit("stations_on", where if SHM.is_dir() else "disk")
    machine = machine_before(emit)
    context = mp.get_context("fork")
    with CentralRun(db, workers) as central, station_root(central, where) as root:
        with central.admin_session():
            codes = [
                (
                    n,
                    central.enrollment_code(division_of(n), f"storm{n} 便民服务站", "village"),
                    central.agent_account(division_of(n)),
                )
                for n in range(stations)
            ]
        barrier, results = context.Barrier(procs + 1), context.Queue()
        children = [
            context.Process(
                target=_client_process,
                args=(codes[p::procs], central.url, str(root), cases, barrier, results, desk),
            )
            for p in range(procs)
        ]
        for child in children:
            child.start()
        barrier.wait()  # every station enrolled and holding its cases
        size_before = db_bytes(central)
        emit("loadavg_start", loadavg())
        sampler = RssSampler(central._process_group)
        sampler.start()
        cpu, db_cpu, start = central.server_cpu(), central.db_cpu(), time.perf_counter()
        outs: list[ProcResult] = [results.get() for _ in children]
        elapsed = time.perf_counter() - start
        cpu, db_cpu = central.server_cpu() - cpu, central.db_cpu() - db_cpu
        sampler.stopping.set()
        for child in children:
            child.join()
        own = {k: v for out in outs for k, v in out.own_ids.items()}
        held, lost, twice = reconcile(central, own)
        errors = Counter(
            line.strip()[:160]
            for line in central.log_text().splitlines()
            if "Error:" in line or "Error(" in line or "central/api/routes/" in line
        )
        answers = answer_times(central.central_dir / "logs" / "central.log")
        size_after = db_bytes(central)
    for line, count in errors.most_common(3):
        emit("server_error", f"{count} x {line}")
    _report(outs, elapsed, cpu, db_cpu, sampler.peak, (held, lost, twice))
    _report_answers(answers)
    # a county's day: each station's cases go in one push (the centre writes each case once)
    emit_db_growth(size_before, size_after, stations * cases)
    machine_after(emit, machine)


def answer_times(log: Path) -> dict[str, list[float]]:
    """The centre's answer times (ms) by sync route, from its JSON access log."""
    times: dict[str, list[float]] = {route: [] for route in SYNC_ROUTES}
    if not log.exists():
        return times
    for line in log.read_text("utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        route = str(entry.get("path", "")).rstrip("/").rpartition("/")[2]
        if entry.get("message") == "request" and route in times:
            times[route].append(float(entry["duration_ms"]))
    return times


def _report_answers(times: dict[str, list[float]]) -> None:
    every = [t for route in SYNC_ROUTES for t in times[route]]
    if not every:
        return
    emit("centre_answer_p50_ms", statistics.median(every))
    emit("centre_answer_p99_ms", _percentile(every, 0.99))
    for route in SYNC_ROUTES:
        if times[route]:
            emit(f"centre_{route}_p50_ms", statistics.median(times[route]))
            emit(f"centre_{route}_p99_ms", _percentile(times[route], 0.99))


def _report(
    outs: list[ProcResult],
    elapsed: float,
    cpu: float,
    db_cpu: float,
    peak: int,
    reconciled: tuple[int, int, int],
) -> None:
    latencies = [x for out in outs for x in out.latencies]
    statuses: Counter[int] = sum((out.statuses for out in outs), Counter())
    failures = [f for out in outs for f in out.failures]
    emit("storm_s", elapsed)
    emit("sync_p50_s", statistics.median(latencies))
    emit("sync_p90_s", _percentile(latencies, 0.90))
    emit("sync_p99_s", _percentile(latencies, 0.99))
    emit("sync_max_s", max(latencies))
    seen = [x for out in outs for x in out.seen]
    waits = [x for out in outs for x in out.waits]
    emit("station_p50_s", statistics.median(seen))
    emit("station_p90_s", _percentile(seen, 0.90))
    emit("station_p99_s", _percentile(seen, 0.99))
    emit("station_wait_p50_s", statistics.median(waits))
    emit("station_wait_p99_s", _percentile(waits, 0.99))
    emit("requests", sum(statuses.values()))
    emit("requests_per_sync", sum(statuses.values()) / max(len(latencies), 1))
    emit("http_429", statuses[429])
    emit("http_5xx", sum(n for code, n in statuses.items() if code >= 500))
    emit("failed_syncs", len(failures))
    for reason, count in Counter(failures).most_common(3):
        emit("failure", f"{count} x {reason}")
    held, lost, twice = reconciled
    acknowledged = sum(len(ids) for out in outs for ids in out.own_ids.values())
    emit("events_expected", acknowledged + sum(out.pending for out in outs))
    emit("events_at_centre", held)
    emit("events_lost", lost)
    emit("events_duplicated", twice)
    emit("unacknowledged", sum(out.pending for out in outs))
    client_cpu = sum(out.cpu for out in outs)
    emit("client_cpu_s", client_cpu)
    emit("client_cpu_ms_per_station", client_cpu / max(len(latencies), 1) * 1000)
    emit("server_cpu_s", cpu)
    if db_cpu:
        emit("db_cpu_s", db_cpu)
    emit("centre_cpu_ms_per_station", (cpu + db_cpu) / max(len(latencies), 1) * 1000)
    emit("centre_cpu_floor_s", (cpu + db_cpu) / (os.cpu_count() or 1))
    emit("server_peak_rss_mb", peak / 2**20)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.storm", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--stations", type=int, default=500, help="village stations")
    parser.add_argument("--cases", type=int, default=3, help="cases per station (3 events each)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--procs", type=int, default=4, help="client processes")
    parser.add_argument(
        "--as",
        dest="syncs_as",
        choices=("desk", "engine"),
        default="desk",
        help="sync as the desk does (sync_now) or with the engine alone (run_sync)",
    )
    parser.add_argument(
        "--stations-on",
        choices=("tmpfs", "disk"),
        default="tmpfs",
        help="where the stations' data directories go (the centre's database is on disk)",
    )
    args = parser.parse_args(argv)
    if min(args.stations, args.cases, args.workers, args.procs) < 1:
        parser.error("every count must be at least 1")
    try:
        procs = min(args.procs, args.stations)
        run(
            args.stations,
            args.cases,
            args.db,
            args.workers,
            procs,
            args.stations_on,
            args.syncs_as == "desk",
        )
    except KeyboardInterrupt:
        print("interrupted: the central and the temporary files are removed", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
