"""A station of the last release (0009: synced cases and unsent events) upgrades to the
smaller form (migration 0010_sslim), reads every case as before, and sends exactly
what it had not sent."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from forms.catalog import load_catalog
from station.services.application import Actor, Application
from station.services.cases import CaseService
from station.store import StationStore, eventlog, meta, migrate, projection, stored
from station.store.db import reading, writing
from sync.events import Role
from sync.views import CaseView
from tests.e2e.conftest import (
    VILLAGE,
    Central,
    Station,
    case_line,
    enrolled_station,
    resident_id,
)

pytestmark = pytest.mark.slow  # a real central on loopback

LAST_RELEASE = "0009_remote_seq_clash"
ACKED = "2026-12-01T08:00:00.000000+00:00"


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """The upgrade is the station's; the centre's backend adds nothing here."""
    return sqlite_central


def _take_in(store: StationStore, agent_id: str, serials: range) -> list[str]:
    service = CaseService(store, load_catalog(), Actor(agent_id, Role.agent, "王代办"))
    applications = []
    for serial in serials:
        line = json.loads(case_line(serial))
        line["item_code"] = line.pop("item")
        line.pop("receive")
        applications.append(service.intake_events(Application.model_validate(line)))
    return [view.case_number for view in service.take_in_many(applications)]


def _downgrade(data_dir: Path, revision: str) -> None:
    store = StationStore.open(data_dir)
    config = migrate.alembic_config()
    with store.engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
        conn.commit()
    store.close()


def _as_last_release(store: StationStore) -> None:
    """Every row as the last release wrote it: views with every field, spaced payloads,
    acked_at kept, whole keyed hashes."""
    with writing(store.engine) as conn:
        rows = conn.execute(select(*stored.COLUMNS)).all()
        key = bytes.fromhex(str(meta.get(conn, meta.ID_HASH_KEY)))
        for view in stored.load_many(conn, rows):
            number = view.applicant.id_number if view.applicant else ""
            conn.execute(
                text("UPDATE cases SET view = :v, id_hash = :h WHERE case_id = :c"),
                {
                    "v": stored.dump(view, keep_columns=True),
                    "h": hmac.new(key, number.encode(), hashlib.sha256).hexdigest(),
                    "c": view.case_id.hex,
                },
            )
        for event_id, payload in conn.execute(text("SELECT id, payload FROM events")).all():
            spaced = json.dumps(json.loads(payload), ensure_ascii=False, default=str)
            conn.execute(
                text("UPDATE events SET payload = :p WHERE id = :i"), {"p": spaced, "i": event_id}
            )
        conn.execute(
            text("UPDATE events SET acked_at = :a WHERE status != 'pending'"), {"a": ACKED}
        )


def _sql(store: StationStore, query: str) -> list[Any]:
    with reading(store.engine) as conn:
        return list(conn.execute(text(query)).scalars())


def test_a_last_release_station_upgrades_and_sends_exactly_its_unsent_events(
    central: Central, tmp_path: Path
) -> None:
    enrolled = enrolled_station(central, tmp_path / "station", VILLAGE, "杨郎村", "village")
    data_dir = enrolled.data_dir
    synced = _take_in(StationStore.open(data_dir), enrolled.user_id, range(31, 34))
    assert enrolled.cli("sync")["pushed"] == 9  # 3 cases, submitted: synced
    _downgrade(data_dir, LAST_RELEASE)
    old = StationStore.open(data_dir, revision=LAST_RELEASE)
    # today's service takes the cases in, and its rows carry the column 0013 adds: made
    # here for them (0013 keeps a column it finds; tests/unit/store/test_intake.py
    # upgrades a 0012 database that lacks it)
    with writing(old.engine) as conn:
        conn.execute(text("ALTER TABLE cases ADD COLUMN owed_by VARCHAR"))
    unsent = _take_in(old, enrolled.user_id, range(34, 36))
    _as_last_release(old)
    before = {number: old.get_case(number) for number in synced + unsent}
    assert all('"case_id"' in raw for raw in _sql(old, "SELECT view FROM cases"))
    assert all(", " in raw for raw in _sql(old, "SELECT payload FROM events WHERE payload != '{}'"))
    assert old.outbox_depth() == 4
    assert {len(h) for h in _sql(old, "SELECT id_hash FROM cases")} == {64}
    old.close()

    upgraded = StationStore.open(data_dir)
    assert {number: upgraded.get_case(number) for number in before} == before
    assert all(
        upgraded.get_case(n).model_dump_json() == v.model_dump_json()  # type: ignore[union-attr]
        for n, v in before.items()
        if v is not None
    )
    raws = [json.loads(raw) for raw in _sql(upgraded, "SELECT view FROM cases")]
    assert all("case_id" not in raw and "applicant" not in raw and "p" in raw for raw in raws)
    assert not any(", " in p for p in _sql(upgraded, "SELECT payload FROM events"))
    assert _sql(upgraded, "SELECT count(*) FROM events WHERE acked_at IS NOT NULL") == [0]
    (index,) = _sql(upgraded, "SELECT sql FROM sqlite_master WHERE name = 'ix_events_outbox'")
    assert "WHERE origin = 'local' AND status = 'pending'" in str(index)
    assert upgraded.outbox_depth() == 4  # nothing unsent was lost
    assert {len(h) for h in _sql(upgraded, "SELECT id_hash FROM cases")} == {32}
    [found] = upgraded.list_cases(resident_id(31))  # the exact ID search still finds it
    assert found.case_number == synced[0]
    upgraded.close()

    report = Station(data_dir).cli("sync")
    assert (report["pushed"], report["pending"]) == (6, 0)  # the 4 unsent, then 2 submitted
    held = central.reconcile()[enrolled.station_id]
    assert (held["cases"], held["events"], held["gaps"]) == (5, 15, [])
    after = StationStore.open(data_dir)
    assert after.outbox_depth() == 0
    assert _sql(after, "SELECT count(*) FROM events") == [15]
    assert _sql(after, "SELECT count(DISTINCT id) FROM events") == [15]
    with reading(after.engine) as conn:
        for number in before:
            view = after.get_case(number)
            assert isinstance(view, CaseView) and view.state.value == "submitted"
            assert view == projection.fold_rows(eventlog.case_rows(conn, view.case_id.hex))
            assert all(entry.central_seq for entry in view.history)
    after.close()
