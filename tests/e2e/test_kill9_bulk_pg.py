"""A backlog pushed two batches at a time to a PostgreSQL centre, through kill -9s.

The station sends a batch that shares no case with the one in flight without waiting for
that answer, so a kill can lose the answers of up to three batches the centre committed
(the one being recorded and two in flight); they come back as duplicates, whole. The
SQLite centre's run with 3,000 cases is ``test_kill9_bulk``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Central, Station, running_central, write_cases
from tests.e2e.test_kill9 import _assert_whole, _killed

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Central]:
    cluster = request.getfixturevalue("pg_cluster")
    database = cluster.create_database(f"e2e_{uuid.uuid4().hex[:12]}")
    with running_central(tmp_path_factory.mktemp("county"), ("--db", database)) as running:
        yield running


def test_1500_cases_two_batches_at_a_time_through_three_kills(
    central: Central, village: Station, tmp_path: Path
) -> None:
    imported = village.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 1500)))
    assert imported["imported"] == 1500
    # 4,500 events: 200 with the sync (POST /sync), then batches of 1,000 of other cases
    for fault in ("before_push:3", "after_push_commit:3", "after_push_commit:4"):
        _killed(village, fault)
    held = _assert_whole(central, village, 1500)
    duplicates = held["duplicate_pushes"]
    assert isinstance(duplicates, int) and 1000 <= duplicates <= 7000, duplicates
