"""Applying a pull page: events, accounts and the cursor in ONE local transaction.

A page applied twice changes nothing (events are inserted by id, our own
events' fates only move forward), and a crash before the commit leaves the old
cursor, so the page simply comes again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from station.store import eventlog, meta, projection
from station.store.tables import ACCOUNTS, EVENTS
from sync.protocol import AccountRecord, PullResponse


@dataclass(frozen=True)
class PageOutcome:
    """What applying one page did."""

    pulled: int
    """Events new to this station."""
    superseded: int
    """Our own events the centre kept as superseded (newly learnt)."""
    cases: int
    """Cases whose view was rebuilt."""


def _confirm_own(
    conn: Connection, event_id: str, status: str, seq: int, reason: str | None
) -> bool:
    """Take the centre's word on one of our events; True when it newly became superseded."""
    before = conn.execute(select(EVENTS.c.status).where(EVENTS.c.id == event_id)).scalar_one()
    conn.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id)
        .values(
            status=status,
            central_seq=seq,
            reason=reason,
            acked_at=eventlog.now_iso(),
        )
    )
    return status == "superseded" and before != "superseded"


def _insert_remote(conn: Connection, page: PullResponse) -> tuple[int, int, set[str]]:
    known = {
        row.id: row.origin
        for row in conn.execute(
            select(EVENTS.c.id, EVENTS.c.origin).where(
                EVENTS.c.id.in_([e.id.hex for e in page.events])
            )
        )
    }
    order = eventlog.next_local_order(conn)
    fresh, superseded, cases = [], 0, set()
    for recorded in page.events:
        key = recorded.id.hex
        cases.add(recorded.case_id.hex)
        if key in known:
            if known[key] == "local" and _confirm_own(
                conn, key, recorded.status.value, recorded.central_seq, recorded.reason
            ):
                superseded += 1
            continue
        row = eventlog.to_row(
            recorded, local_order=order, origin="remote", status=recorded.status.value
        )
        fresh.append(row)
        order += 1
    if fresh:
        conn.execute(sqlite_insert(EVENTS).on_conflict_do_nothing(), fresh)
    return len(fresh), superseded, cases


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


def apply_page(conn: Connection, station_id: str, page: PullResponse) -> PageOutcome:
    """Apply one pull page inside the caller's write transaction.

    Args:
        conn: a write (``BEGIN IMMEDIATE``) transaction.
        station_id: this station, to recognise our own events coming back.
        page: the centre's page.

    Returns:
        Counts of what changed.
    """
    pulled, superseded, cases = _insert_remote(conn, page)
    own_seqs = [e.station_seq for e in page.events if e.station_id == station_id]
    if own_seqs:
        # A database restored from an old snapshot must not reuse numbers the centre holds.
        meta.raise_to(conn, meta.NEXT_STATION_SEQ, max(own_seqs) + 1)
    for case_id in sorted(cases):
        projection.refold(conn, case_id)
    upsert_accounts(conn, page.accounts)
    meta.put(conn, meta.PULL_CURSOR, str(page.next_cursor))
    if page.catalog_version:
        meta.put(conn, meta.CATALOG_VERSION, page.catalog_version)
    return PageOutcome(pulled=pulled, superseded=superseded, cases=len(cases))
