"""The push's look-ups by many values (one parameter however many: an array on PostgreSQL,
a packed blob or a JSON array on SQLite) find exactly the rows a plain query finds."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlmodel import Session

from central.models import CASE_TABLE, EVENT_TABLE
from central.services import push
from sync.protocol import CASE_NUMBER_TAKEN


def _found(session: Session, name: str, values: list[Any], **more: Any) -> set[tuple[Any, ...]]:
    connection = session.connection()
    rows = connection.execute(push._statement(connection, name), {"values": values, **more})
    return {tuple(row) for row in rows}


def test_each_look_up_finds_the_listed_rows_and_only_those(enroll: Any, session: Session) -> None:
    village = enroll()
    events = [event for _ in range(40) for event in village.new_case()]
    village.push(events)
    session.expire_all()
    stored = session.connection().execute(
        select(EVENT_TABLE.c.id, EVENT_TABLE.c.central_seq, EVENT_TABLE.c.station_seq)
    )
    by_id = {row.id: row for row in stored}
    assert len(by_id) == len(events) == 120
    listed = [e.id for e in events[::3]]
    missing = [uuid4() for _ in range(5)]

    held = _found(session, "held", [*listed, *missing, listed[0]])  # a value twice, too
    assert {row[0] for row in held} == set(listed)
    assert all(row[1] == by_id[row[0]].central_seq for row in held)
    assert _found(session, "held", []) == set()

    cases = [e.case_id for e in events[::6]]
    found_cases = _found(session, "cases_held", [*cases, *missing])
    assert {row[0] for row in found_cases} == set(cases)  # case_id: the first column

    numbers = sorted({e.case_number for e in events[:30]})
    owners = _found(session, "numbers", [*numbers, "640522100201-20261203-9999", "杨郎村"])
    every = session.connection().execute(select(CASE_TABLE.c.case_number, CASE_TABLE.c.case_id))
    assert owners == {tuple(row) for row in every if row.case_number in numbers}

    seqs = [e.station_seq for e in events[5:50]]
    got = _found(session, "seq_list", [*seqs, 10_000], station=village.id)
    assert {row[1] for row in got} == set(seqs)


def test_a_held_number_with_a_nul_in_it_is_still_found(
    enroll: Any, session: Session, settings: Any
) -> None:
    if not settings.db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL text cannot hold a NUL character at all")
    village = enroll()
    first = village.new_case()
    odd = first[0].case_number + "\x00x"  # a case number is whatever text a station sent
    applied = village.push([e.model_copy(update={"case_number": odd}) for e in first])
    assert [r["status"] for r in applied] == ["applied"] * 3

    second = village.new_case()
    clash = village.push([e.model_copy(update={"case_number": odd}) for e in second])

    assert [r["status"] for r in clash] == ["rejected"] * 3  # json_each would cut at the NUL
    assert {r["reason"] for r in clash} == {CASE_NUMBER_TAKEN}
    owners = _found(session, "numbers_listed", [odd, first[0].case_number])
    assert owners == {(odd, first[0].case_id)}


def test_a_push_looks_numbers_up_by_index_on_a_table_without_statistics(
    enroll: Any, session: Session, settings: Any
) -> None:
    """A county's ``case_state`` grows all day and autovacuum analyzes it only now and
    then. Without statistics PostgreSQL took ``case_number = ANY(:values)`` to match half
    the table for a push's ~100 numbers and scanned it whole; the statement is now one
    index look-up per number, whatever the planner knows."""
    if settings.db_url.startswith("sqlite"):
        pytest.skip("SQLite reads the list through json_each and its index (no statistics)")
    village = enroll()
    village.push([event for _ in range(30) for event in village.new_case()])
    connection = session.connection()
    analyzed = connection.exec_driver_sql(
        "SELECT last_analyze, last_autoanalyze FROM pg_stat_user_tables"
        " WHERE relname = 'case_state'"
    ).one()
    assert analyzed == (None, None)
    numbers = [f"640522100201-20261204-{n:04d}" for n in range(100)]
    statement = push._statement(connection, "numbers")
    compiled = statement.compile(connection)
    values = compiled.construct_params({"values": numbers})
    plan = "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", values))
    assert "ix_case_state_case_number" in plan
    assert "Seq Scan on case_state" not in plan
    assert len(_found(session, "numbers", numbers)) == 0
