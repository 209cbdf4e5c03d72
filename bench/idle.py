"""What an idle desk's sync costs the centre: ``python -m bench.idle [--db sqlite|postgres]
[--desks D] [--rounds R]``.

Every desk syncs every 30 s (``station.services.desksync``) whether or not anything
moved, so an idle desk's sync, times a county's or a province's stations, is the
centre's steady load. A real central (``daiban central serve``, one worker) and D real
village desks, enrolled through POST /enroll, each holding 3 cases it has synced; then
each desk runs the desk's own sync (``station.services.syncing.sync_now`` with the
desk's client) R times, the desks taking turns. Nothing runs at the same time.

Prints ``name=value`` lines:

- ``idle_syncs``: D × R;
- ``requests_per_idle_sync``: requests sent on the wire per sync, and ``request``: each
  kind (method and path) with its count;
- ``centre_cpu_ms_per_idle_sync``: the centre's CPU (``/proc``: the uvicorn process and,
  on PostgreSQL, the database's) per sync;
- ``desk_wall_ms_per_idle_sync``: one sync's wall time at the desk;
- ``province_idle_cores``: that CPU for 2,500 desks syncing every 30 s, in cores;
- ``loadavg_before`` / ``loadavg_after``; ``calibration_ms_before`` / ``_after`` and
  ``steal_pct``: how fast it was (``bench.machine``).
"""

from __future__ import annotations

import argparse
import ssl
import time
from collections import Counter

import httpx

from bench._central import CentralRun
from bench.machine import machine_after, machine_before
from bench.storm import division_of
from bench.sync import emit, take_in
from station.services.syncing import default_client, enroll_station, sync_now
from station.store import StationIdentity, StationStore
from sync.client import CentralClient

PROVINCE_DESKS = 2_500
SYNC_EVERY_S = 30


class Counting(httpx.HTTPTransport):
    """The real transport, counting each request by method and path."""

    def __init__(self, seen: Counter[str], tls: ssl.SSLContext) -> None:
        super().__init__(verify=tls)
        self.seen = seen

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Count, then send."""
        self.seen[f"{request.method} {request.url.path}"] += 1
        return super().handle_request(request)


def run(db: str, desks: int, rounds: int) -> None:
    """Set the desks up, sync them once to settle, then measure ``rounds`` idle syncs each."""
    emit("db", db)
    emit("desks", desks)
    machine = machine_before(emit)
    seen: Counter[str] = Counter()
    tls = ssl.create_default_context()  # one per process, as the desk's client has

    def client(identity: StationIdentity) -> CentralClient:
        return default_client(identity, Counting(seen, tls))

    with CentralRun(db, 1) as central:
        stores = []
        try:
            for n in range(desks):
                code = central.enrollment_code(division_of(n), f"idle{n} 便民服务站", "village")
                store = StationStore.open(central.root / f"desk{n}")
                stores.append(store)
                enroll_station(store, central.url, code, device_name=f"idle-{n}")
                take_in(store, 3_000_000 + n * 3, 3, central.agent_account(division_of(n)))
            for _ in range(2):  # the cases go, then one idle sync each (pools, statements)
                for store in stores:
                    sync_now(store, client_factory=client)
            seen.clear()
            server, db_cpu, wall = central.server_cpu(), central.db_cpu(), time.perf_counter()
            for _ in range(rounds):
                for store in stores:
                    sync_now(store, client_factory=client)
            wall = time.perf_counter() - wall
            cpu = central.server_cpu() - server + central.db_cpu() - db_cpu
        finally:
            for store in stores:
                store.close()
    syncs = desks * rounds
    emit("idle_syncs", syncs)
    emit("requests_per_idle_sync", sum(seen.values()) / syncs)
    for request, count in seen.most_common():
        emit("request", f"{request} x {count}")
    per_sync = cpu / syncs
    emit("centre_cpu_ms_per_idle_sync", per_sync * 1000)
    emit("desk_wall_ms_per_idle_sync", wall / syncs * 1000)
    emit("province_idle_cores", per_sync * PROVINCE_DESKS / SYNC_EVERY_S)
    machine_after(emit, machine)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.idle", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--desks", type=int, default=20, help="village desks")
    parser.add_argument("--rounds", type=int, default=10, help="idle syncs per desk")
    args = parser.parse_args(argv)
    if min(args.desks, args.rounds) < 1:
        parser.error("every count must be at least 1")
    run(args.db, args.desks, args.rounds)


if __name__ == "__main__":
    main()
