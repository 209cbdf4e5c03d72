"""kill -9 the syncing station anywhere: syncing again leaves no gap and no duplicate.

The station kills itself with SIGKILL at a test-only fault point
(``DAIBAN_FAULT``, see ``station.store.syncside``): before a batch is sent,
after the centre committed a batch but before its answer was stored, and in
the middle of applying a pull page.
"""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import VILLAGE, Central, Station, write_cases


def _killed(station: Station, fault: str) -> None:
    result = station.run("sync", "--json", fault=fault)
    assert result.returncode == -signal.SIGKILL, (fault, result.returncode, result.stderr)


def _station_events(station: Station) -> list[tuple[str, int]]:
    with sqlite3.connect(station.data_dir / "station.db") as db:
        return db.execute("SELECT id, station_seq FROM events ORDER BY station_seq").fetchall()


def _assert_whole(central: Central, station: Station, cases: int) -> dict[str, object]:
    """Sync to the end; the centre holds every event once, without gaps. Returns reconcile."""
    final = station.run("sync", "--json")
    assert final.returncode == 0, final.stderr
    held = central.reconcile()[VILLAGE]
    # Each event held once (re-pushes are answered "duplicate", never stored twice).
    assert (held["cases"], held["events"], held["max_station_seq"]) == (cases, cases * 3, cases * 3)
    assert (held["gaps"], held["sequence_conflicts"]) == ([], 0)
    events = _station_events(station)
    assert len(events) == cases * 3 == len({event_id for event_id, _ in events})
    assert [seq for _, seq in events] == list(range(1, cases * 3 + 1))
    assert station.cli("station", "show")["outbox"] == 0
    states = {case["state"] for case in _exported(station)}
    assert states == {"submitted"}
    return held


def _exported(station: Station) -> list[dict[str, object]]:
    import json

    out = station.data_dir / "export.jsonl"
    station.run("case", "export", "--out", str(out))
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


@pytest.mark.slow
def test_3000_cases_through_five_kills(central: Central, village: Station, tmp_path: Path) -> None:
    imported = village.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 3000)))
    assert imported["imported"] == 3000
    # 9,000 events: 45 push batches of 200, 18 pull pages of 500.
    for fault in (
        "before_push:4",
        "after_push_commit:7",
        "after_push_commit:20",
        "mid_pull_page:2",
        "mid_pull_page:9",
    ):
        _killed(village, fault)
    held = _assert_whole(central, village, 3000)
    assert held["duplicate_pushes"] == 400  # the two batches whose answers were lost
