"""0019_link_in_event: a centre of the last release (0018: the audit links in a table of
their own) is upgraded with a station's pushes still unsent. The chain holds as it was,
with the signed head taken before the upgrade; the links now sit in their events' rows;
the unsent pushes apply once and chain on (a replay answers duplicate); a link removed
after the upgrade is still found. Downgrading makes the link table again."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text, update
from sqlmodel import Session

from central.app import create_app
from central.models import EVENT_TABLE
from central.services import audit_verify
from central.services.audit import verify_audit
from central.services.audit_check import full_check
from central.settings import CentralSettings
from sync.events import EventKind
from tests.central.conftest import downgraded, enroll_station

LAST_RELEASE = "0018_lean_case_view"

AUDIT_TIMER = False
"""No audit timer: each test runs the checks itself."""


def _links(connection: Any) -> list[tuple[int, str]]:
    """(central_seq, link) of every event, in order."""
    statement = select(EVENT_TABLE.c.central_seq, EVENT_TABLE.c.audit_link)
    return [tuple(row) for row in connection.execute(statement.order_by(EVENT_TABLE.c.central_seq))]


def test_a_last_release_centre_with_unsent_pushes_keeps_its_chain_in_the_event_rows(
    settings: CentralSettings,
) -> None:
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            created = village.event(EventKind.created)
            sent = [created, village.event(EventKind.received, created.case_id)]
            assert [r["status"] for r in village.push([*sent, *village.new_case()])] == [
                "applied"
            ] * 5
            unsent = [village.event(EventKind.submitted, created.case_id), *village.new_case()]
            links = _links(session.connection())
            assert len(links) == 5 and all(len(link) == 64 for _, link in links)
            assert full_check(session.connection(), settings).ok  # signs the head: 5 links
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        held = connection.execute(text("SELECT seq, hash FROM auditentry ORDER BY seq")).all()
        assert [(seq, bytes(link).hex()) for seq, link in held] == links
        assert "audit_link" not in {c["name"] for c in inspect(connection).get_columns("event")}
        blank = connection.execute(text("SELECT count(*) FROM event WHERE reason = ''"))
        assert blank.scalar_one() == 0  # no reason is NULL again, as that release wrote it

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = client
            connection = session.connection()
            assert not inspect(connection).has_table("auditentry")
            assert _links(connection) == links
            assert full_check(connection, settings).ok  # the head signed before the upgrade

            results = village.push(unsent)
            again = village.push(unsent)  # a retry of the same push

            assert [r["status"] for r in results] == ["applied"] * 4
            assert [r["status"] for r in again] == ["duplicate"] * 4
            assert [r["central_seq"] for r in again] == [r["central_seq"] for r in results]
            after = _links(session.connection())
            assert after[:5] == links and len(after) == 9 and all(link for _, link in after)
            assert verify_audit(session=session).ok
            assert full_check(session.connection(), settings).ok

            removed = after[6][0]  # a link removed by hand: its event and the next say so
            unlink = update(EVENT_TABLE).where(EVENT_TABLE.c.central_seq == removed)
            session.execute(unlink.values(audit_link=None))
            session.commit()
            report = full_check(session.connection(), settings)
            problems = [(f.chain, f.seq, f.problem) for f in report.findings()]
            assert problems == [
                ("events", removed, audit_verify.NO_LINK),
                ("events", after[7][0], audit_verify.RELINKED),
            ]
    finally:
        app.state.engine.dispose()


def test_an_event_deleted_before_the_upgrade_is_still_found_after_it(
    settings: CentralSettings,
) -> None:
    """The last release kept a link whose event was deleted (and said so): the upgrade
    has no event to put it in, keeps it as the chain's newest link, and the check after
    the upgrade still says the newest events were deleted."""
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            results = village.push(village.new_case())
            newest = int(results[-1]["central_seq"])
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        connection.execute(text("DELETE FROM event WHERE central_seq = :seq"), {"seq": newest})

    app = create_app(settings)
    try:
        with TestClient(app), Session(app.state.engine) as session:
            report = full_check(session.connection(), settings, cases=False)
            problems = [(f.chain, f.seq, f.problem) for f in report.findings()]
            assert problems == [("events", newest - 1, audit_verify.TAIL_REMOVED)]
    finally:
        app.state.engine.dispose()
