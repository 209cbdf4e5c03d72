"""PostgreSQL's one-statement inserts (``central.services.bulk``) store what executemany stores."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DataError

from central.db import make_engine
from central.migrate import upgrade
from central.models import CASE_TABLE, EVENT_TABLE
from central.services.bulk import insert_rows, upsert_clause

pytestmark = pytest.mark.postgres

PAYLOAD_KEYS = frozenset({"payload_text"})
REASONS = [None, 'a "quoted", {braced} reason \\ with a backslash', "", "不予受理：材料不全"]
READ = [reason or None for reason in REASONS]
"""The reasons read back: an empty one is none (``NoneAsEmpty``: the row stores '' for None)."""


@pytest.fixture
def engine(pg_url: str) -> Engine:
    made = make_engine(pg_url)
    upgrade(made)
    return made


def _events(first_seq: int) -> list[dict[str, Any]]:
    start = datetime(2026, 12, 2, 1, 2, 3, 456789, tzinfo=UTC)
    rows = []
    for index, reason in enumerate(REASONS):
        payload = {"applicant": {"name": "马占福"}, "note": f"第{index}份 'x' \\n", "n": index}
        rows.append(
            {
                "central_seq": first_seq + index,
                "id": uuid.uuid4(),
                "case_id": uuid.uuid4(),
                "case_number": f"640522100201-20261202-{index:03d}",
                "division": "640522100201",
                "scope_division": "640522100201",
                "scope_township": "640522100",
                "kind": "created",
                "station_id": "station-one" if index % 2 else str(uuid.uuid4()),
                "station_seq": index + 1,
                "schema_version": 1,
                "base_version": index,
                "actor_id": str(uuid.uuid4()),
                "actor_role": "agent",
                "device_time": start + timedelta(minutes=index),
                "payload_text": json.dumps(payload, ensure_ascii=False),
                "status": "applied" if reason is None else "superseded",
                "reason": reason,
                "received_at": start + timedelta(seconds=index),
            }
        )
    return rows


def _stored(engine: Engine, seqs: list[int]) -> list[dict[str, Any]]:
    """The rows at ``seqs``, in order, without their central_seq."""
    with engine.connect() as connection:
        found = connection.execute(
            select(EVENT_TABLE)
            .where(EVENT_TABLE.c.central_seq.in_(seqs))
            .order_by(EVENT_TABLE.c.central_seq)
        ).mappings()
        return [{key: value for key, value in row.items() if key != "central_seq"} for row in found]


def test_events_written_in_one_statement_read_back_as_executemany_wrote_them(
    engine: Engine,
) -> None:
    by_rows, by_arrays = _events(1), _events(101)
    for mine, theirs in zip(by_arrays, by_rows, strict=True):  # the same content, new ids
        mine |= {k: theirs[k] for k in theirs if k not in ("central_seq", "id", "case_id")}
    columns = [("payload" if k == "payload_text" else k, k) for k in by_arrays[0]]
    with engine.begin() as connection:
        connection.execute(
            insert(EVENT_TABLE),
            [{**row, "payload": json.loads(row.pop("payload_text"))} for row in by_rows],
        )
        insert_rows(
            connection,
            EVENT_TABLE,
            by_arrays,
            "ON CONFLICT (id) DO NOTHING",
            columns=columns,
            text_keys=PAYLOAD_KEYS,
        )
    old, new = _stored(engine, [1, 2, 3, 4]), _stored(engine, [101, 102, 103, 104])
    assert [row["reason"] for row in new] == READ
    assert new[0]["payload"] == {"applicant": {"name": "马占福"}, "note": "第0份 'x' \\n", "n": 0}
    ignored = ("id", "case_id")
    assert [{k: v for k, v in r.items() if k not in ignored} for r in new] == [
        {k: v for k, v in r.items() if k not in ignored} for r in old
    ]


def test_a_conflict_keeps_the_stored_row_or_updates_only_the_named_columns(
    engine: Engine,
) -> None:
    rows = _events(1)
    columns = [("payload" if k == "payload_text" else k, k) for k in rows[0]]
    skip = "ON CONFLICT (id) DO NOTHING"
    with engine.begin() as connection:
        insert_rows(connection, EVENT_TABLE, rows, skip, columns=columns, text_keys=PAYLOAD_KEYS)
        replay = [row | {"central_seq": row["central_seq"] + 50, "reason": "x"} for row in rows]
        insert_rows(connection, EVENT_TABLE, replay, skip, columns=columns, text_keys=PAYLOAD_KEYS)
    assert [row["reason"] for row in _stored(engine, [1, 2, 3, 4])] == READ
    assert _stored(engine, [51, 52, 53, 54]) == []

    case_id = uuid.uuid4()
    view = {"case_id": case_id, "case_number": "N-1", "division": "640522100201"}
    view |= {"owner_station": "station-one", "state": "submitted", "version": 2}
    view |= {"item_code": "A", "flagged": False, "updated_seq": 3, "view_text": '{"a":"甲"}'}
    upsert = upsert_clause(engine.dialect, "case_id", ("state", "version", "view"))
    columns = [("view" if k == "view_text" else k, k) for k in view]
    keys = frozenset({"view_text"})
    changed = view | {"state": "accepted", "version": 3, "item_code": "B", "view_text": "{}"}
    with engine.begin() as connection:
        insert_rows(connection, CASE_TABLE, [view], upsert, columns=columns, text_keys=keys)
        insert_rows(connection, CASE_TABLE, [changed], upsert, columns=columns, text_keys=keys)
        stored = connection.execute(select(CASE_TABLE)).mappings().one()
    assert (stored["state"], stored["version"], stored["view"]) == ("accepted", 3, {})
    assert stored["item_code"] == "A"  # not named in the upsert: kept


def test_a_text_too_long_for_its_column_is_refused_not_cut_short(engine: Engine) -> None:
    """As a row-by-row insert does: a case number longer than its column is an error, never
    stored cut short (its audit link would then not match it, and two long numbers with one
    beginning would pass as one case number)."""
    row = _events(1)[0] | {"case_number": "6" * 45}
    columns = [("payload" if k == "payload_text" else k, k) for k in row]
    with pytest.raises(DataError, match="too long"), engine.begin() as connection:
        insert_rows(connection, EVENT_TABLE, [row], columns=columns, text_keys=PAYLOAD_KEYS)
    assert _stored(engine, [1]) == []
