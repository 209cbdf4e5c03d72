"""Database size benchmark: ``python -m bench.size --cases N``.

A real central (``daiban central serve``, SQLite) on loopback and a real
village station enrolled through the real endpoint. N cases are taken in the
way the desk and ``daiban case import`` write them (``created`` + ``received``,
then ``submitted`` as a sync does: 3 events each), then one real ``run_sync``
pushes them, the centre confirms them and the station pulls its own events
back, as in the field. Then both databases are measured.

Prints ``name=value`` lines, for the station (``station_*``) and the centre
(``central_*``):

- ``<side>_bytes_per_case``: the database's used pages (file pages minus free
  ones, after a WAL checkpoint) grown since before the intake, per case;
- ``<side>_<table or index>_bytes_per_case``: the same per b-tree, from SQLite's
  ``dbstat`` virtual table (page counts x page size where it is missing),
  largest first, with ``..._payload_bytes_per_case`` for the stored bytes alone
  (what the pages hold, without their free space);
- ``loadavg_before`` / ``loadavg_after``: how busy the machine was (sizes do not
  depend on it; the intake and sync times printed do); ``calibration_ms_before`` /
  ``_after`` and ``steal_pct``: how fast it was (``bench.machine``).

Target (issue 14, not an assertion): station <= 3.5 KB per case, centre <= 3 KB.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench._central import CentralRun
from bench.machine import machine_after, machine_before
from bench.sync import VILLAGE, emit, enrolled, take_in


@dataclass
class Usage:
    """What one SQLite database uses: pages in all, and bytes per b-tree."""

    used: int
    """Bytes of the pages in use (page count minus the free list) x page size."""
    trees: dict[str, int] = field(default_factory=dict)
    """Bytes of pages per table or index (``dbstat``)."""
    payload: dict[str, int] = field(default_factory=dict)
    """Bytes of content per table or index (without the pages' free space)."""

    def minus(self, other: Usage) -> Usage:
        """What grew since ``other``."""
        names = set(self.trees) | set(other.trees)
        return Usage(
            self.used - other.used,
            {n: self.trees.get(n, 0) - other.trees.get(n, 0) for n in names},
            {n: self.payload.get(n, 0) - other.payload.get(n, 0) for n in names},
        )


def measure(path: Path) -> Usage:
    """Pages and per-b-tree bytes of the SQLite file at ``path`` (WAL folded in first)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        trees: dict[str, int] = defaultdict(int)
        payload: dict[str, int] = defaultdict(int)
        try:
            rows = conn.execute(
                "SELECT name, SUM(pgsize), SUM(payload) FROM dbstat GROUP BY name"
            ).fetchall()
        except sqlite3.OperationalError:  # no dbstat in this SQLite: page counts only
            rows = []
        for name, size, stored in rows:
            trees[name] += size
            payload[name] += stored
        return Usage((pages - free) * page, dict(trees), dict(payload))
    finally:
        conn.close()


def report(side: str, grown: Usage, cases: int) -> None:
    """Bytes per case in all and per b-tree (the largest first; tiny ones left out)."""
    emit(f"{side}_bytes_per_case", grown.used / cases)
    for name, size in sorted(grown.trees.items(), key=lambda item: -item[1]):
        if size / cases < 1:
            continue
        emit(f"{side}_{name}_bytes_per_case", size / cases)
        emit(f"{side}_{name}_payload_bytes_per_case", grown.payload.get(name, 0) / cases)


def run(cases: int) -> None:
    """Take the cases in, sync them, measure both databases."""
    emit("cases", cases)
    machine = machine_before(emit)
    with (
        CentralRun("sqlite", 1) as central,
        enrolled(central, "village", VILLAGE, "village") as village,
    ):
        central_db = central.central_dir / "central.db"
        station_db = village.store.db_path
        village.sync()  # accounts and catalog first: not the cases' bytes
        station_before, central_before = measure(station_db), measure(central_db)
        started = time.perf_counter()
        take_in(village.store, 1, cases, village.agent_id)
        emit("intake_s", time.perf_counter() - started)
        started = time.perf_counter()
        done = village.sync()
        emit("sync_s", time.perf_counter() - started)
        if done.applied != 3 * cases or done.pending:
            raise RuntimeError(f"the sync did not confirm every event: {done}")
        report("station", measure(station_db).minus(station_before), cases)
        report("central", measure(central_db).minus(central_before), cases)
    machine_after(emit, machine)


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.size", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=2000, help="cases taken in (3 events each)")
    args = parser.parse_args(argv)
    if args.cases < 1:
        parser.error("--cases must be at least 1")
    try:
        run(args.cases)
    except KeyboardInterrupt:
        print("interrupted: the central and the temporary files are removed", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
