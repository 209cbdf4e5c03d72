"""办不成事 records, corrections and rating corrections through a real central, replayed:
a record syncs as a record at both ends (never a case), whatever is pushed or pulled twice,
and a station killed mid-pull ends where it would have."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from forms.catalog import load_catalog
from station.services.application import Actor
from station.services.cases import CaseService
from station.store import StationStore
from sync.client import CentralClient
from sync.events import Role
from sync.protocol import ResultStatus
from tests.e2e.conftest import Central, Station, enrolled_station, own_account, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback

_DIVISIONS = itertools.count(61)


@pytest.fixture
def village(central: Central, tmp_path: Path) -> Station:
    """A village of its own division (the module's central is shared)."""
    division = f"6405221002{next(_DIVISIONS):02d}"
    return enrolled_station(central, tmp_path / "village", division, "村便民服务站", "village")


def _record_two(store: StationStore) -> list[str]:
    service = CaseService(store, load_catalog(), Actor(own_account(store), Role.agent, "王代办"))
    first = service.record_unresolved(what="办理林权证", why="本站无此事项", contact="139")
    second = service.record_unresolved(what="办理残疾证", why="须本人到县残联", contact="")
    return [first.number, second.number]


def _no_sleep(_seconds: float) -> None:
    raise AssertionError("the centre answered 429/5xx or could not be reached")


def test_records_pushed_and_pulled_twice_stay_records_at_both_ends(
    central: Central, village: Station, tmp_path: Path
) -> None:
    village.cli("case", "import", str(write_cases(tmp_path / "cases.jsonl", 2)))
    store = StationStore.open(village.data_dir)
    try:
        numbers = _record_two(store)
        batch = store.outbox_batch(10_000, 1 << 30)
        identity = store.require_identity()
        with CentralClient(identity.central_url, identity.token, sleep=_no_sleep) as client:
            first = client.push(batch)
            assert {r.status for r in first.results} == {ResultStatus.applied}
            replay = client.push(batch)
            assert {r.status for r in replay.results} == {ResultStatus.duplicate}
            store.acknowledge(first.results)
            store.acknowledge(replay.results)  # an answer stored twice changes nothing
            page = client.pull(0)
        held = central.reconcile()[village.station_id]
        assert (held["cases"], held["unresolved"], held["events"], held["gaps"]) == (2, 2, 6, [])
        store.apply_pull_page(page)
        records = {r.number: r for r in store.list_records()}
        store.apply_pull_page(page)  # the same page again
        assert {r.number: r for r in store.list_records()} == records
        assert sorted(records) == sorted(numbers)
        for record in records.values():
            assert [(h.kind.value, h.status.value) for h in record.history] == [
                ("reported", "applied")
            ]
        assert store.count_cases() == 2
        assert {c.state for c in store.list_cases()} == {"received"}
    finally:
        store.close()
    stats = central.cli("report", "stats")
    assert stats["unresolved"] >= 2
    assert "draft" not in stats["by_state"]


def test_a_station_killed_mid_pull_with_records_ends_where_it_would_have(
    central: Central, village: Station
) -> None:
    store = StationStore.open(village.data_dir)
    try:
        numbers = _record_two(store)
    finally:
        store.close()
    killed = village.run("sync", "--json", fault="mid_pull_page")
    assert killed.returncode != 0
    report = village.cli("sync")
    assert report["pending"] == 0
    store = StationStore.open(village.data_dir)
    try:
        records = store.list_records()
        assert sorted(r.number for r in records) == sorted(numbers)
        assert all(h.status.value == "applied" for r in records for h in r.history)
        assert store.count_cases() == 0
        assert store.outbox_depth() == 0
    finally:
        store.close()
    held = central.reconcile()[village.station_id]
    assert (held["cases"], held["unresolved"], held["events"], held["gaps"]) == (0, 2, 2, [])
