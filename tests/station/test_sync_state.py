"""The desk's status line after a failed sync: when it last reached the centre, and why not now."""

from __future__ import annotations

from datetime import UTC, datetime

from station.services.today import read_sync_state
from station.store import StationStore
from sync.engine import SyncReport


def test_a_failed_sync_keeps_the_time_of_the_last_good_one(store: StationStore) -> None:
    """After a failed run the line said 上次同步 从未, though the station had synced that
    morning: the last good sync was read only from the latest run."""
    good = datetime(2026, 12, 5, 4, 40, tzinfo=UTC)
    store.record_sync(SyncReport(started_at=good, finished_at=good, pushed=1))
    failed_at = datetime(2026, 12, 5, 4, 45, tzinfo=UTC)
    store.record_sync(
        SyncReport(started_at=failed_at, finished_at=failed_at, error="无法连接中心：连接超时")
    )
    state = read_sync_state(store)
    assert state.last_success == good
    assert state.last_error == "无法连接中心：连接超时"
    later = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    store.record_sync(SyncReport(started_at=later, finished_at=later, pulled=2))
    state = read_sync_state(store)
    assert (state.last_success, state.last_error) == (later, "")
