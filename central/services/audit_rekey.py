"""The one-time re-keying of a centre upgraded from software before keyed audit chains.

A centre of the last release linked its audit chains with plain SHA-256 and had no
audit key. When the key is first created for such a database, both chains are
walked under the old formula; if they are intact, every link is rewritten keyed
(one transaction, with the counters locked so no push or act appends meanwhile)
and an ``audit.rekey`` act records how many. If the old chains are not intact,
nothing is rewritten (re-keying would launder the change): the break is logged,
recorded as ``audit.rekey.refused`` and stays visible to ``daiban central audit``.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, inspect, update

from central.models import COUNTER_TABLE, EVENT_TABLE, EVENTS_COUNTER, AdminAction
from central.services import admin_audit, audit, audit_key
from central.services.audit_verify import BATCH, Walk, _ordered, walk_admin, walk_events
from central.services.sequence import lock_counter
from sync.files import write_private

log = logging.getLogger("daiban.central.audit")
REKEY = "audit.rekey"
REFUSED = "audit.rekey.refused"


@dataclass(frozen=True)
class Rekeyed:
    """What the first key did to the old chains."""

    events: int
    admin: int
    breaks: list[str]
    """The old chains' breaks (``chain seq problem``); when any, nothing was rewritten."""


def first_key(engine: Engine, path: Path) -> tuple[bytes, Rekeyed | None]:
    """Create the audit key, re-keying the old unkeyed chains if they are intact.

    Args:
        engine: the migrated database.
        path: where the key goes (must not exist yet).

    Returns:
        The key, and what was done to existing chains (None: nothing to do, or
        another process made the key first).
    """
    key = secrets.token_bytes(audit_key.KEY_BYTES)
    if not inspect(engine).has_table(EVENT_TABLE.name):
        return audit_key.load_or_create(path), None
    with engine.begin() as connection:
        lock_counter(connection, EVENTS_COUNTER)  # pushes and acts wait for the rewrite
        lock_counter(connection, admin_audit.ADMIN_COUNTER)
        if path.exists():  # another worker created it while we waited
            return audit_key.load_or_create(path), None
        outcome = rekey(connection, key)
        write_private(path, key.hex() + "\n", exclusive=True)
    return key, outcome


def rekey(connection: Connection, key: bytes) -> Rekeyed | None:
    """Rewrite both chains keyed if they hold under the old formula; record the act.

    Returns:
        What was done; None when both chains are empty.
    """
    events, admin = walk_events(connection, None), walk_admin(connection, None)
    if not events.count and not admin.count:
        return None
    breaks = [f"{f.chain} {f.seq} {f.problem}" for w in (events, admin) for f in w.findings]
    if breaks:
        log.error("audit: the old unkeyed chains are broken, not re-keyed: %s", breaks)
        detail: dict[str, Any] = {"breaks": breaks[:20], "count": _more(events, admin)}
        admin_audit.record_system_action(connection, key, REFUSED, detail)
        return Rekeyed(0, 0, breaks)
    rewritten = Rekeyed(_rekey_events(connection, key), _rekey_admin(connection, key), [])
    detail = {"events": rewritten.events, "admin": rewritten.admin}
    admin_audit.record_system_action(connection, key, REKEY, detail)
    log.warning("audit: %s event links and %s acts re-keyed", rewritten.events, rewritten.admin)
    return rewritten


def _more(*walks: Walk) -> int:
    return sum(len(w.findings) + w.more for w in walks)


def _rekey_events(connection: Connection, key: bytes) -> int:
    """Relink every event (the walk found each link with its event, in order)."""
    events = _ordered(connection, EVENT_TABLE, "central_seq", 0)
    statement = (
        update(EVENT_TABLE)
        .where(EVENT_TABLE.c.central_seq == bindparam("s"))
        .values(audit_link=bindparam("h"))
    )
    prev, batch, count = audit.GENESIS, [], 0
    for event in events:
        link = audit.link_hash(key, prev, event)
        batch.append({"s": event["central_seq"], "h": link})
        prev, count = link, count + 1
        if len(batch) >= BATCH:
            connection.execute(statement, batch)
            batch = []
    if batch:
        connection.execute(statement, batch)
    if count:  # the chain's newest link, as pushes read it (Counter.head)
        head = update(COUNTER_TABLE).where(COUNTER_TABLE.c.name == EVENTS_COUNTER)
        connection.execute(head.values(head=prev))
    return count


def _rekey_admin(connection: Connection, key: bytes) -> int:
    table = AdminAction.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.seq == bindparam("s"))
        .values(prev_hash=bindparam("p"), hash=bindparam("h"))
    )
    prev, rows = audit.GENESIS, []
    for values in list(_ordered(connection, table, "seq", 0)):
        link = admin_audit.link(key, prev, AdminAction(**values))
        rows.append({"s": values["seq"], "p": prev, "h": link})
        prev = link
    if rows:
        connection.execute(statement, rows)
    return len(rows)
