"""A township's pull is one index range on (scope_township, central_seq): events of other
townships after its cursor are never scanned, and nothing is sorted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from central.models import Station
from central.services.pull import page_statement
from tests.central.conftest import (
    COUNTY,
    OTHER_COUNTY_VILLAGE,
    OTHER_TOWN_VILLAGE,
    TOWNSHIP,
    VILLAGE,
)


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


def test_a_county_pull_reads_its_prefix_range_and_a_replayed_page_is_the_same(
    enroll: Any, session: Session
) -> None:
    """The county's statement (built once, run with parameters) is the range of its
    prefix on ``scope_township``; pulling the same cursor twice answers the same page."""
    village, elsewhere = enroll(VILLAGE), enroll(OTHER_COUNTY_VILLAGE)
    for _ in range(2):
        village.push(village.new_case())
    elsewhere.push(elsewhere.new_case())
    county = enroll(COUNTY, "county")
    first, again = county.pull(limit=4), county.pull(limit=4)
    assert first == again
    assert {e["division"] for e in first["events"]} == {VILLAGE}
    assert first["has_more"] and len(first["events"]) == 4
    rest = county.pull(after=first["next_cursor"])
    assert {e["division"] for e in rest["events"]} == {VILLAGE} and not rest["has_more"]
    assert len(first["events"]) + len(rest["events"]) == 6  # two cases, three events each
    station = session.get(Station, county.id)
    assert station is not None
    plan = _plan(session, station)
    assert "ix_event_township_seq" in plan
    if session.connection().dialect.name != "postgresql":
        assert "scope_township>? AND scope_township<?" in plan
