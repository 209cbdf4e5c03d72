"""The event log: rows in and out, the outbox and push acknowledgements (SQLAlchemy Core).

Events are never deleted or rewritten; only their fate (status, central_seq,
reason, acked_at) changes, and only forward: an acknowledged event never goes
back to ``pending``.

Stored compactly: the payload as JSON without spaces; ``acked_at`` only on events
the centre refused (superseded or rejected: when we learnt it), since the central
sequence number already says an applied event was acknowledged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_json
from sqlalchemy import (
    Connection,
    Row,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.clock import utc_now
from station.store.tables import BLOBS, EVENTS
from sync.events import Event, EventStatus, RecordedEvent
from sync.protocol import EventResult

PENDING = "pending"
FINAL_STATUSES = frozenset({"applied", "duplicate", "superseded", "rejected"})
CONFIRMED = ("applied", "duplicate", "superseded")
REFUSED = frozenset({"superseded", "rejected"})
OUTBOX_WHERE = "origin = 'local' AND status = 'pending'"
"""The outbox's condition, written as the partial index ``ix_events_outbox`` is (literals,
not parameters: SQLite uses a partial index only for a query that spells its terms out)."""


def hex_id(value: UUID | str) -> str:
    """The stored form of an id: 32 lowercase hex characters."""
    return value.hex if isinstance(value, UUID) else UUID(value).hex


def now_iso() -> str:
    """Now, UTC, ISO 8601."""
    return utc_now().isoformat()


def next_local_order(conn: Connection) -> int:
    """The next arrival number in this database."""
    return (
        int(conn.execute(select(func.coalesce(func.max(EVENTS.c.local_order), 0))).scalar_one()) + 1
    )


def to_row(event: Event, *, local_order: int, origin: str, status: str) -> dict[str, Any]:
    """The row of an event (``RecordedEvent`` brings central_seq and reason)."""
    central_seq, reason = None, None
    if isinstance(event, RecordedEvent):
        central_seq, reason = event.central_seq, event.reason
    return {
        "id": event.id.hex,
        "local_order": local_order,
        "case_id": event.case_id.hex,
        "case_number": event.case_number,
        "division": event.division,
        "kind": event.kind.value,
        "station_id": event.station_id,
        "station_seq": event.station_seq,
        "schema_version": event.schema_version,
        "base_version": event.base_version,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role.value,
        "device_time": event.device_time.isoformat(),
        "payload": dump_payload(event.payload),
        "central_seq": central_seq,
        "status": status,
        "reason": reason,
        "acked_at": None,
        "origin": origin,
    }


def remote_values(event: RecordedEvent, key: str, local_order: int) -> tuple[Any, ...]:
    """A pulled event's row for :data:`INSERT_REMOTE`: every column, in the table's order
    (origin ``remote``, the status the centre's), the payload as UTF-8 bytes (pydantic's
    compact JSON, which SQL reads as text; a float may be written otherwise than the
    standard library writes a local event's, ``1e-7`` for ``1e-07``: the same value).

    A tuple made here, not a dict for the driver to pick from, and the payload's bytes
    not decoded to a text for the driver to encode again: a pull stores tens of
    thousands of these.

    Args:
        event: the pulled event.
        key: its id as stored (``event.id.hex``, already at hand).
        local_order: its arrival number here.
    """
    return (
        key,
        local_order,
        event.case_id.hex,
        event.case_number,
        event.division,
        event.kind.value,
        event.station_id,
        event.station_seq,
        event.schema_version,
        event.base_version,
        event.actor_id,
        event.actor_role.value,
        event.device_time.isoformat(),
        to_json(event.payload),
        event.central_seq,
        event.status.value,
        event.reason,
        None,
        "remote",
    )


_REMOTE_COLUMNS = tuple(column.name for column in EVENTS.columns)
"""Every column of ``events``, in the table's order: the order :func:`remote_values` follows."""
INSERT_REMOTE = (
    f"INSERT INTO {EVENTS.name} ({', '.join(_REMOTE_COLUMNS)}) VALUES ("
    + ", ".join("CAST(? AS TEXT)" if name == "payload" else "?" for name in _REMOTE_COLUMNS)
    + ") ON CONFLICT DO NOTHING"
)
"""Pulled events, one row per :func:`remote_values` (an event already held is left as it
is). The payload's bytes are cast to text: stored as the text they encode, in UTF-8, as
the JSON text ``to_row`` binds is stored."""


_PAYLOAD_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, separators=(",", ":"))
"""Built once: ``json.dumps`` with options builds an encoder at every call."""


def dump_payload(payload: dict[str, Any]) -> str:
    """The stored text of an event's payload (JSON without spaces)."""
    return _PAYLOAD_ENCODER.encode(payload)


def acked_at(status: str, now: str) -> str | None:
    """What ``acked_at`` holds for an answer of ``status`` given at ``now``."""
    return now if status in REFUSED else None


def to_event(row: Row[Any] | Any) -> Event:
    """The event a row holds, as it was written (its fate left out)."""
    return Event(
        id=UUID(row.id),
        case_id=UUID(row.case_id),
        case_number=row.case_number,
        division=row.division,
        kind=row.kind,
        station_id=row.station_id,
        station_seq=row.station_seq,
        schema_version=row.schema_version,
        base_version=row.base_version,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        device_time=datetime.fromisoformat(row.device_time),
        payload=json.loads(row.payload),
    )


def to_recorded(row: Row[Any] | Any) -> RecordedEvent:
    """A confirmed row as the centre holds it (duplicate counts as applied)."""
    status = EventStatus.superseded if row.status == "superseded" else EventStatus.applied
    return RecordedEvent(
        **to_event(row).model_dump(),
        central_seq=row.central_seq,
        status=status,
        reason=row.reason,
    )


def insert_local(conn: Connection, events: Sequence[Event]) -> None:
    """Append events written here (status pending) in one executemany."""
    first = next_local_order(conn)
    rows = [
        to_row(event, local_order=first + i, origin="local", status=PENDING)
        for i, event in enumerate(events)
    ]
    if rows:
        conn.execute(insert(EVENTS), rows)
        queue_attachments(conn, events)


def queue_attachments(conn: Connection, events: Sequence[Event]) -> int:
    """Put the attachments events reference in the upload queue (same transaction as the events).

    The files themselves are already on disk and fsynced (``sync.blobs.store_blob``).

    Returns:
        How many attachment references were seen.
    """
    rows = [
        {
            "sha256": item["sha256"],
            "size": int(item.get("size") or 0),
            "name": str(item.get("name") or ""),
            "created_at": now_iso(),
        }
        for event in events
        for item in event.payload.get("attachments") or []
        if isinstance(item, dict) and item.get("sha256")
    ]
    if rows:
        conn.execute(sqlite_insert(BLOBS).on_conflict_do_nothing(), rows)
    return len(rows)


def outbox(conn: Connection, station_id: str, limit: int) -> list[Event]:
    """Own pending events in station_seq order (rejected ones are never sent again)."""
    return [to_event(row) for row in outbox_rows(conn, station_id, limit)]


def outbox_rows(conn: Connection, station_id: str, limit: int, after: int = 0) -> list[Row[Any]]:
    """The rows of :func:`outbox` (to size a batch before building its events), numbered
    above ``after``."""
    values = {"own": station_id, "after": after, "limit": limit}
    return list(conn.execute(OUTBOX_QUERY, values).all())


OUTBOX_QUERY = (  # built once: a sync reads it for its batch and for the oldest unsent
    select(EVENTS)
    .where(text(OUTBOX_WHERE))
    .where(EVENTS.c.station_id == bindparam("own"), EVENTS.c.station_seq > bindparam("after"))
    .order_by(EVENTS.c.station_seq)
    .limit(bindparam("limit"))
)
"""The statement of :func:`outbox_rows` (read through the partial ``ix_events_outbox``)."""


def outbox_tails(
    conn: Connection, station_id: str, case_ids: Sequence[str], above: int
) -> list[Row[Any]]:
    """The outbox's rows of these cases (stored ids) numbered above ``above``, in
    station_seq order: what follows a window of :func:`outbox_rows` of the cases in it
    (``sync.engine.take_cases``)."""
    values = {"own": station_id, "above": above, "cases": json.dumps(list(case_ids))}
    return list(conn.execute(OUTBOX_TAILS, values).all())


OUTBOX_TAILS = text(  # built once: each batch of a backlog reads it
    # each case's few events by their case (``INDEXED BY``), not the outbox's index from
    # ``above`` on: a backlog's later numbers are most of it, and SQLite's planner, without
    # statistics, took that range (SQLAlchemy renders no table hint for SQLite)
    "SELECT * FROM events INDEXED BY ix_events_case_id"
    f" WHERE {OUTBOX_WHERE} AND station_id = :own AND station_seq > :above"
    " AND case_id IN (SELECT value FROM json_each(:cases)) ORDER BY station_seq"
).columns(*EVENTS.c)
"""The statement of :func:`outbox_tails` (the cases' events by ``ix_events_case_id``)."""


ENVELOPE_BYTES = 512
"""A generous bound on an event's JSON besides its payload (ids, times, names)."""


def row_bytes(row: Row[Any] | Any) -> int:
    """An upper estimate of the event's size on the wire, from its stored payload."""
    return ENVELOPE_BYTES + len(row.payload.encode())


OUTBOX_DEPTH = select(func.count()).select_from(EVENTS).where(text(OUTBOX_WHERE))


def outbox_depth(conn: Connection) -> int:
    """How many own events wait to be sent."""
    return int(conn.execute(OUTBOX_DEPTH).scalar_one())


_ACK = (
    update(EVENTS)
    .where(EVENTS.c.id == bindparam("b_id"), EVENTS.c.status == PENDING)
    .values(
        status=bindparam("b_status"),
        reason=bindparam("b_reason"),
        central_seq=func.coalesce(bindparam("b_seq"), EVENTS.c.central_seq),
        acked_at=bindparam("b_at"),
    )
)


def acknowledge(conn: Connection, results: Iterable[EventResult]) -> set[str]:
    """Record the centre's answer per event; idempotent and only ever forward.

    Returns:
        Case ids (hex) whose view may change (an event superseded or rejected).
    """
    now = now_iso()
    params = [
        {
            "b_id": hex_id(r.id),
            "b_status": r.status.value,
            "b_reason": r.reason,
            "b_seq": r.central_seq,
            "b_at": acked_at(r.status.value, now),
        }
        for r in results
    ]
    if not params:
        return set()
    conn.execute(_ACK, params)
    refused = [p["b_id"] for p in params if p["b_status"] in ("superseded", "rejected")]
    if not refused:
        return set()
    query = select(EVENTS.c.case_id).where(EVENTS.c.id.in_(refused), EVENTS.c.acked_at == now)
    return {case_id for (case_id,) in conn.execute(query)}


def rows_by_case(conn: Connection, case_ids: Iterable[str]) -> dict[str, list[Row[Any]]]:
    """Every event row of each case, in fold order (see :func:`case_rows`), read in chunks."""
    wanted = sorted(set(case_ids))
    grouped: dict[str, list[Row[Any]]] = {case_id: [] for case_id in wanted}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(EVENTS)
            .where(EVENTS.c.case_id.in_(chunk))
            .order_by(
                EVENTS.c.case_id,
                EVENTS.c.central_seq.is_(None),
                EVENTS.c.central_seq,
                EVENTS.c.local_order,
            )
        )
        for row in rows:
            grouped[row.case_id].append(row)
    return {case_id: rows for case_id, rows in grouped.items() if rows}


def case_rows(conn: Connection, case_id: str) -> list[Row[Any]]:
    """Every event row of one case, confirmed ones first in central order, then the rest."""
    return list(
        conn.execute(
            select(EVENTS)
            .where(EVENTS.c.case_id == case_id)
            .order_by(EVENTS.c.central_seq.is_(None), EVENTS.c.central_seq, EVENTS.c.local_order)
        ).all()
    )
