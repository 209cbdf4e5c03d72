"""Applying a pull page: events, accounts and the cursor in ONE local transaction.

Our own events may come as acknowledgements (``PullResponse.acks``): only their
fate is stored, and the views of their cases settled. An acknowledgement of an
event this copy does not hold raises ``UnknownAcks`` before anything is written
(the engine then pulls the page in full).

A page applied twice changes nothing (events are inserted by id, our own
events' fates only move forward), and a crash before the commit leaves the old
cursor, so the page simply comes again.

A long pull's pages of other stations' events hold their cases' views in memory
(``projection.HeldViews``: a catch-up's case comes in several pages, and is
written once); ``meta.VIEWS_BEHIND`` says on disk that the views lag the events
meanwhile, so a crash leaves them to be rebuilt from the events, never wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from station.store import eventlog, meta, projection
from station.store.db import among
from station.store.tables import ACCOUNTS, EVENTS
from sync.engine import UnknownAcks
from sync.protocol import AccountRecord, EventAck, PullResponse

_CHUNK = 500
"""Ids per ``IN (...)`` query (well below SQLite's bound on parameters)."""


@dataclass(frozen=True)
class PageOutcome:
    """What applying one page did."""

    pulled: int
    """Events new to this station."""
    superseded: int
    """Our own events the centre kept as superseded (newly learnt)."""
    cases: int
    """Cases whose view changed (advanced or rebuilt)."""


_CONFIRM = (
    update(EVENTS)
    .where(EVENTS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        central_seq=bindparam("b_seq"),
        reason=bindparam("b_reason"),
        acked_at=bindparam("b_at"),
    )
)
"""The centre's word on one of our own events (it always wins, and only moves forward)."""


def _insert_remote(conn: Connection, page: PullResponse) -> tuple[set[str], int]:
    """Store the page's new events and the centre's word on our own.

    Returns:
        The ids (hex) of the events new to this station, and how many of our own
        events were newly learnt to be superseded.
    """
    ids = [e.id.hex for e in page.events]
    columns = (EVENTS.c.id, EVENTS.c.origin, EVENTS.c.status, EVENTS.c.central_seq, EVENTS.c.reason)
    known = {row.id: row for row in conn.execute(select(*columns).where(among(EVENTS.c.id, ids)))}
    order = eventlog.next_local_order(conn)
    fresh: list[tuple[Any, ...]] = []
    new: set[str] = set()
    confirm, superseded = [], 0
    now = eventlog.now_iso()
    for key, recorded in zip(ids, page.events, strict=True):
        if key not in known:
            if key not in new:  # (the same event twice in one page: stored once)
                fresh.append(eventlog.remote_values(recorded, key, order))
                new.add(key)
                order += 1
            continue
        status = recorded.status.value
        if known[key].origin == "local":
            held = known[key]
            if (held.status, held.central_seq, held.reason) == (
                status,
                recorded.central_seq,
                recorded.reason,
            ):
                continue  # already as the push answer recorded it
            if status == "superseded" and held.status != "superseded":
                superseded += 1
            params = {"b_id": key, "b_status": status, "b_seq": recorded.central_seq}
            confirm.append(
                params | {"b_reason": recorded.reason, "b_at": eventlog.acked_at(status, now)}
            )
    if fresh:
        conn.exec_driver_sql(eventlog.INSERT_REMOTE, fresh)
    if confirm:
        conn.execute(_CONFIRM, confirm)
    return new, superseded


def _confirm_acks(conn: Connection, acks: list[EventAck]) -> tuple[set[str], int]:
    """Store the centre's word on our own events it acknowledged (we hold them).

    Returns:
        The cases (hex ids) of those events, whose views may show them pending, and
        how many were newly learnt to be superseded.

    Raises:
        UnknownAcks: an acknowledged event is not held here (nothing was changed).
    """
    columns = (
        EVENTS.c.id,
        EVENTS.c.case_id,
        EVENTS.c.origin,
        EVENTS.c.status,
        EVENTS.c.central_seq,
        EVENTS.c.reason,
    )
    ids = [ack.id.hex for ack in acks]
    known = {}
    for start in range(0, len(ids), _CHUNK):
        query = select(*columns).where(among(EVENTS.c.id, ids[start : start + _CHUNK]))
        known.update({row.id: row for row in conn.execute(query)})
    if len(known) < len(set(ids)):
        raise UnknownAcks(f"{len(set(ids)) - len(known)} acknowledged events are not held here")
    now = eventlog.now_iso()
    confirm, superseded = [], 0
    for ack in acks:
        held = known[ack.id.hex]
        told = (ack.status.value, ack.central_seq, ack.reason)
        if held.origin != "local" or (held.status, held.central_seq, held.reason) == told:
            continue
        if ack.status.value == "superseded" and held.status != "superseded":
            superseded += 1
        confirm.append(
            {"b_id": held.id, "b_status": told[0], "b_seq": told[1], "b_reason": told[2]}
            | {"b_at": eventlog.acked_at(told[0], now)}
        )
    if confirm:
        conn.execute(_CONFIRM, confirm)
    return {row.case_id for row in known.values() if row.origin == "local"}, superseded


def upsert_accounts(conn: Connection, records: Iterable[AccountRecord]) -> None:
    """Cache accounts for offline login (newest record wins per user)."""
    for record in records:
        statement = sqlite_insert(ACCOUNTS).values(
            user_id=record.user_id, username=record.username, record=record.model_dump_json()
        )
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"],
                set_={"username": statement.excluded.username, "record": statement.excluded.record},
            )
        )


def holds(page: PullResponse, station_id: str) -> bool:
    """Whether a page's cases are held rather than written (``projection.HeldViews``): more
    pages follow, and it brings only other stations' events (no acknowledgement, nothing of
    ours: the common page of a catch-up, whose cases the next pages often touch again)."""
    return page.has_more and not page.acks and all(e.station_id != station_id for e in page.events)


def apply_page(
    conn: Connection,
    station_id: str,
    page: PullResponse,
    held: projection.HeldViews | None = None,
) -> PageOutcome:
    """Apply one pull page inside the caller's write transaction.

    Args:
        conn: a write (``BEGIN IMMEDIATE``) transaction.
        station_id: this station, to recognise our own events coming back.
        page: the centre's page.
        held: the pull's held views (see :func:`holds`): a page that ``holds`` advances
            them instead of writing its cases; any other page writes them first. A caller
            whose transaction fails must drop them (``meta.VIEWS_BEHIND`` stays behind).

    Returns:
        Counts of what changed.
    """
    holding = held is not None and holds(page, station_id)
    if not held:  # nothing held here: a mark on disk is a pull's that died or failed
        projection.repair_behind(conn)
    elif not holding:
        projection.write_held(conn, held)
    acked, superseded = _confirm_acks(conn, page.acks) if page.acks else (set(), 0)
    fresh, newly = _insert_remote(conn, page)
    superseded += newly
    own_seqs = [e.station_seq for e in page.events if e.station_id == station_id]
    if own_seqs:
        # A database restored from an old snapshot must not reuse numbers the centre holds.
        meta.raise_to(conn, meta.NEXT_STATION_SEQ, max(own_seqs) + 1)
    if holding:
        projection.hold_from(conn, int(meta.get(conn, meta.PULL_CURSOR) or 0))
    cases = (
        projection.advance_many(conn, page.events, fresh, acked, held if holding else None)
        if page.events or acked
        else 0
    )
    upsert_accounts(conn, page.accounts)
    meta.put(conn, meta.PULL_CURSOR, str(page.next_cursor))
    if page.catalog_version:
        meta.put(conn, meta.CATALOG_VERSION, page.catalog_version)
    return PageOutcome(pulled=len(fresh), superseded=superseded, cases=cases)
