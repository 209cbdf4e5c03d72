"""Sync benchmark: ``python -m bench.sync --cases N [--db sqlite|postgres] [--workers W]``.

A real central (``daiban central serve``: uvicorn with uvloop and httptools)
on loopback with its own temporary data directory, and real stations in
temporary data directories enrolled through the real enrollment endpoint.
Cases are taken in through the station's ``CaseService`` exactly as the desk
and ``daiban case import`` write them (created + received), then submitted as
a sync does (``submit_received``): 3 events per case.

Prints ``name=value`` lines:

- ``create_s`` / ``create_events_per_s``: taking the N cases in and submitting them
  (validation, case numbers, events and projection in the station's SQLite);
- ``events_per_s``: events pushed per second by one ``run_sync`` with the real
  client (batches of 200, gzip), from hello to the last acknowledged batch;
  ``sync_s`` is the whole run, including pulling the village's own events back;
- ``naive_events_per_s``: a naive client posting ONE CASE PER REQUEST (its 3
  events in one plain-JSON body; ``--naive-per-event``: one event per request),
  no batching, no compression, a new TCP connection per request, to the same
  push endpoint, for M = min(N, 500) fresh cases of a second village station
  (distinct events, really applied); ``naive_ratio`` = events_per_s / that;
- ``bytes_per_event``: push request bytes on the wire per event (request line,
  headers and gzip body; ``body_bytes_per_event`` without the headers);
- ``catchup_s`` / ``catchup_events_per_s``: a fresh township station (scope: the
  9-digit township prefix) pulling the whole history from cursor 0 with ``run_sync``;
- ``nochange_pull_ms``: median of 20 no-change ``run_sync`` runs of that township
  station (hello + an empty pull + recording the run) and ``nochange_bytes``, the
  bytes of one such run both ways (``nochange_pull_only_ms``: the GET /pull alone).

``<phase>_client_cpu_us_per_event`` / ``_server_cpu_us_per_event`` /
``_db_cpu_us_per_event`` (PostgreSQL): CPU time per event of this process (the
station), the uvicorn processes and the PostgreSQL processes in that phase,
read from /proc. On a busy machine they are steadier than the rates, and say
what one core per side would sustain. ``loadavg_before``/``_after`` tell how
busy the machine was, ``calibration_ms_before``/``_after`` and ``steal_pct`` how fast
(``bench.machine``).

``central_db_bytes_per_case``: what the village's cases added to the central
database (SQLite: pages in use, WAL included; PostgreSQL: ``pg_database_size``),
per case, measured around the push; ``central_db_<table>_bytes_per_case`` splits
it by table and index (the 16 largest; on SQLite where its ``dbstat`` is available).

``--durable`` (PostgreSQL): the cluster runs with fsync on, as in production; the
default runs with fsync off (figures of the code, not of the disk).
``--push-only``: stop after the push (no naive client, catch-up or no-change runs).

With ``--burst K``, K more village stations then share the N cases and sync at
once (``burst_events_per_s``): the only figure ``--workers`` can change, since
one station's sync is sequential.

Targets (not assertions): >= 2,000 events/s, >= 20x naive, <= 400 bytes per event.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

from bench._central import CentralRun, CountingTransport, Tally
from bench.machine import machine_after, machine_before
from forms.catalog import load_catalog
from station.services.application import Actor, Application
from station.services.cases import CaseService
from station.services.syncing import enroll_station, software_version, submit_received
from station.store import NewEvent, StationStore
from sync.client import CentralClient
from sync.engine import SyncReport, run_sync
from sync.events import Event, Role
from sync.lock import sync_lock
from sync.protocol import (
    API_PREFIX,
    PULL_PAGE_EVENTS,
    PullResponse,
    PushRequest,
    PushResponse,
    ResultStatus,
)

TOWNSHIP = "640522100000"
VILLAGE = "640522100201"
NAIVE_VILLAGE = "640522100202"
NAIVE_MAX_CASES = 500
NOCHANGE_RUNS = 20
INTAKE_BATCH = 500
"""Cases per transaction, as ``daiban case import`` writes them."""


def _id_number(serial: int) -> str:
    """A distinct valid resident ID number per serial (GB 11643 check character)."""
    born = date(1950, 1, 1) + timedelta(days=serial // 900)
    first17 = f"640522{born:%Y%m%d}{serial % 900 + 100:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国玉珍文辉俊海燕红春梅林德志鹏飞宇浩然雪琴凤云龙宝山福生贵荣成永亮东"
CATEGORIES = ["普通居民"] * 6 + ["低保对象", "特困人员", "重度残疾人"]
RELATIONS = ["配偶", "子女", "父母", "孙子女"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))


def _application(serial: int) -> Application:
    """A medical-insurance enrollment (城乡居民医保参保登记) with varied, realistic values.

    Names, phones, addresses and categories differ per case (seeded), and about a
    third enroll family members too, so gzip sees data like a real day's, not copies.
    """
    rng = random.Random(serial)
    members = [
        {
            "name": _name(rng),
            "relation": rng.choice(RELATIONS),
            "id_number": _id_number(serial * 7 + 500_000 + i),
        }
        for i in range(rng.choice((0, 0, 1, 2, 3)) if rng.random() < 0.5 else 0)
    ]
    fields: dict[str, Any] = {
        "hukou_address": f"杨郎村{rng.randint(1, 9)}组{rng.randint(1, 120)}号",
        "category": rng.choice(CATEGORIES),
        "insured_year": 2027,
    }
    if members:
        fields["family_members"] = members
    materials = {"id_card": "provided"}
    if rng.random() < 0.4:
        materials["hukou"] = "provided"
    if fields["category"] != "普通居民":  # subsidised: status checked by data sharing
        materials["status_proof"] = "shared"
    return Application(
        item_code="640522-YB-001",
        applicant={
            "name": _name(rng),
            "id_number": _id_number(serial),
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        },
        relation="self",
        fields=fields,
        materials=materials,
    )


class _MarkingClient(CentralClient):
    """The real client; calls ``before_pull`` once, when the pull phase starts."""

    def __init__(self, *args: Any, before_pull: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._before_pull: Callable[[], None] | None = before_pull

    def pull(
        self, after: int, limit: int = PULL_PAGE_EVENTS, own_upto: int | None = None
    ) -> PullResponse:
        """A page of events (see ``CentralClient.pull``)."""
        if self._before_pull is not None:
            hook, self._before_pull = self._before_pull, None
            hook()
        return super().pull(after, limit, own_upto)


@dataclass
class Station:
    """A station in its own data directory, with a byte-counting client."""

    store: StationStore
    wire: CountingTransport
    agent_id: str = ""
    """The village's 代办员 (an account of the centre): the actor of its cases."""

    def client(self, before_pull: Callable[[], None] = lambda: None) -> CentralClient:
        """The real sync client, over the counting transport."""
        identity = self.store.require_identity()
        return _MarkingClient(
            identity.central_url, identity.token, transport=self.wire, before_pull=before_pull
        )

    def sync(self, before_pull: Callable[[], None] = lambda: None) -> SyncReport:
        """One ``run_sync`` under the station's single-flight lock."""
        with sync_lock(self.store.data_dir), self.client(before_pull) as client:
            return run_sync(self.store, client, software_version=software_version())


@contextmanager
def enrolled(run: CentralRun, name: str, division: str, role: str) -> Iterator[Station]:
    """A station in ``<root>/<name>`` enrolled through POST /enroll."""
    store = StationStore.open(run.root / name)
    try:
        code = run.enrollment_code(division, f"{name} 便民服务站", role)
        enroll_station(store, run.url, code, device_name=f"bench-{name}")
        yield Station(store, CountingTransport(), run.agent_account(division))
    finally:
        store.close()


def take_in(
    store: StationStore, first_serial: int, count: int, agent_id: str, *, submit: bool = True
) -> None:
    """Take ``count`` cases in and submit them: 3 events each, as the desk writes them.

    ``agent_id`` is the village's 代办员, an account of the centre (``agent_account``).
    ``submit=False``: taken in only (2 events each), as a desk offline holds them; its
    next sync submits them once the centre answers.
    """
    service = CaseService(store, load_catalog(), Actor(agent_id, Role.agent, "bench"))
    pending: list[list[NewEvent]] = []
    for serial in range(first_serial, first_serial + count):
        pending.append(service.intake_events(_application(serial)))
        if len(pending) >= INTAKE_BATCH:
            service.take_in_many(pending)
            pending = []
    if pending:
        service.take_in_many(pending)
    if submit:
        submit_received(store)


def emit(name: str, value: Any) -> None:
    """One ``name=value`` line."""
    if isinstance(value, float):
        value = f"{value:.3f}" if value < 10 else f"{value:.1f}"
    print(f"{name}={value}", flush=True)


@dataclass(frozen=True)
class Mark:
    """Wall clock and CPU seconds of this process (the station), the server and the database."""

    wall: float
    client: float
    server: float
    db: float


def mark(central: CentralRun) -> Mark:
    """Where the clocks are now."""
    return Mark(time.perf_counter(), time.process_time(), central.server_cpu(), central.db_cpu())


def emit_cpu(prefix: str, start: Mark, end: Mark, events: int) -> None:
    """CPU microseconds per event of each side between two marks (steadier than wall time
    on a busy machine: they say what one core per side would sustain)."""
    emit(f"{prefix}_client_cpu_us_per_event", (end.client - start.client) / events * 1e6)
    emit(f"{prefix}_server_cpu_us_per_event", (end.server - start.server) / events * 1e6)
    if end.db or start.db:
        emit(f"{prefix}_db_cpu_us_per_event", (end.db - start.db) / events * 1e6)


def bench_create(central: CentralRun, store: StationStore, cases: int, agent_id: str) -> None:
    """Take the cases in (validation, case numbers, events, projection, search terms)."""
    start = mark(central)
    take_in(store, 1, cases, agent_id)
    end = mark(central)
    elapsed = end.wall - start.wall
    emit("create_s", elapsed)
    emit("create_events_per_s", 3 * cases / elapsed)
    emit("create_cpu_us_per_event", (end.client - start.client) / (3 * cases) * 1e6)


_PG_SIZES = (
    "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
    " UNION ALL SELECT c.relname || ' (toast, maps)', pg_table_size(c.oid) - pg_relation_size(c.oid)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = 'public' AND c.relkind = 'r'"
)
"""PostgreSQL: each table's and index's own bytes, and a table's TOAST and maps apart."""


def db_bytes(central: CentralRun) -> tuple[int, dict[str, int]]:
    """The central database's size in bytes, and by table or index (SQLite's ``dbstat``)."""
    from sqlalchemy import create_engine, text

    from central.bootstrap import load_settings

    settings = load_settings(central.central_dir, central.db_url)
    engine = create_engine(settings.db_url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                size = connection.execute(text("SELECT pg_database_size(current_database())"))
                return int(size.scalar_one()), {
                    str(name): int(bytes_) for name, bytes_ in connection.execute(text(_PG_SIZES))
                }
            pages = connection.execute(text("PRAGMA page_count")).scalar_one()
            free = connection.execute(text("PRAGMA freelist_count")).scalar_one()
            page_size = connection.execute(text("PRAGMA page_size")).scalar_one()
            try:
                rows = connection.execute(
                    text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
                ).all()
            except Exception:  # noqa: BLE001 - dbstat is an optional SQLite module
                rows = []
            return (pages - free) * page_size, {str(name): int(size) for name, size in rows}
    finally:
        engine.dispose()


def emit_db_growth(
    start: tuple[int, dict[str, int]], end: tuple[int, dict[str, int]], cases: int
) -> None:
    """Bytes per case the central database grew by, in all and by table (the 16 largest)."""
    emit("central_db_bytes_per_case", (end[0] - start[0]) / cases)
    grown = {name: size - start[1].get(name, 0) for name, size in end[1].items()}
    for name, size in sorted(grown.items(), key=lambda item: -item[1])[:16]:
        if size > 0:
            emit(f"central_db_{name}_bytes_per_case", size / cases)


def bench_push(central: CentralRun, village: Station, events: int) -> float:
    """One real ``run_sync`` of the whole outbox; the push phase timed on its own.

    Returns:
        Events pushed per second, from hello to the last acknowledged batch.
    """
    marks: list[Mark] = []
    before, pushes = village.wire.snapshot(), village.wire.snapshot("push")
    size_before = db_bytes(central)
    start = mark(central)
    report = village.sync(before_pull=lambda: marks.append(mark(central)))
    end = mark(central)
    emit_db_growth(size_before, db_bytes(central), events // 3)
    if report.applied != events or report.pending:
        raise RuntimeError(f"push did not apply every event: {report}")
    pushed = marks[0]
    wire = village.wire.snapshot().minus(before)
    push_wire = village.wire.snapshot("push").minus(pushes)
    rate = report.pushed / (pushed.wall - start.wall)
    emit("events_pushed", report.pushed)
    emit("push_s", pushed.wall - start.wall)
    emit("events_per_s", rate)
    emit("bytes_per_event", push_wire.sent / report.pushed)
    emit("body_bytes_per_event", push_wire.sent_body / report.pushed)
    emit("push_requests", push_wire.requests)
    emit_cpu("push", start, pushed, report.pushed)
    emit("sync_s", end.wall - start.wall)
    emit("sync_events_per_s", report.pushed / (end.wall - start.wall))
    emit("pullback_events", report.pulled)
    emit("pullback_s", end.wall - pushed.wall)
    emit("sync_wire_bytes", wire.sent + wire.received)
    return rate


def naive_requests(station: Station, per_event: bool) -> list[list[Event]]:
    """The outbox of ``station`` as the naive client sends it: one case's events
    per request (in station order), or one event per request."""
    events = station.store.outbox_batch(limit=10**9, max_bytes=10**12)
    if per_event:
        return [[event] for event in events]
    cases: dict[Any, list[Event]] = {}
    for event in events:
        cases.setdefault(event.case_id, []).append(event)
    return list(cases.values())


def bench_naive(central: CentralRun, station: Station, per_event: bool = False) -> float:
    """POST one case (its 3 events) per request, plain JSON, a new connection each; events/s.

    Nothing is batched across cases or compressed (not even the answer), and
    every request opens a new TCP connection (no keep-alive). Each body is a
    plain ``PushRequest`` of the case's own events (``per_event``: of one
    event) to the same POST /push.
    """
    token = station.store.require_identity().token
    cases = naive_requests(station, per_event)
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept-Encoding": "identity",
        "Connection": "close",
    }
    # No keep-alive: the pool keeps no idle connection, and the server is asked to close.
    wire = CountingTransport(httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)))
    before = wire.snapshot()
    count = 0
    base = central.url + API_PREFIX
    start = mark(central)
    with httpx.Client(base_url=base, transport=wire) as http:
        for events in cases:
            body = PushRequest(events=events).model_dump_json()
            response = http.post("/push", content=body, headers=headers)
            response.raise_for_status()
            answer = PushResponse.model_validate_json(response.content)
            if any(r.status is not ResultStatus.applied for r in answer.results):
                raise RuntimeError(f"naive push not applied: {answer.results}")
            count += len(events)
    end = mark(central)
    sent = wire.snapshot().minus(before)
    rate = count / (end.wall - start.wall)
    emit("naive_unit", "event" if per_event else "case")
    emit("naive_requests", len(cases))
    emit("naive_events", count)
    emit("naive_s", end.wall - start.wall)
    emit("naive_events_per_s", rate)
    emit("naive_bytes_per_event", sent.sent / count)
    emit_cpu("naive", start, end, count)
    return rate


def bench_catchup(central: CentralRun, township: Station, expected: int) -> None:
    """A fresh township station pulls the whole history of its scope from cursor 0."""
    if township.store.pull_cursor() != 0:
        raise RuntimeError("the township station should start from cursor 0")
    before = township.wire.snapshot()
    start = mark(central)
    report = township.sync()
    end = mark(central)
    if report.pulled != expected:
        raise RuntimeError(f"catch-up pulled {report.pulled} events, expected {expected}")
    wire = township.wire.snapshot().minus(before)
    elapsed = end.wall - start.wall
    emit("catchup_events", report.pulled)
    emit("catchup_s", elapsed)
    emit("catchup_events_per_s", report.pulled / elapsed)
    emit("catchup_bytes_per_event", wire.received / report.pulled)
    emit_cpu("catchup", start, end, report.pulled)


def bench_nochange(township: Station) -> None:
    """No-change syncs against the large history: median wall time and bytes."""
    times: list[float] = []
    wire = Tally()
    for _ in range(NOCHANGE_RUNS):
        before = township.wire.snapshot()
        start = time.perf_counter()
        report = township.sync()
        times.append(time.perf_counter() - start)
        wire = township.wire.snapshot().minus(before)
        if report.pushed or report.pulled:
            raise RuntimeError(f"a no-change sync moved something: {report}")
    emit("nochange_pull_ms", statistics.median(times) * 1000)
    emit("nochange_pull_p90_ms", statistics.quantiles(times, n=10)[-1] * 1000)
    emit("nochange_bytes", wire.sent + wire.received)
    emit("nochange_requests", wire.requests)
    cursor = township.store.pull_cursor()
    pulls: list[float] = []
    with township.client() as client:
        for _ in range(NOCHANGE_RUNS):
            start = time.perf_counter()
            page = client.pull(cursor)
            pulls.append(time.perf_counter() - start)
            if page.events:
                raise RuntimeError("a no-change pull returned events")
    emit("nochange_pull_only_ms", statistics.median(pulls) * 1000)


def bench_burst(central: CentralRun, count: int, cases: int) -> None:
    """``count`` more village stations sync at once (a county back online at 9 a.m.).

    Each takes ``cases // count`` cases in, then all run ``run_sync`` together,
    one thread each: this is where ``--workers`` can matter (one station's sync
    is sequential, so extra workers cannot speed it up).
    """
    per_station = max(1, cases // count)
    with ExitStack() as stack:
        stations = [
            stack.enter_context(
                enrolled(central, f"burst{n}", f"6405221002{n + 11:02d}", "village")
            )
            for n in range(count)
        ]
        for n, station in enumerate(stations):
            take_in(station.store, 2_000_000 + n * per_station, per_station, station.agent_id)
        pushed_at: list[float] = []

        def pushed() -> None:
            pushed_at.append(time.perf_counter())

        start = mark(central)
        with ThreadPoolExecutor(max_workers=count) as pool:
            reports = list(pool.map(lambda station: station.sync(pushed), stations))
        end = mark(central)
    events = sum(report.pushed for report in reports)
    if sum(report.applied for report in reports) != 3 * per_station * count:
        raise RuntimeError(f"the burst did not apply every event: {reports}")
    emit("burst_stations", count)
    emit("burst_events", events)
    emit("burst_push_s", max(pushed_at) - start.wall)
    emit("burst_events_per_s", events / (max(pushed_at) - start.wall))
    emit("burst_sync_s", end.wall - start.wall)
    emit_cpu("burst", start, end, events)


@dataclass(frozen=True)
class Options:
    """What ``run`` does besides the push (see the module's docstring)."""

    naive_per_event: bool = False
    burst: int = 0
    durable: bool = False
    push_only: bool = False


def run(cases: int, db: str, workers: int, options: Options = Options()) -> None:  # noqa: B008
    """The whole benchmark in one temporary workspace (removed at the end)."""
    emit("cases", cases)
    emit("db", db)
    emit("durable", int(options.durable))
    emit("workers", workers)
    emit("cpus", os.cpu_count() or 0)
    machine = machine_before(emit)
    naive_count = min(cases, NAIVE_MAX_CASES)
    started = time.perf_counter()
    with CentralRun(db, workers, durable=options.durable) as central:
        emit("central_start_s", time.perf_counter() - started)
        with (
            enrolled(central, "village", VILLAGE, "village") as village,
            enrolled(central, "naive", NAIVE_VILLAGE, "village") as naive,
            enrolled(central, "township", TOWNSHIP, "township") as township,
        ):
            bench_create(central, village.store, cases, village.agent_id)
            take_in(naive.store, 1_000_000, naive_count, naive.agent_id)
            pushed_rate = bench_push(central, village, 3 * cases)
            if not options.push_only:
                naive_rate = bench_naive(central, naive, options.naive_per_event)
                emit("naive_ratio", pushed_rate / naive_rate)
                bench_catchup(central, township, 3 * (cases + naive_count))
                bench_nochange(township)
            if options.burst:
                bench_burst(central, options.burst, cases)
    machine_after(emit, machine)
    emit("total_s", time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.sync", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=3000, help="cases taken in (3 events each)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--naive-per-event",
        action="store_true",
        help="the naive client sends one event per request (default: one case, 3 events)",
    )
    parser.add_argument(
        "--burst",
        type=int,
        default=0,
        metavar="K",
        help="then K more village stations share --cases and sync at once (default: none)",
    )
    parser.add_argument(
        "--durable", action="store_true", help="PostgreSQL with fsync on (default: off)"
    )
    parser.add_argument(
        "--push-only", action="store_true", help="stop after the push (no pulls, no naive client)"
    )
    args = parser.parse_args(argv)
    if args.cases < 1 or args.workers < 1 or not 0 <= args.burst <= 80:
        parser.error("--cases and --workers must be at least 1, --burst 0 to 80")
    if args.durable and args.db != "postgres":
        parser.error("--durable is a PostgreSQL run (--db postgres)")
    options = Options(args.naive_per_event, args.burst, args.durable, args.push_only)
    try:
        run(args.cases, args.db, args.workers, options)
    except KeyboardInterrupt:
        print(
            "interrupted: the central, the database and the temporary files are removed",
            file=sys.stderr,
        )
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
