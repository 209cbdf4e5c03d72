"""A station's own events come back from the centre as acknowledgements, not in full;
a copy that lacks some of them (restored from an older backup) still gets them in full.

A real central on loopback and real stations driven through the CLI.
"""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import pytest

from station.store import StationStore, projection
from station.store.db import reading
from sync.reducer import EntryStatus
from tests.e2e.conftest import Central, Station, enrolled_station, write_cases

pytestmark = pytest.mark.slow  # a real central and real station processes


def _own_events(station: Station) -> list[tuple[str, int, int | None, str]]:
    """(id, station_seq, central_seq, status) of the station's own events, by station_seq."""
    with sqlite3.connect(station.data_dir / "station.db") as db:
        return db.execute(
            "SELECT id, station_seq, central_seq, status FROM events WHERE station_id = ?"
            " ORDER BY station_seq, central_seq",
            (station.station_id,),
        ).fetchall()


def _history(station: Station) -> dict[str, list[tuple[EntryStatus, int | None]]]:
    """Each stored case view's history as (status, central_seq), by case id."""
    store = StationStore.open(station.data_dir)
    try:
        with reading(store.engine) as conn:
            ids = [row[0] for row in conn.exec_driver_sql("SELECT case_id FROM cases")]
            views = {case_id: projection.load(conn, case_id) for case_id in ids}
    finally:
        store.close()
    return {
        key: [(h.status, h.central_seq) for h in view.history]
        for key, view in views.items()
        if view is not None
    }


def _settled(station: Station) -> bool:
    """Every case's history entries applied at the centre (none still pending)."""
    return all(
        status is EntryStatus.applied and seq is not None
        for history in _history(station).values()
        for status, seq in history
    )


def test_a_sync_acknowledges_own_events_and_settles_their_cases(
    sqlite_central: Central, tmp_path: Path
) -> None:
    village = enrolled_station(sqlite_central, tmp_path / "v", "640522100221", "v", "village")
    village.cli("case", "import", str(write_cases(tmp_path / "three.jsonl", 3)))
    report = village.cli("sync")
    assert (report["applied"], report["pulled"]) == (9, 0)  # no own event came back in full
    assert _settled(village)
    events = _own_events(village)
    assert len(events) == 9 and all(seq is not None for _, _, seq, _ in events)


def test_a_sync_killed_between_push_and_pull_is_completed_once(
    sqlite_central: Central, tmp_path: Path
) -> None:
    village = enrolled_station(sqlite_central, tmp_path / "v", "640522100222", "v", "village")
    village.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))
    for fault in ("after_push_commit", "mid_pull_page"):
        result = village.run("sync", "--json", fault=fault)
        assert result.returncode == -signal.SIGKILL, (fault, result.stderr)
    report = village.cli("sync")
    assert report["pulled"] == 0 and report["pending"] == 0
    held = sqlite_central.reconcile()[village.station_id]
    assert (held["events"], held["duplicates"], held["gaps"]) == (6, 0, [])
    events = _own_events(village)
    assert [seq for _, seq, _, _ in events] == list(range(1, 7))
    assert {status for _, _, _, status in events} == {"applied"}  # "duplicate" settled
    assert _settled(village)


def _restored(central: Central, tmp_path: Path, division: str) -> tuple[Station, set[str]]:
    """A copy restored from a backup holding the first case, while the PC had pushed two
    more before it died; and the ids of all the events the PC pushed."""
    old = enrolled_station(central, tmp_path / "old", division, "v", "village")
    old.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    old.cli("sync")
    folder = old.cli("station", "backup", "--out", str(tmp_path / "usb"))["path"]
    old.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2, first=2)))
    old.cli("sync")
    pushed = {event_id for event_id, *_ in _own_events(old)}
    new = Station(tmp_path / "new", station_id=old.station_id, user=old.user)
    new.cli("station", "restore", str(folder), "--yes")
    assert len(_own_events(new)) == 3
    return new, pushed


def test_a_copy_restored_from_an_older_backup_gets_its_later_events_in_full(
    sqlite_central: Central, tmp_path: Path
) -> None:
    new, pushed = _restored(sqlite_central, tmp_path, "640522100223")
    report = new.cli("sync")
    assert (report["pulled"], report["pending"]) == (6, 0)  # the 6 it lacked, in full
    events = _own_events(new)
    assert {event_id for event_id, *_ in events} == pushed
    assert all(seq is not None for _, _, seq, _ in events)
    assert len(_history(new)) == 3 and _settled(new)
    assert new.cli("sync")["pulled"] == 0


def test_acknowledgements_of_events_a_copy_lacks_bring_the_page_in_full(
    sqlite_central: Central, tmp_path: Path
) -> None:
    """The restored copy numbers a case before its first sync: its station_seq numbers are
    the lost events' (it asks acknowledgements up to them), so the acknowledgements name
    events it does not hold and the page is pulled again in full."""
    new, _ = _restored(sqlite_central, tmp_path, "640522100224")
    new.cli("case", "import", str(write_cases(tmp_path / "again.jsonl", 1, first=4)))
    report = new.cli("sync")
    assert report["error"] is None and report["pending"] == 0 and report["rejected"] == 0
    # The page in full: the 6 it lacked and its 3 new ones (acknowledged, they would not count).
    assert report["pulled"] == 9
    assert sqlite_central.reconcile()[new.station_id]["cases"] == 4
    assert _settled(new)
