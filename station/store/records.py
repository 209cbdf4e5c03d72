"""办不成事 records at the station: their own numbers and table, the same event log.

A record's events go into the one event log (gapless ``station_seq``, the same
outbox and pull) but are folded by ``sync.unresolved`` into the ``unresolved``
table, never into ``cases``: no case list, statistic, reconcile or ledger sees them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forms.clock import utc_now
from station.store import eventlog, meta
from station.store.db import reading, writing
from station.store.models import NewEvent, StationIdentity
from station.store.tables import EVENTS, UNRESOLVED
from sync.events import Event, EventKind, RecordedEvent
from sync.ids import new_id
from sync.reducer import EntryStatus
from sync.unresolved import UnresolvedView, apply_record, unresolved_number

REBUILD_KEY = "records_rebuild"
"""Set by migration 0004: fold older software's records into ``unresolved`` on open."""


def counter_key(day: date) -> str:
    """The meta key of a day's 办不成事 sequence (apart from the case numbers')."""
    return f"unresolved_seq:{day.isoformat()}"


def record_row(view: UnresolvedView) -> dict[str, Any]:
    """The ``unresolved`` row of a record's view."""
    return {
        "record_id": view.record_id.hex,
        "number": view.number,
        "state": view.state.value,
        "division": view.division,
        "what": view.what,
        "reported_at": view.reported_at.isoformat() if view.reported_at else "",
        "flagged": 1 if "superseded" in view.flags else 0,
        "view": view.model_dump_json(),
    }


def store_records(conn: Connection, views: Iterable[UnresolvedView]) -> None:
    """Insert or replace records' rows."""
    rows = [record_row(view) for view in views]
    if not rows:
        return
    statement = sqlite_insert(UNRESOLVED)
    columns = {c.name: statement.excluded[c.name] for c in UNRESOLVED.columns}
    del columns["record_id"]
    conn.execute(statement.on_conflict_do_update(index_elements=["record_id"], set_=columns), rows)


def fold_record_rows(rows: Sequence[Any]) -> UnresolvedView:
    """A record from its event rows (confirmed ones in central order, then ours pending)."""
    view: UnresolvedView | None = None
    for row in rows:
        if row.central_seq is not None:
            recorded: RecordedEvent = eventlog.to_recorded(row)
            view = apply_record(view, recorded, status=recorded.status, reason=recorded.reason)
        elif row.status in ("superseded", "rejected"):
            event = eventlog.to_event(row)
            view = apply_record(view, event, status=EntryStatus.superseded, reason=row.reason)
        else:
            view = apply_record(view, eventlog.to_event(row), status=EntryStatus.pending)
    if view is None:
        raise ValueError("no events to fold")
    return view


def refold_records(conn: Connection, record_ids: Iterable[str]) -> list[UnresolvedView]:
    """Rebuild records from all their rows and store them."""
    views = [fold_record_rows(rows) for rows in eventlog.rows_by_case(conn, record_ids).values()]
    store_records(conn, views)
    return views


def record_ids(conn: Connection) -> list[str]:
    """Ids (hex) of every record in the event log, older software's included."""
    legacy = (EVENTS.c.kind == EventKind.created.value) & (
        func.json_extract(EVENTS.c.payload, "$.kind") == "unresolved"
    )
    query = select(EVENTS.c.case_id).where(or_(EVENTS.c.kind == EventKind.reported.value, legacy))
    return sorted({case_id for (case_id,) in conn.execute(query.distinct())})


def rebuild_if_asked(conn: Connection) -> None:
    """Fold older records into ``unresolved`` once, after migration 0004."""
    if meta.get(conn, REBUILD_KEY) == "1":
        refold_records(conn, record_ids(conn))
        meta.put(conn, REBUILD_KEY, "0")


class RecordsMixin:
    """办不成事 records: write, read, list."""

    engine: Engine

    def require_identity(self) -> StationIdentity:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def create_record(self, event: NewEvent, day: date) -> UnresolvedView:
        """Write a new record (its ``reported`` event) under the next BCS number of ``day``.

        One transaction: the number, the station sequence number, the event and the row.
        """
        identity = self.require_identity()
        with writing(self.engine) as conn:
            serial = meta.take(conn, counter_key(day))
            number = unresolved_number(identity.division, day, serial)
            seq = meta.take(conn, meta.NEXT_STATION_SEQ)
            written = Event(
                id=event.id,
                case_id=new_id(),
                case_number=number,
                division=identity.division,
                kind=event.kind,
                station_id=identity.station_id,
                station_seq=seq,
                base_version=0,
                actor_id=event.actor_id,
                actor_role=event.actor_role,
                device_time=event.device_time or utc_now(),
                payload=event.payload,
            )
            view = apply_record(None, written, status=EntryStatus.pending)
            eventlog.insert_local(conn, [written])
            store_records(conn, [view])
            return view

    def list_records(self, limit: int = 200) -> list[UnresolvedView]:
        """办不成事 records, newest first."""
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(UNRESOLVED.c.view)
                .order_by(UNRESOLVED.c.reported_at.desc(), UNRESOLVED.c.number.desc())
                .limit(limit)
            ).all()
        return [UnresolvedView.model_validate_json(raw) for (raw,) in rows]

    def get_record(self, number: str) -> UnresolvedView | None:
        """A record by its number, or None."""
        with reading(self.engine) as conn:
            raw = conn.execute(
                select(UNRESOLVED.c.view).where(UNRESOLVED.c.number == number.strip())
            ).scalar_one_or_none()
        return UnresolvedView.model_validate_json(raw) if raw else None

    def count_records(self) -> int:
        """How many 办不成事 records this station holds."""
        with reading(self.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(UNRESOLVED)).scalar_one())
