"""A township's pull is one index range on (scope_township, central_seq): events of other
townships after its cursor are never scanned, and nothing is sorted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from central.models import Station
from central.services.pull import page_statement
from tests.central.conftest import OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE


def _plan(session: Session, station: Station) -> str:
    connection = session.connection()
    statement = page_statement(station, after=3, limit=501)
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET enable_seqscan = off"))  # a tiny table: plan as if large
        rows = connection.execute(text(f"EXPLAIN {compiled}"))
        return "\n".join(row[0] for row in rows)
    rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
    return "\n".join(row[-1] for row in rows)


def test_a_township_pull_reads_only_its_own_index_range(enroll: Any, session: Session) -> None:
    village, elsewhere = enroll(VILLAGE), enroll(OTHER_TOWN_VILLAGE)
    village.push(village.new_case())
    for _ in range(5):
        elsewhere.push(elsewhere.new_case())
    township = enroll(TOWNSHIP, "township")
    assert {e["division"] for e in township.pull()["events"]} == {VILLAGE}
    station = session.get(Station, township.id)
    assert station is not None
    plan = _plan(session, station)
    assert "ix_event_township_seq" in plan
    if session.connection().dialect.name == "postgresql":
        assert "Sort" not in plan
        assert "scope_township" in plan and "central_seq" in plan
    else:
        assert "scope_township=? AND central_seq>?" in plan
        assert "TEMP B-TREE" not in plan
