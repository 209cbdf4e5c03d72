"""3,000 cases through five kill -9s (SQLite centre; the small kill test covers PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Central, Station, write_cases
from tests.e2e.test_kill9 import _assert_whole, _killed


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    return sqlite_central


@pytest.mark.slow
def test_3000_cases_through_five_kills(central: Central, village: Station, tmp_path: Path) -> None:
    imported = village.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 3000)))
    assert imported["imported"] == 3000
    # 9,000 events: the first 200 with the sync (POST /sync), then batches of 1,000;
    # 18 pull pages of 500.
    for fault in (
        "before_push:4",
        "after_push_commit:3",
        "after_push_commit:5",
        "mid_pull_page:2",
        "mid_pull_page:9",
    ):
        _killed(village, fault)
    held = _assert_whole(central, village, 3000)
    # Pushes go out as a pipeline: the next batch leaves before this one's answer is
    # stored, and up to two batches of different cases are at the centre at once. So a
    # kill loses the answers of the batch being recorded (after_push_commit) and of the
    # ones in flight, if they reached the centre before the kill (before_push reads ahead
    # while batches are in flight): each of the two after_push_commit kills a backlog's
    # batch (333 whole cases: each case's 收件 with its 提交, submitted at the sync) and
    # perhaps the two in flight, the before_push kill perhaps the two in flight; they
    # come back as duplicates, whole cases.
    duplicates = held["duplicate_pushes"]
    assert isinstance(duplicates, int) and duplicates % 3 == 0, duplicates
    assert 1998 <= duplicates <= 8000, duplicates
