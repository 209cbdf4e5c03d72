"""A release-0007 station (whole case views, events not yet sent) upgrades to lean views
(migration 0008_size_lean_view), reads every case as before, and syncs everything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from forms.catalog import load_catalog
from station.services.application import Actor, Application
from station.services.cases import CaseService
from station.store import StationStore, eventlog, projection, stored
from station.store.db import reading, writing
from sync.events import Role
from tests.e2e.conftest import VILLAGE, Central, Station, case_line, enrolled_station

pytestmark = pytest.mark.slow  # a real central on loopback

LAST_RELEASE = "0007_audit2_id_hmac"


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """The upgrade is the station's; the centre's backend adds nothing here."""
    return sqlite_central


def _take_in_as_last_release(store: StationStore, agent_id: str) -> list[str]:
    """Three cases taken in (unsent), their views stored whole as the last release did."""
    service = CaseService(store, load_catalog(), Actor(agent_id, Role.agent, "王代办"))
    applications = []
    for serial in range(21, 24):
        line = json.loads(case_line(serial))
        line["item_code"] = line.pop("item")
        line.pop("receive")
        applications.append(service.intake_events(Application.model_validate(line)))
    views = service.take_in_many(applications)
    with writing(store.engine) as conn:
        for view in views:
            conn.execute(
                text("UPDATE cases SET view = :v WHERE case_id = :c"),
                {"v": view.model_dump_json(), "c": view.case_id.hex},
            )
    return [view.case_number for view in views]


def _raw_views(store: StationStore) -> list[str]:
    with reading(store.engine) as conn:
        return list(conn.execute(text("SELECT view FROM cases")).scalars())


def test_whole_views_with_unsent_events_become_lean_and_sync(
    central: Central, tmp_path: Path
) -> None:
    enrolled = enrolled_station(central, tmp_path / "enrolled", VILLAGE, "杨郎村", "village")
    identity = StationStore.open(enrolled.data_dir).require_identity()
    old_dir = tmp_path / "old"
    old = StationStore.open(old_dir, revision=LAST_RELEASE)
    old.save_identity(identity)
    # today's service takes the cases in, and its rows carry the column 0013 adds: made
    # here for them (0013 keeps a column it finds; tests/unit/store/test_intake.py
    # upgrades a 0012 database that lacks it)
    with writing(old.engine) as conn:
        conn.execute(text("ALTER TABLE cases ADD COLUMN owed_by VARCHAR"))
    numbers = _take_in_as_last_release(old, enrolled.user_id)
    before = {number: old.get_case(number) for number in numbers}
    assert all('"history":' in raw for raw in _raw_views(old))
    old.close()

    upgraded = StationStore.open(old_dir)
    assert all("history" not in json.loads(raw) for raw in _raw_views(upgraded))
    assert {number: upgraded.get_case(number) for number in numbers} == before
    assert upgraded.outbox_depth() == 6  # nothing unsent was lost
    with reading(upgraded.engine) as conn:
        indexes = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert "ix_cases_state" not in indexes
    upgraded.close()

    report = Station(old_dir).cli("sync")
    assert (report["pushed"], report["pending"]) == (9, 0)  # sync submits what was taken in
    held = central.reconcile()[identity.station_id]
    assert (held["cases"], held["events"], held["gaps"]) == (3, 9, [])
    synced = StationStore.open(old_dir)
    with reading(synced.engine) as conn:
        for case in synced.list_cases():
            view = synced.get_case(case.case_number)
            assert view is not None and view.state.value == "submitted"
            folded = projection.fold_rows(eventlog.case_rows(conn, view.case_id.hex))
            assert view == folded
            assert all(entry.central_seq for entry in view.history)
        raws = list(conn.execute(text("SELECT view FROM cases")).scalars())
        assert all(json.loads(raw)[stored.HISTORY_KEY] for raw in raws)
    synced.close()
