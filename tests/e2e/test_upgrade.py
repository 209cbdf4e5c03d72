"""An upgrade never loses an unsynced event: an old-schema database is migrated, then syncs."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import column, insert, table

from forms.catalog import load_catalog
from station.services.application import Actor, Application
from station.services.cases import CaseService
from station.store import StationStore, build_events, eventlog, meta, projection
from station.store.db import writing
from sync.events import Role
from tests.e2e.conftest import VILLAGE, Central, Station, case_line, enrolled_station

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """The upgrade is the station's; the centre's backend adds nothing here."""
    return sqlite_central


def _write_as_old_software(store: StationStore, serials: range) -> list[str]:
    """Cases written the way the base-schema software did (no ``flagged``, no search index)."""
    identity = store.require_identity()
    service = CaseService(store, load_catalog(), Actor("u-agent", Role.agent, "王代办"))
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
            row = projection.case_row(view)
            for newer in ("flagged", "item_name"):  # columns later revisions added
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
    numbers = _write_as_old_software(old, range(1, 4))
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
