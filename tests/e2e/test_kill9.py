"""kill -9 the syncing station anywhere: syncing again leaves no gap and no duplicate.

The station kills itself with SIGKILL at a test-only fault point
(``DAIBAN_FAULT``, see ``station.store.syncside``): before a batch is sent,
after the centre committed a batch but before its answer was stored, and in
the middle of applying a pull page.
"""

from __future__ import annotations

import json
import signal
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import Central, Station, invoke, write_cases

pytestmark = pytest.mark.slow  # a real central and several killed processes


def _killed(station: Station, fault: str) -> None:
    result = station.run("sync", "--json", fault=fault)
    assert result.returncode == -signal.SIGKILL, (fault, result.returncode, result.stderr)


def _station_events(station: Station) -> list[tuple[str, int]]:
    with sqlite3.connect(station.data_dir / "station.db") as db:
        return db.execute("SELECT id, station_seq FROM events ORDER BY station_seq").fetchall()


def _assert_whole(central: Central, station: Station, cases: int) -> dict[str, object]:
    """Sync to the end; the centre holds every event once, without gaps. Returns reconcile."""
    station.cli("sync")
    held = central.reconcile()[station.station_id]
    # Each event held once (re-pushes are answered "duplicate", never stored twice).
    assert (held["cases"], held["events"], held["max_station_seq"]) == (cases, cases * 3, cases * 3)
    assert (held["gaps"], held["duplicates"], held["sequence_conflicts"]) == ([], 0, 0)
    events = _station_events(station)
    assert len(events) == cases * 3 == len({event_id for event_id, _ in events})
    assert [seq for _, seq in events] == list(range(1, cases * 3 + 1))
    assert station.cli("station", "show")["outbox"] == 0
    states = {case["state"] for case in _exported(station)}
    assert states == {"submitted"}
    return held


def _exported(station: Station) -> list[dict[str, object]]:
    out = station.data_dir / "export.jsonl"
    invoke("case", "export", "--out", str(out), "--data-dir", str(station.data_dir))
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_a_sync_killed_at_each_point_is_completed_by_the_next(
    central: Central, village: Station, tmp_path: Path
) -> None:
    village.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 5)))
    for fault in ("before_push", "after_push_commit", "mid_pull_page"):
        _killed(village, fault)
    held = _assert_whole(central, village, 5)
    # Killed after the centre committed: the batch came again and was recognised.
    assert held["duplicate_pushes"] == 15
