"""Migration 0015 keys the search index by the case's row, 0016 adds the home's indexes:
a station of the last release (0014: the index keyed by case id) upgrades with every case
still found by name, number and phone, its unsent events still unsent and sent once, and
a later 补正 replaces the case's terms (found by row now, not by scanning for the id)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from station.services.cases import CaseService
from station.store import StationStore
from station.store.db import reading, writing
from tests.unit.store.conftest import application, downgrade
from tests.unit.store.test_lifecycle_fixes import TODAY, returned

LAST_RELEASE = "0014_search_after_correction"


def _found(store: StationStore, query: str) -> list[str]:
    return sorted(case.case_number for case in store.list_cases(query))


def _index_columns(store: StationStore) -> list[str]:
    with reading(store.engine) as conn:
        return [row[1] for row in conn.execute(text("PRAGMA table_info(cases_fts)"))]


def _pending(store: StationStore) -> list[str]:
    with reading(store.engine) as conn:
        rows = conn.execute(text("SELECT id FROM events WHERE status = 'pending' ORDER BY id"))
        return [row[0] for row in rows]


def test_a_last_release_station_upgrades_and_finds_every_case(
    service: CaseService, store: StationStore, tmp_path: Path
) -> None:
    numbers = [
        service.take_in(application("张三丰", serial), today=TODAY).case_number for serial in (1, 2)
    ]
    corrected = returned(service, store, allow_more=True)  # 马兰花, phone 13800000000
    unsent = _pending(store)
    assert unsent and store.outbox_depth() == len(unsent)
    downgrade(store, LAST_RELEASE)
    store.close()
    old = StationStore.open(tmp_path / "station", revision=LAST_RELEASE)
    assert _index_columns(old) == ["case_id", "terms"]  # as 0014 keeps it
    with reading(old.engine) as conn:  # every case's terms, by its id
        held = conn.execute(text("SELECT count(*) FROM cases_fts JOIN cases USING (case_id)"))
        assert held.scalar_one() == 3
    with writing(old.engine) as conn:  # a case's terms twice (a rowid holds one: no failure)
        conn.execute(text("INSERT INTO cases_fts SELECT case_id, terms FROM cases_fts LIMIT 1"))
    old.close()

    upgraded = StationStore.open(tmp_path / "station")

    assert _index_columns(upgraded) == ["terms"]
    with reading(upgraded.engine) as conn:  # and 0016's indexes for the home's lists
        owed = conn.execute(text("PRAGMA index_info(ix_cases_owed)")).all()
        flagged = conn.execute(text("PRAGMA index_info(ix_cases_flagged)")).all()
    assert [row[2] for row in owed] == ["owed_by", "case_number"]
    assert [row[2] for row in flagged] == ["updated_at"]
    assert _found(upgraded, "张三丰") == sorted(numbers)
    assert _found(upgraded, "zsf") == sorted(numbers)  # pinyin initials
    assert _found(upgraded, numbers[1]) == [numbers[1]]
    assert _found(upgraded, "马兰花") == [corrected]
    assert _found(upgraded, "13800000000") == sorted([*numbers, corrected])
    assert upgraded.count_cases("张") == 2
    assert _pending(upgraded) == unsent  # nothing sent, nothing lost, nothing doubled
    assert upgraded.outbox_depth() == len(unsent)

    service.store = upgraded
    service.correct(corrected, {"applicant.phone": "13912345678"})
    assert _found(upgraded, "13912345678") == [corrected]
    assert _found(upgraded, "13800000000") == sorted(numbers)  # its old terms are gone
    with reading(upgraded.engine) as conn:  # one row of terms per case, none left over
        rows = conn.execute(text("SELECT count(*), count(DISTINCT rowid) FROM cases_fts"))
        assert tuple(rows.one()) == (3, 3)
    upgraded.close()
