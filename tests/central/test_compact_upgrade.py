"""0015_compact_ids: a centre of the last release (UUIDs as 32 hex characters, station and
account ids and event times as text) is upgraded with a station's pushes still unsent:
every event pulls back as it was, the audit verifies, cases and 办不成事 records read
back the same, the public page answers, and the unsent pushes apply exactly once. On
SQLite the values take their short forms (16 bytes, one integer); on PostgreSQL, which
holds them so already, nothing changes."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlmodel import Session

from central.app import create_app
from central.models import EVENT_TABLE, UNRESOLVED_TABLE, as_utc
from central.services.audit_check import full_check
from central.services.progress import find_progress
from central.settings import CentralSettings
from sync.events import EventKind
from sync.progress import PAYLOAD_KEY, new_progress_key
from tests.central.conftest import (
    StationClient,
    as_released,
    default_payload,
    downgraded,
    enroll_station,
)

LAST_RELEASE = "0014_cslim"


AUDIT_TIMER = False
"""No audit timer: each test runs the checks itself."""


def _forms(connection: Any) -> set[tuple[str, ...]]:
    """The SQLite storage types of the compact columns, as they are in the file."""
    rows = connection.execute(
        text(
            "SELECT typeof(id), typeof(case_id), typeof(station_id), typeof(actor_id),"
            " typeof(device_time), typeof(received_at) FROM event"
        )
    )
    forms = {tuple(row) for row in rows}
    rows = connection.execute(text("SELECT typeof(case_id), typeof(owner_station) FROM case_state"))
    forms |= {("case", *row) for row in rows}
    rows = connection.execute(text("SELECT typeof(case_id) FROM progress_key"))
    forms |= {("key", *row) for row in rows}
    return forms


def _events(station: StationClient) -> list[dict[str, Any]]:
    """Every event the station pulls, as the wire carries them."""
    page = station.pull(0, 500)
    events: list[dict[str, Any]] = page["events"]
    return events


def _records(session: Session) -> list[tuple[Any, ...]]:
    session.expire_all()
    query = select(UNRESOLVED_TABLE.c.record_id, UNRESOLVED_TABLE.c.owner_station)
    return [tuple(row) for row in session.connection().execute(query)]


def test_a_last_release_centre_with_unsent_pushes_takes_the_short_forms(
    settings: CentralSettings,
) -> None:
    key = new_progress_key()
    sqlite = settings.db_url.startswith("sqlite")
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            township = enroll_station(client, session, division="640522100000", role="township")
            created = village.event(
                EventKind.created, payload=default_payload(EventKind.created) | {PAYLOAD_KEY: key}
            )
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
            assert len(pulled) == 4 and len(records) == 1
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        if sqlite:  # the last release's text forms
            assert _forms(connection) == {
                ("text",) * 6,
                ("case", "text", "text"),
                ("key", "text"),
            }
            assert (
                connection.execute(text("SELECT length(id), length(device_time) FROM event")).all()
                == [(32, 26)] * 4
            )
        released = as_released(EVENT_TABLE)
        ids = connection.execute(select(released.c.id, released.c.device_time)).all()
        assert {row.id for row in ids} == {event.id for event in sent}
        assert {as_utc(row.device_time) for row in ids} == {created.device_time}

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = township.client = client
            if sqlite:  # ids and times in their short forms
                forms = ("blob", "blob", "blob", "blob", "integer", "integer")
                assert _forms(session.connection()) == {
                    forms,
                    ("case", "blob", "blob"),
                    ("key", "blob"),
                }
                assert session.connection().execute(
                    text("SELECT DISTINCT length(id), length(station_id) FROM event")
                ).all() == [(16, 16)]
            assert _events(township) == pulled
            assert _records(session) == records
            assert full_check(session.connection(), settings).ok
            page = find_progress(session=session, key=key)
            assert page is not None and page.case_number == created.case_number

            results = village.push(unsent)
            again = village.push(unsent)  # a retry of the same push

            assert [r["status"] for r in results] == ["applied"] * 3
            assert [r["status"] for r in again] == ["duplicate"] * 3
            assert [r["central_seq"] for r in again] == [r["central_seq"] for r in results]
            assert len(_events(township)) == 7
            assert full_check(session.connection(), settings).ok
    finally:
        app.state.engine.dispose()


def test_an_id_that_is_not_a_uuid_keeps_its_form(settings: CentralSettings) -> None:
    """A station or account id of another form (older enrollments, tests) is stored as
    text and found by it; a UUID's text is stored as its bytes and read back as text."""
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            village.push(village.new_case())
            events = EVENT_TABLE
            row = session.connection().execute(select(events).limit(1)).one()
            session.connection().execute(
                events.insert(),
                [
                    dict(row._mapping)
                    | {
                        "central_seq": 1000,
                        "id": village.event(EventKind.received).id,
                        "station_id": "st-old",
                        "actor_id": "U-AGENT",
                    }
                ],
            )
            session.commit()
            query = select(events.c.station_id, events.c.actor_id).where(
                events.c.station_id.in_(["st-old", village.id])
            )
            found = {tuple(r) for r in session.connection().execute(query)}
            assert found == {("st-old", "U-AGENT"), (village.id, row.actor_id)}
            if settings.db_url.startswith("sqlite"):
                kinds = session.connection().execute(
                    text("SELECT DISTINCT typeof(station_id) FROM event ORDER BY 1")
                )
                assert [k for (k,) in kinds] == ["blob", "text"]
    finally:
        app.state.engine.dispose()
