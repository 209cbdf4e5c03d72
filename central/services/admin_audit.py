"""The audit of administrative acts: who did what to which station, account or catalog.

A hash chain of its own (``admin_action``), ordered by the ``admin`` counter so
two administrators acting at once never fork it. Each link is
``HMAC-SHA256(audit key, prev_hash | canonical [seq, at, actor, station, action, target,
detail])`` with the key of :mod:`central.services.audit_key` (never in the database).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlmodel import Session

from central.models import AdminAction, User, as_utc, utcnow
from central.services import audit_key
from central.services.sequence import take_one
from central.services.sessions import Person

ADMIN_COUNTER = "admin"
GENESIS = "0" * 64
SERVER_CLI = "server-cli"
SYSTEM = "system"
"""The actor of an act the centre's software does by itself (the one-time re-keying)."""
"""The ``station_id`` of an act done at the server with ``daiban central … --as USER``
(no station: the administrator signed in with their password on the server)."""


def link_text(prev_hash: str, row: AdminAction) -> str:
    """What one link signs: the previous link and the act's canonical JSON."""
    at = as_utc(row.at)
    body = json.dumps(
        [
            row.seq,
            at.isoformat() if at else "",
            row.actor_id,
            row.actor_username,
            row.actor_role,
            row.station_id,
            row.action,
            row.target,
            row.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return f"{prev_hash}|{body}"


def link(key: bytes, prev_hash: str, row: AdminAction) -> str:
    """The keyed link of one act."""
    return audit_key.mac(key, link_text(prev_hash, row))


def unkeyed_link(prev_hash: str, row: AdminAction) -> str:
    """The link as plain SHA-256 (older software, or a forger without the key)."""
    return hashlib.sha256(link_text(prev_hash, row).encode()).hexdigest()


def record_action(
    session: Session,
    person: Person | User,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AdminAction:
    """Append one act to the chain, in the caller's transaction (the caller commits).

    Call it in the same transaction as the change it records, so the act and its
    audit commit or roll back together.

    Args:
        session: the request's session.
        person: who acted, where (a ``User`` alone: at the server's command line).
        action: dotted name, e.g. ``station.revoke``.
        target: what was acted on (a station id, a username, a catalog number…).
        detail: anything else worth keeping (JSON-able; no resident ID numbers).

    Returns:
        The new link.
    """
    seq = take_one(session.connection(), ADMIN_COUNTER)
    previous = session.scalars(
        select(AdminAction).where(AdminAction.seq == seq - 1)  # type: ignore[arg-type]
    ).first()
    user, where = (
        (person, SERVER_CLI) if isinstance(person, User) else (person.user, person.station.id)
    )
    row = AdminAction(
        seq=seq,
        at=utcnow(),
        actor_id=user.id,
        actor_username=user.username,
        actor_role=user.role,
        station_id=where,
        action=action,
        target=target[:128],
        detail=detail or {},
        prev_hash=previous.hash if previous is not None else GENESIS,
        hash="",
    )
    row.hash = link(audit_key.key_for(session.connection()), row.prev_hash, row)
    session.add(row)
    return row


def record_system_action(
    connection: Connection, key: bytes, action: str, detail: dict[str, Any]
) -> AdminAction:
    """Append an act done by the centre's software itself (no person), keyed with ``key``.

    Args:
        connection: the caller's transaction (it commits).
        key: the audit key (the caller may hold one not yet attached to the engine).
        action: dotted name, e.g. ``audit.rekey``.
        detail: what it did (JSON-able; no personal data).

    Returns:
        The new link.
    """
    seq = take_one(connection, ADMIN_COUNTER)
    table = AdminAction.__table__  # type: ignore[attr-defined]
    previous = connection.execute(select(table.c.hash).where(table.c.seq == seq - 1))
    row = AdminAction(
        seq=seq, at=utcnow(), actor_id=SYSTEM, actor_username=SYSTEM, actor_role=SYSTEM,
        station_id=SERVER_CLI, action=action, target="", detail=detail,
        prev_hash=previous.scalar_one_or_none() or GENESIS, hash="",
    )  # fmt: skip
    row.hash = link(key, row.prev_hash, row)
    connection.execute(insert(table).values(**row.model_dump()))
    return row


@dataclass(frozen=True)
class ActionsCheck:
    """The result of walking the administrative chain."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None


def verify_actions(session: Session) -> ActionsCheck:
    """Walk the chain from the start (with the engine's key); the first break is reported."""
    from central.services.audit_verify import walk_admin

    connection = session.connection()
    walk = walk_admin(connection, audit_key.key_for(connection))
    first = walk.findings[0].seq if walk.findings else None
    return ActionsCheck(ok=not walk.findings, entries=walk.count, first_bad_seq=first)


def list_actions(session: Session, limit: int = 200) -> list[AdminAction]:
    """The newest acts first."""
    query = select(AdminAction).order_by(AdminAction.seq.desc()).limit(limit)  # type: ignore[attr-defined]
    return list(session.scalars(query))
