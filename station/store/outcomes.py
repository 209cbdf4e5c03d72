"""闭环 outcomes kept at the station: what the county made of a 差评 or 办不成事 recorded here."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select

from station.store import meta
from station.store.db import reading, writing
from station.store.tables import LOOP_OUTCOMES

LOOP_CURSOR = "loop_cursor"
"""The centre's ``loops`` stamp this station has fetched outcomes up to."""


def loop_cursor(store: Any) -> int:
    """Where the next outcome fetch starts."""
    with reading(store.engine) as conn:
        return int(meta.get(conn, LOOP_CURSOR) or 0)


def save_outcomes(store: Any, items: list[dict[str, Any]], cursor: int) -> None:
    """Keep the newest outcome of each item and move the cursor, in one transaction."""
    with writing(store.engine) as conn:
        for item in items:
            source = str(item["source_id"])
            conn.execute(delete(LOOP_OUTCOMES).where(LOOP_OUTCOMES.c.source_id == source))
            conn.execute(
                insert(LOOP_OUTCOMES).values(
                    source_id=source,
                    source_number=str(item["source_number"]),
                    state=str(item["state"]),
                    updated_seq=int(item["updated_seq"]),
                    data=json.dumps(item, ensure_ascii=False),
                )
            )
        meta.put(conn, LOOP_CURSOR, str(cursor))


def outcome_of(store: Any, source_number: str) -> dict[str, Any] | None:
    """The outcome of the case or record numbered ``source_number``, or None."""
    statement = select(LOOP_OUTCOMES.c.data).where(LOOP_OUTCOMES.c.source_number == source_number)
    with reading(store.engine) as conn:
        data = conn.execute(statement).scalar_one_or_none()
    return None if data is None else dict(json.loads(data))
