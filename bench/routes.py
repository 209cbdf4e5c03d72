"""What one request and one small sync cost the centre: ``python -m bench.routes
[--db sqlite|postgres] [--requests R] [--syncs S]``.

A real central (``daiban central serve``, one worker, as ``bench.sync`` starts it) and
one real village station, enrolled through POST /enroll. Each kind of request is sent
R times, one after another, and the centre's CPU (``/proc``, the uvicorn process and,
on PostgreSQL, the database's) is divided by R. Nothing runs at the same time: these
are the fixed costs a 9 a.m. wave multiplies by its stations, without the queueing.

Prints ``name=value`` lines (microseconds of CPU per request or per sync):

- ``healthz_server_us``: ``GET /healthz``, no credentials, no database: the cost of
  answering at all (server, framework, the centre's middleware, the access log);
- ``notfound_server_us``: a path no route serves (404);
- ``hello_server_us`` / ``_db_us``: the station's hello (its token checked, its report);
- ``pull_server_us`` / ``_db_us``: a pull with nothing new (the station's cursor at the end);
- ``sync3_server_us`` / ``_db_us``: a whole ``run_sync`` of a station that took 3 cases in
  (9 events), in one request (``POST /sync``: hello, push and page together), the first
  10 of S left out (warm-up); ``sync3_apart_server_us`` / ``_db_us``: the same in three
  requests (hello, push, pull), as a station syncs with an older centre, the syncs of
  both kinds taking turns; ``sync3_at_once_to_apart``: the ratio of their server CPU;
  ``push9_server_us``: the three requests' figure minus a hello and a pull, the push's share;
- ``loadavg_before`` / ``loadavg_after``; ``calibration_ms_before`` / ``_after`` and ``steal_pct``: how fast it was (``bench.machine``).

On the storm: ``bench.storm`` prints the same per-sync figure under load
(``centre_cpu_ms_per_station``), where the pushes of many stations share one commit.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from bench._central import CentralRun
from bench.machine import machine_after, machine_before
from bench.storm import division_of
from bench.sync import emit, take_in
from central.app import API_PREFIX
from station.services.syncing import enroll_station, software_version
from station.store import StationStore
from sync.client import CentralClient
from sync.engine import run_sync
from sync.events import SCHEMA_VERSION

WARM_UP = 10
"""Requests (and syncs) sent before measuring: statements compiled, pools filled."""


@dataclass
class Cost:
    """CPU seconds of the centre's server and database, summed over some requests."""

    server: float = 0.0
    db: float = 0.0

    def emit(self, name: str, count: int) -> None:
        """``<name>_server_us`` (and ``_db_us`` when the database is measured) per request."""
        emit(f"{name}_server_us", round(self.server / count * 1e6))
        if self.db:
            emit(f"{name}_db_us", round(self.db / count * 1e6))


@contextmanager
def counted(central: CentralRun, cost: Cost) -> Iterator[None]:
    """Add the centre's CPU spent inside the block to ``cost``."""
    server, db = central.server_cpu(), central.db_cpu()
    yield
    cost.server += central.server_cpu() - server
    cost.db += central.db_cpu() - db


def per_request(central: CentralRun, send: Callable[[], object], count: int) -> Cost:
    """The centre's CPU for ``count`` requests ``send`` makes, after a warm-up."""
    for _ in range(WARM_UP):
        send()
    cost = Cost()
    with counted(central, cost):
        for _ in range(count):
            send()
    return cost


def run(db: str, requests: int, syncs: int) -> None:
    """The benchmark in one temporary workspace (removed at the end)."""
    emit("db", db)
    machine = machine_before(emit)
    with CentralRun(db, 1) as central:
        division = division_of(0)
        agent = central.agent_account(division)
        store = StationStore.open(central.root / "village")
        try:
            code = central.enrollment_code(division, "bench-routes", "village")
            enroll_station(store, central.url, code, device_name="bench-routes")
            identity = store.require_identity()
            with httpx.Client(base_url=central.url) as anonymous:
                per_request(central, lambda: anonymous.get("/healthz"), requests).emit(
                    "healthz", requests
                )
                missing = f"{API_PREFIX}/no-such-route"
                per_request(central, lambda: anonymous.get(missing), requests).emit(
                    "notfound", requests
                )
            take_in(store, 1, 3, agent)
            with CentralClient(identity.central_url, identity.token) as client:
                run_sync(store, client, software_version=software_version())
                hello = per_request(
                    central,
                    lambda: client.hello(
                        software_version=software_version(),
                        schema_version=SCHEMA_VERSION,
                        outbox_depth=0,
                    ),
                    requests,
                )
                cursor = store.pull_cursor()
                pull = per_request(
                    central, lambda: client.pull(cursor, own_upto=store.own_seq_held()), requests
                )
            hello.emit("hello", requests)
            pull.emit("pull", requests)
            # Each sync alternately in one request (POST /sync) and the old three (hello,
            # push, pull), so both meet the machine in the same state.
            ways = {"sync3": Cost(), "sync3_apart": Cost()}
            for index in range(2 * (syncs + WARM_UP)):
                take_in(store, 4 + 3 * index, 3, agent)
                name = "sync3" if index % 2 == 0 else "sync3_apart"
                at_once = name == "sync3"
                with CentralClient(identity.central_url, identity.token, at_once=at_once) as client:
                    if index < 2 * WARM_UP:
                        run_sync(store, client, software_version=software_version())
                        continue
                    with counted(central, ways[name]):
                        run_sync(store, client, software_version=software_version())
            for name, cost in ways.items():
                cost.emit(name, syncs)
            apart = ways["sync3_apart"].server
            push = apart / syncs - (hello.server + pull.server) / requests
            emit("push9_server_us", round(push * 1e6))
            emit("sync3_at_once_to_apart", round(ways["sync3"].server / apart, 3))
        finally:
            store.close()
    machine_after(emit, machine)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--requests", type=int, default=500, help="requests of each kind")
    parser.add_argument("--syncs", type=int, default=100, help="3-case syncs measured")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    run(options.db, options.requests, options.syncs)
    emit("total_s", time.perf_counter() - started)


if __name__ == "__main__":
    main()
