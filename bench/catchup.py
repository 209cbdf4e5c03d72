"""Catch-up and echo benchmark: ``python -m bench.catchup --cases N [--db sqlite|postgres]``.

A real central on loopback (``bench._central.CentralRun``) and real stations
(``bench.sync``'s helpers). A village takes N cases in (3 events each) and
syncs once; then a fresh township station pulls the whole history of its scope
from cursor 0 with ``run_sync``.

Prints ``name=value`` lines:

- ``village_push_bytes`` / ``village_pull_bytes``: bytes on the wire (both ways) of
  the village's push phase and of its pull phase (its own events coming back: full
  events from an older centre, compact acknowledgements from this one);
  ``village_pull_s``: the pull phase's wall time, and the CPU it took per event pushed
  (``village_pull_station_cpu_us_per_ack``, ``village_pull_server_cpu_us_per_ack``);
- ``catchup_s``: the township's catch-up, hello to the last page applied;
- ``catchup_station_cpu_us_per_event``: CPU of this process (the station: parsing
  pages, applying events, folding cases) per event pulled, the steady figure on a
  busy machine; ``catchup_server_cpu_us_per_event``: the central's;
- ``loadavg_before`` / ``loadavg_after``: how busy the machine was; ``calibration_ms_before`` / ``_after`` and ``steal_pct``: how fast it was (``bench.machine``).

Target (not an assertion): ``catchup_s`` <= 3 for 10,000 cases.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time

from bench._central import CentralRun
from bench.machine import loadavg, machine_after, machine_before
from bench.sync import TOWNSHIP, VILLAGE, Mark, Station, emit, enrolled, mark, take_in
from sync.engine import SyncReport


def _sync(township: Station, profile: bool) -> SyncReport:
    """The township's sync (under cProfile with ``profile``: its top functions to stderr)."""
    if not profile:
        return township.sync()
    profiler = cProfile.Profile(time.process_time)  # CPU: steady on a busy machine
    report = profiler.runcall(township.sync)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    return report


def run(cases: int, db: str, profile: bool = False) -> None:
    """The benchmark in one temporary workspace (removed at the end)."""
    emit("cases", cases)
    emit("db", db)
    machine = machine_before(emit)
    with (
        CentralRun(db, 1) as central,
        enrolled(central, "village", VILLAGE, "village") as village,
        enrolled(central, "township", TOWNSHIP, "township") as township,
    ):
        take_in(village.store, 1, cases, village.agent_id)
        pulled_at: list[Mark] = []
        pull_before = village.wire.snapshot("pull")
        push_before = village.wire.snapshot("push")
        report = village.sync(before_pull=lambda: pulled_at.append(mark(central)))
        ended = mark(central)
        if report.applied != 3 * cases or report.pending:
            raise RuntimeError(f"the village's push did not apply every event: {report}")
        pushed = village.wire.snapshot("push").minus(push_before)
        pulled = village.wire.snapshot("pull").minus(pull_before)
        emit("village_events", report.pushed)
        emit("village_push_bytes", pushed.sent + pushed.received)
        emit("village_pull_bytes", pulled.sent + pulled.received)
        emit("village_pull_s", ended.wall - pulled_at[0].wall)
        acks = 3 * cases
        emit(
            "village_pull_station_cpu_us_per_ack", (ended.client - pulled_at[0].client) / acks * 1e6
        )
        emit(
            "village_pull_server_cpu_us_per_ack", (ended.server - pulled_at[0].server) / acks * 1e6
        )
        emit("loadavg_catchup", loadavg())
        start = mark(central)
        caught = _sync(township, profile)
        end = mark(central)
        if caught.pulled != 3 * cases:
            raise RuntimeError(f"catch-up pulled {caught.pulled}, expected {3 * cases}")
        emit("catchup_events", caught.pulled)
        emit("catchup_s", end.wall - start.wall)
        emit("catchup_events_per_s", caught.pulled / (end.wall - start.wall))
        per_event = 1e6 / caught.pulled
        emit("catchup_station_cpu_us_per_event", (end.client - start.client) * per_event)
        emit("catchup_server_cpu_us_per_event", (end.server - start.server) * per_event)
    machine_after(emit, machine)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.catchup", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=10_000, help="cases (3 events each)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--profile", action="store_true", help="profile the catch-up (stderr)")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    run(args.cases, args.db, args.profile)


if __name__ == "__main__":
    main()
