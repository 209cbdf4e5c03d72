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


def test_a_sync_says_what_it_moved_in_records_and_an_overtaken_act_in_plain_words() -> None:
    """It said 被取代 0 条 after every sync: a word of the protocol, not the agent's."""
    from station.services.desksync import moved_text

    quiet = moved_text(SyncReport(pushed=3, pulled=2))
    assert quiet == "同步完成：上传 3 条记录，收到 2 条更新。"
    overtaken = moved_text(SyncReport(pushed=1, superseded=1))
    assert overtaken.startswith("同步完成：上传 1 条记录，收到 0 条更新。 有 1 项操作未生效")
    assert "原因见办件页" in overtaken and "被取代" not in overtaken
