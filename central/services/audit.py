"""The tamper-evident audit: a hash chain over every event the centre accepted.

Each link is ``sha256(prev_hash | central_seq | status | reason | sha256(canonical event))``;
changing, removing or reordering any stored event breaks every link after it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlmodel import Session

from central.models import AUDIT_TABLE, EVENT_TABLE, as_utc

GENESIS = "0" * 64
CHAINED_COLUMNS = (
    "id",
    "case_id",
    "case_number",
    "division",
    "kind",
    "station_id",
    "station_seq",
    "schema_version",
    "base_version",
    "actor_id",
    "actor_role",
    "device_time",
    "payload",
)


@dataclass(frozen=True)
class AuditCheck:
    """The result of walking the chain."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = as_utc(value)
        return moment.isoformat() if moment else None
    if isinstance(value, dict | list | int | str) or value is None:
        return value
    return str(value)


def body_digest(row: dict[str, Any]) -> str:
    """sha256 of the event's canonical JSON (what the station wrote; no centre fields).

    Independent of the chain position, so a push computes it before taking the lock.
    """
    body = {column: _plain(row[column]) for column in CHAINED_COLUMNS}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def link_hash(prev_hash: str, row: dict[str, Any], digest: str | None = None) -> str:
    """The hash of one link: the previous link, the centre's verdict and the event's digest."""
    body = digest or body_digest(row)
    head = f"{prev_hash}|{row['central_seq']}|{row['status']}|{row['reason'] or ''}|{body}"
    return hashlib.sha256(head.encode("utf-8")).hexdigest()


def last_hash(connection: Connection) -> str:
    """The newest link's hash (GENESIS for an empty chain); read under the counter lock."""
    statement = select(AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.seq.desc()).limit(1)
    return connection.execute(statement).scalar_one_or_none() or GENESIS


def chain_rows(
    prev_hash: str, rows: list[dict[str, Any]], digests: dict[Any, str] | None = None
) -> list[dict[str, Any]]:
    """Audit entries for newly inserted event rows, in central_seq order.

    Args:
        prev_hash: the newest link before these rows.
        rows: the event rows.
        digests: ``body_digest`` of each row by event id, when computed beforehand.
    """
    entries = []
    for row in rows:
        digest = link_hash(prev_hash, row, (digests or {}).get(row["id"]))
        entries.append(
            {
                "seq": row["central_seq"],
                "event_id": row["id"],
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        prev_hash = digest
    return entries


def verify_audit(*, session: Session, batch: int = 5000) -> AuditCheck:
    """Walk the whole chain against the stored events.

    Returns:
        ``AuditCheck(ok=True, entries=N)``, or where and why it breaks.
    """
    connection = session.connection()
    prev, count, after = GENESIS, 0, 0
    while True:
        statement = (
            select(EVENT_TABLE, AUDIT_TABLE.c.prev_hash, AUDIT_TABLE.c.hash.label("link"))
            .join(AUDIT_TABLE, AUDIT_TABLE.c.seq == EVENT_TABLE.c.central_seq, isouter=True)
            .where(EVENT_TABLE.c.central_seq > after)
            .order_by(EVENT_TABLE.c.central_seq)
            .limit(batch)
        )
        rows = [dict(r._mapping) for r in connection.execute(statement)]
        if not rows:
            return AuditCheck(ok=True, entries=count)
        for row in rows:
            seq = int(row["central_seq"])
            if row["link"] is None or row["prev_hash"] != prev:
                return AuditCheck(False, count, seq, "missing or reordered link")
            if link_hash(prev, row) != row["link"]:
                return AuditCheck(False, count, seq, "event does not match its link")
            prev, count, after = row["link"], count + 1, seq
