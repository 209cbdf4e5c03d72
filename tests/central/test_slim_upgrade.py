"""0014_cslim: a centre of the last release (links with ``prev_hash`` and ``event_id``, hex
digests, whole case views, the scope index) is upgraded with a station's pushes still
unsent: the audit verifies, a changed or removed row is still found, the cases read
back the same, the public page answers, and the unsent pushes apply exactly once."""

from __future__ import annotations

from typing import Any

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import delete, inspect, select, text, update
from sqlmodel import Session

from central.app import create_app
from central.db import make_engine
from central.migrate import alembic_config
from central.models import (
    CASE_BODY,
    CASE_TABLE,
    CASES_WITH_BODY,
    EVENT_TABLE,
    VIEW_COLUMNS,
    whole_view,
)
from central.services import audit_verify
from central.services.audit_check import full_check
from central.services.progress import find_progress
from sync.events import EventKind
from sync.progress import PAYLOAD_KEY, new_progress_key
from sync.reducer import CaseView
from tests.central.conftest import StationClient, as_released, default_payload, enroll_station

LAST_RELEASE = "0013_hot_lean_view"


AUDIT_TIMER = False
"""No audit timer: each test runs the checks itself."""


def _case_with_key(station: StationClient, key: str) -> list[Any]:
    payload = default_payload(EventKind.created) | {PAYLOAD_KEY: key}
    created = station.event(EventKind.created, payload=payload)
    return [
        created,
        station.event(EventKind.received, created.case_id),
        station.event(EventKind.submitted, created.case_id),
    ]


def _cases(session: Session) -> dict[str, CaseView]:
    """Every case as the centre reads it (row columns, stored view, its created payload)."""
    session.expire_all()
    columns = [CASE_TABLE.c[name] for name in VIEW_COLUMNS]
    statement = select(*columns, CASE_TABLE.c.view, CASE_BODY).select_from(CASES_WITH_BODY)
    return {
        row.case_number: CaseView.model_validate(whole_view(row._mapping, row.view, row.body))
        for row in session.connection().execute(statement)
    }


def _to_last_release(settings: Any) -> dict[str, CaseView]:
    """The database in the last release's forms (0014's downgrade), and its cases as the
    last release read them (the stored view alone, whole)."""
    engine = make_engine(settings.db_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(settings.db_url)
            config.attributes["connection"] = connection
            command.downgrade(config, LAST_RELEASE)
            connection.commit()
            links = connection.execute(
                text("SELECT seq, event_id, prev_hash, hash FROM auditentry ORDER BY seq")
            ).all()
            released = as_released(EVENT_TABLE)
            query = select(released.c.central_seq, released.c.id)
            events = {row[0]: row[1] for row in connection.execute(query)}
            prev = "0" * 64
            for seq, event_id, prev_hash, link in links:  # the old form, copies and all
                assert (prev_hash, str(event_id).replace("-", "")) == (prev, events[seq].hex)
                assert len(link) == 64 and int(link, 16) >= 0
                prev = link
            assert "ix_event_scope_seq" in {
                i["name"] for i in inspect(connection).get_indexes("event")
            }
            views = connection.execute(text("SELECT case_number, view FROM case_state")).all()
            return {
                number: CaseView.model_validate_json(view)
                if isinstance(view, str)
                else CaseView.model_validate(view)
                for number, view in views
            }
    finally:
        engine.dispose()


def _problems(report: audit_verify.Report) -> list[tuple[str, int | None, str]]:
    return [(f.chain, f.seq, f.problem) for f in report.findings()]


def test_a_last_release_centre_with_unsent_pushes_is_slimmed_and_still_audits(
    settings: Any,
) -> None:
    key = new_progress_key()
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            sent = _case_with_key(village, key) + village.new_case()
            assert [r["status"] for r in village.push(sent)] == ["applied"] * 6
            unsent = village.new_case()  # written at the station, not yet pushed
    finally:
        app.state.engine.dispose()
    before = _to_last_release(settings)
    assert len(before) == 2

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = client
            assert full_check(session.connection(), settings).ok
            assert _cases(session) == before
            page = find_progress(session=session, key=key)
            assert page is not None and page.case_number == sent[0].case_number

            results = village.push(unsent)
            again = village.push(unsent)  # a retry of the same push

            assert [r["status"] for r in results] == ["applied"] * 3
            assert [r["status"] for r in again] == ["duplicate"] * 3
            assert [r["central_seq"] for r in again] == [r["central_seq"] for r in results]
            cases = _cases(session)
            assert len(cases) == 3
            assert cases[unsent[0].case_number].applicant is not None  # from its payload
            assert full_check(session.connection(), settings).ok

            seqs = list(session.execute(select(EVENT_TABLE.c.central_seq)).scalars())
            changed, removed = sorted(seqs)[1], sorted(seqs)[4]
            session.execute(
                update(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == changed).values(actor_id="x")
            )
            session.execute(delete(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == removed))
            session.commit()
            found = _problems(full_check(session.connection(), settings))
            assert ("events", changed, audit_verify.CHANGED) in found
            after_removed = sorted(seqs)[5]
            assert ("events", after_removed, audit_verify.CHANGED) in found
    finally:
        app.state.engine.dispose()
