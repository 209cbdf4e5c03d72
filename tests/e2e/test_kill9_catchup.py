"""A township's catch-up killed (-9) part-way: what it held in memory is rebuilt from
its events, every case whole, none twice (SQLite centre; a real ``daiban sync``)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.conftest import Central, Station, write_cases
from tests.e2e.test_kill9 import _exported, _killed

CASES = 400
"""1,200 events: pages of 500 (taken in and received, then all submitted at the sync)."""


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    return sqlite_central


def _by_number(station: Station) -> dict[str, dict[str, object]]:
    exported = _exported(station)
    numbers = Counter(str(case["case_number"]) for case in exported)
    assert not [number for number, seen in numbers.items() if seen > 1]
    return {str(case["case_number"]): case for case in exported}


def _first_page_states(central: Central, division: str) -> dict[str, str]:
    """Each case of the first 500 events the centre holds of the village ``division`` (the
    township's first page), by number: its state after them (whole: submitted; only
    taken in: received)."""
    (database,) = central.data_dir.glob("**/central.db")
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT case_number, kind FROM event WHERE division = ? ORDER BY central_seq LIMIT 500",
            (division,),
        ).fetchall()
    after = {"created": "draft", "received": "received", "submitted": "submitted"}
    return {number: after[kind] for number, kind in rows}


def test_a_township_killed_mid_catch_up_rebuilds_what_it_held(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    imported = village.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", CASES)))
    assert imported["imported"] == CASES
    village.cli("sync")
    # The first page (the centre's first 500 events: its cases whole, or taken in and
    # received) is committed with its views held in memory; the process dies in the
    # second page's transaction.
    _killed(township, "mid_pull_page:2")
    after_kill = _by_number(township)  # the next command opens the station
    first_page = _first_page_states(central, next(iter(after_kill)).split("-")[0])
    assert 100 <= len(first_page) < CASES
    assert {number: case["state"] for number, case in after_kill.items()} == first_page
    township.cli("sync")
    held = _by_number(township)
    assert len(held) == CASES
    assert {case["state"] for case in held.values()} == {"submitted"}
    expected = _by_number(village)
    for number, case in held.items():
        village_case = expected[number]
        assert case["history"] == village_case["history"], number
        assert case["applicant"] == village_case["applicant"], number
