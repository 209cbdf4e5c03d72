"""An upgrade never loses an unsynced event: an old-schema database is migrated, then syncs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import column, insert, table, text

from forms.catalog import load_catalog
from station.services.application import Actor, Application
from station.services.cases import CaseService
from station.store import NewEvent, StationStore, build_events, eventlog, meta, projection
from station.store.db import writing
from sync.events import EventKind, Role
from tests.e2e.conftest import (
    VILLAGE,
    Central,
    Station,
    case_line,
    enrolled_station,
)

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """The upgrade is the station's; the centre's backend adds nothing here."""
    return sqlite_central


def _write_as_old_software(store: StationStore, serials: range, agent_id: str) -> list[str]:
    """Cases written the way the base-schema software did (no ``flagged``, no search index)."""
    identity = store.require_identity()
    service = CaseService(store, load_catalog(), Actor(agent_id, Role.agent, "王代办"))
    numbers = []
    with writing(store.engine) as conn:
        for serial in serials:
            line = json.loads(case_line(serial))
            line["item_code"] = line.pop("item")
            line.pop("receive")
            events = service.intake_events(Application.model_validate(line))
            seq = meta.take(conn, meta.NEXT_STATION_SEQ, len(events))
            number = f"{VILLAGE}-{date(2026, 11, 1):%Y%m%d}-{serial:04d}"
            view, built = build_events(identity, None, events, seq, number)
            eventlog.insert_local(conn, built)
            row = projection.case_row(view, key=bytes(32))  # rehashed by migration 0007
            for newer in ("flagged", "item_name", "owed_by"):  # columns later revisions added
                row.pop(newer)
            old_cases = table("cases", *(column(name) for name in row))
            conn.execute(insert(old_cases).values(**row))
            numbers.append(number)
    return numbers


def test_an_old_database_with_unsynced_events_is_migrated_and_syncs_everything(
    central: Central, tmp_path: Path
) -> None:
    # Enroll through the CLI, then start over at the base schema with that identity.
    enrolled = enrolled_station(central, tmp_path / "enrolled", VILLAGE, "杨郎村", "village")
    identity = StationStore.open(enrolled.data_dir).require_identity()
    old_dir = tmp_path / "old"
    old = StationStore.open(old_dir, revision="0001_base")
    old.save_identity(identity)
    numbers = _write_as_old_software(old, range(1, 4), enrolled.user_id)
    old.close()

    station = Station(old_dir)
    report = station.cli("sync")  # opening the store migrates it first
    assert (report["pushed"], report["pending"]) == (9, 0)
    assert len(list((old_dir / "backups").glob("station-0001_base-*.db"))) == 1
    held = central.reconcile()[identity.station_id]
    assert (held["cases"], held["events"], held["gaps"]) == (3, 9, [])
    upgraded = StationStore.open(old_dir)
    assert [c.case_number for c in upgraded.list_cases("zsf")] == sorted(numbers, reverse=True)
    assert {c.state for c in upgraded.list_cases()} == {"submitted"}


def _write_unresolved_as_release_0003(store: StationStore, agent_id: str) -> str:
    """A 办不成事 as the last release wrote it: a case (``created``, kind unresolved), unsent."""
    identity = store.require_identity()
    payload = {"kind": "unresolved", "what": "办理林权证", "why": "本站无此事项", "contact": ""}
    event = NewEvent(EventKind.created, agent_id, Role.agent, payload)
    number = f"{identity.division}-{date(2026, 11, 30):%Y%m%d}-0009"
    with writing(store.engine) as conn:
        seq = meta.take(conn, meta.NEXT_STATION_SEQ)
        view, built = build_events(identity, None, [event], seq, number)
        eventlog.insert_local(conn, built)
        # today's projection writes the row: the column 0013 adds is made for it (0013
        # keeps a column it finds); the rest of the row is as 0003 wrote it
        conn.execute(text("ALTER TABLE cases ADD COLUMN owed_by VARCHAR"))
        projection.insert_new(conn, [view])
    return number


def test_a_release_0003_database_moves_its_unresolved_cases_to_records_and_syncs_them(
    central: Central, tmp_path: Path
) -> None:
    division = "640522100231"
    enrolled = enrolled_station(central, tmp_path / "enrolled", division, "新村", "village")
    identity = StationStore.open(enrolled.data_dir).require_identity()
    old_dir = tmp_path / "old"
    old = StationStore.open(old_dir, revision="0003_case_list_columns")
    old.save_identity(identity)
    numbers = _write_as_old_software(old, range(11, 13), enrolled.user_id)
    legacy = _write_unresolved_as_release_0003(old, enrolled.user_id)
    assert old.count_cases() == 3  # the last release counted it as a case (a draft)
    old.close()

    upgraded = StationStore.open(old_dir)
    assert upgraded.count_cases() == 2
    assert legacy not in {c.case_number for c in upgraded.list_cases()}
    [record] = upgraded.list_records()
    assert (record.number, record.what, record.state) == (legacy, "办理林权证", "reported")
    assert upgraded.outbox_depth() == 5  # nothing unsent was lost
    upgraded.close()

    report = Station(old_dir).cli("sync")
    assert (report["pushed"], report["pending"]) == (7, 0)  # sync submits what was taken in
    held = central.reconcile()[identity.station_id]
    assert (held["cases"], held["unresolved"], held["events"], held["gaps"]) == (2, 1, 7, [])
    synced = StationStore.open(old_dir)
    [record] = synced.list_records()
    assert [h.status.value for h in record.history] == ["applied"]
    assert sorted(c.case_number for c in synced.list_cases()) == sorted(numbers)
    synced.close()
