"""No-change pull benchmark: ``python -m bench.pull [--others 1000 1000000]``.

A central SQLite database (migrated to head, in a temporary directory) is
filled directly (``executemany``, not through push) with a few events of one
township, then ``N`` events of OTHER townships after that township's cursor.
The township's no-change pull (``central.services.pull.pull_page``, the
centre's whole work for ``GET /pull``) is timed for each ``N``.

Prints ``name=value`` lines, per ``N``:

- ``nochange_pull_ms_<N>``: median wall time of one pull from the township's cursor;
- ``nochange_pull_cpu_us_<N>``: median CPU time of one pull (the steady figure);
- ``next_cursor_<N>``: where the pull moved the cursor (past the other townships'
  events), and ``repull_ms_<N>``: a pull from that cursor;
- ``plan``: SQLite's query plan of the page query (the township index, no scan);
- ``ratio``: the largest ``N``'s CPU figure over the smallest's (target <= 1.2);
- ``loadavg_before`` / ``loadavg_after``; ``calibration_ms_before`` / ``_after`` and ``steal_pct``: how fast it was (``bench.machine``).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session

from bench.machine import machine_after, machine_before
from central.db import make_engine
from central.migrate import upgrade
from central.models import Station
from central.services.pull import page_statement, pull_page

TOWNSHIP = "640522100000"
OTHER_TOWNSHIPS = ("640522101", "640522102", "640522103", "640522104")
OWN_EVENTS = 100
RUNS = 50
FILL_BATCH = 20_000


def emit(name: str, value: Any) -> None:
    """One ``name=value`` line."""
    if isinstance(value, float):
        value = f"{value:.3f}"
    print(f"{name}={value}", flush=True)


_COLUMNS = (
    "central_seq, id, case_id, case_number, division, kind, station_id, station_seq,"
    " schema_version, base_version, actor_id, actor_role, device_time, payload, status,"
    " reason, received_at, scope_division, scope_township"
)
_INSERT = f"INSERT INTO event ({_COLUMNS}) VALUES ({', '.join('?' * 19)})"


def _row(seq: int, township: str, now: str) -> tuple[Any, ...]:
    """One event row as SQLAlchemy stores it in SQLite (hex UUIDs, JSON text)."""
    division = f"{township}201"
    return (
        seq,
        uuid.uuid4().hex,
        uuid.uuid4().hex,
        f"{division}-20270101-{seq:06d}",
        division,
        "created",
        f"st-{township}",
        seq,
        1,
        0,
        "agent",
        "agent",
        now,
        '{"item_code": "640522-YB-001"}',
        "applied",
        None,
        now,
        division,
        township,
    )


def fill(engine: Engine, first: int, count: int, townships: tuple[str, ...]) -> int:
    """Insert ``count`` events from ``first`` on, round-robin over ``townships``
    (``executemany`` on the raw connection, a commit per batch, no fsync: a bench fill).

    Returns:
        The next central_seq.
    """
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    database = engine.url.database
    assert database is not None
    with closing(sqlite3.connect(database)) as conn:
        conn.execute("PRAGMA synchronous=OFF")
        seq = first
        while seq < first + count:
            upto = min(first + count, seq + FILL_BATCH)
            rows = [_row(s, townships[s % len(townships)], now) for s in range(seq, upto)]
            conn.executemany(_INSERT, rows)
            conn.commit()
            seq = upto
    return seq


def _time_pull(engine: Engine, station: Station, after: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of a pull from ``after``, and the cursor it gave."""
    walls, cpus, cursor = [], [], after
    for _ in range(RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        with Session(engine) as session:
            page = pull_page(session=session, station=station, after=after)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if page.events or page.has_more:
            raise RuntimeError("a no-change pull returned events")
        cursor = page.next_cursor
    return statistics.median(walls), statistics.median(cpus), cursor


@contextmanager
def central_db() -> Iterator[Engine]:
    """A migrated central SQLite database in a temporary directory (removed after)."""
    root = Path(tempfile.mkdtemp(prefix="daiban-bench-pull-"))
    engine = make_engine(f"sqlite:///{root / 'central.db'}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        shutil.rmtree(root, ignore_errors=True)


def measure(others: int) -> float:
    """The township's no-change pull with ``others`` events of other townships after it."""
    station = Station(
        id="st-township",
        division=TOWNSHIP,
        role="township",
        name="township",
        token_hash="0" * 64,
        enrolled_at=datetime.now(UTC),
    )
    with central_db() as engine:
        seq = fill(engine, 1, OWN_EVENTS, (TOWNSHIP[:9],))
        cursor = seq - 1
        started = time.perf_counter()
        fill(engine, seq, others, OTHER_TOWNSHIPS)
        emit(f"fill_s_{others}", time.perf_counter() - started)
        with engine.connect() as conn:
            compiled = page_statement(station, cursor, 501).compile(
                conn, compile_kwargs={"literal_binds": True}
            )
            plan = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
            conn.execute(text("ANALYZE"))
        emit("plan", " | ".join(str(row[-1]) for row in plan))
        wall, cpu, moved = _time_pull(engine, station, cursor)
        emit(f"nochange_pull_ms_{others}", wall * 1000)
        emit(f"nochange_pull_cpu_us_{others}", cpu * 1e6)
        emit(f"next_cursor_{others}", moved)
        again, _, _ = _time_pull(engine, station, moved)
        emit(f"repull_ms_{others}", again * 1000)
    return cpu


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.pull", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument(
        "--others", type=int, nargs="+", default=[1000, 1_000_000], help="other-township events"
    )
    args = parser.parse_args(argv)
    machine = machine_before(emit)
    figures = [measure(count) for count in args.others]
    emit("ratio", figures[-1] / figures[0])
    machine_after(emit, machine)


if __name__ == "__main__":
    main()
