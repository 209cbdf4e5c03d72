"""0017_pg_compact_idents: a centre of the last release (station and account ids as text on
PostgreSQL) is upgraded with a station's pushes still unsent. Every event pulls back as
it was, the audit verifies, cases and 办不成事 records read back the same, and the unsent
pushes apply exactly once; on PostgreSQL the ids are now ``bytea``, a UUID's 16 bytes, and
an id of another form (16 characters long included) keeps its text. On SQLite nothing
changes (0015 already stores them so)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session

from central.app import create_app
from central.models import CASE_TABLE, EVENT_TABLE
from central.services.audit_check import full_check
from central.settings import CentralSettings
from sync.events import EventKind
from tests.central.conftest import downgraded, enroll_station
from tests.central.test_compact_upgrade import _events, _records

LAST_RELEASE = "0016_active_person_key"

AUDIT_TIMER = False
"""No audit timer: each test runs the checks itself."""

OTHER_IDS = ("st-old", "U-AGENT", "sixteen-chars-id")
"""Ids of other forms (older enrollments, tests); the last is 16 bytes, a UUID's length."""


def _kinds(connection: Any) -> set[tuple[Any, ...]]:
    """PostgreSQL's type and the byte length of each id column's values."""
    rows = connection.execute(
        text(
            "SELECT pg_typeof(station_id)::text, octet_length(station_id),"
            " pg_typeof(actor_id)::text, octet_length(actor_id) FROM event"
        )
    )
    kinds = {tuple(row) for row in rows}
    owners = connection.execute(
        text("SELECT pg_typeof(owner_station)::text, octet_length(owner_station) FROM case_state")
    )
    return kinds | {("case", *row) for row in owners}


def _write_other_ids(connection: Any, first_id: UUID) -> None:
    """Events under ids of other forms (``OTHER_IDS``), copies of the first event."""
    row = connection.execute(text("SELECT * FROM event ORDER BY central_seq")).first()
    assert row is not None
    for seq, other in enumerate(OTHER_IDS, start=1000):
        values = dict(row._mapping) | {
            "central_seq": seq,
            "id": UUID(int=first_id.int + seq),
            "station_id": other,
            "actor_id": other.upper(),
            "payload": "{}",
        }
        marks = ", ".join(f":{name}" for name in values)
        connection.execute(
            text(f"INSERT INTO event ({', '.join(values)}) VALUES ({marks})"), values
        )


def test_a_last_release_centre_with_unsent_pushes_keeps_its_ids_as_bytes(
    settings: CentralSettings,
) -> None:
    postgres = settings.db_url.startswith("postgresql")
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            township = enroll_station(client, session, division="640522100000", role="township")
            created = village.event(EventKind.created)
            sent = [
                created,
                village.event(EventKind.received, created.case_id),
                village.event(EventKind.submitted, created.case_id),
                village.event(
                    EventKind.created,
                    payload={"kind": "unresolved", "what": "办理林权证", "why": "本站无此事项"},
                ),
            ]
            assert [r["status"] for r in village.push(sent)] == ["applied"] * 4
            unsent = village.new_case()  # written at the station, not yet pushed
            pulled = _events(township)
            records = _records(session)
            owner = session.connection().execute(select(CASE_TABLE.c.owner_station)).scalar_one()
            assert len(pulled) == 4 and len(records) == 1 and owner == village.id
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        if postgres:  # the last release's text
            assert _kinds(connection) == {
                ("character varying", 36, "character varying", 36),
                ("case", "character varying", 36),
            }
        if postgres:  # ids of other forms, written as the last release wrote them
            _write_other_ids(connection, village.event(EventKind.received).id)
        connection.commit()

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = township.client = client
            connection = session.connection()
            if postgres:
                assert _kinds(connection) == {
                    ("bytea", 16, "bytea", 16),
                    ("bytea", 6, "bytea", 6),  # st-old, ST-OLD
                    ("bytea", 7, "bytea", 7),  # U-AGENT
                    ("bytea", 17, "bytea", 17),  # 16 characters, and the NUL after them
                    ("case", "bytea", 16),
                }
                others = connection.execute(
                    select(EVENT_TABLE.c.station_id, EVENT_TABLE.c.actor_id).where(
                        EVENT_TABLE.c.station_id.in_(OTHER_IDS)
                    )
                )
                assert sorted(others) == sorted((o, o.upper()) for o in OTHER_IDS)
                session.execute(text("DELETE FROM event WHERE central_seq >= 1000"))
                session.commit()
            assert _events(township) == pulled
            assert _records(session) == records
            assert full_check(session.connection(), settings).ok

            results = village.push(unsent)
            again = village.push(unsent)  # a retry of the same push

            assert [r["status"] for r in results] == ["applied"] * 3
            assert [r["status"] for r in again] == ["duplicate"] * 3
            assert [r["central_seq"] for r in again] == [r["central_seq"] for r in results]
            assert len(_events(township)) == 7
            assert full_check(session.connection(), settings).ok
            owners = session.connection().execute(select(CASE_TABLE.c.owner_station)).scalars()
            assert set(owners) == {village.id}
    finally:
        app.state.engine.dispose()
