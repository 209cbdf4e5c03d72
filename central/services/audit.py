"""The tamper-evident audit: a hash chain over every event the centre accepted.

Each link is ``HMAC-SHA256(audit key, prev_hash | central_seq | status | reason |
sha256(canonical event))``, the key kept in the centre's data directory and never in
the database (:mod:`central.services.audit_key`): changing, removing or reordering a
stored event breaks its link, and nobody without the key can compute a new one.
An event row holds its link (``audit_link``) and nothing else of the chain: ``prev_hash``
is the link of the event before it, read from there (never stored twice). Removing an
event removes its link too: the link after it no longer follows, and for the newest
events the counter row's ``head`` (the newest link, written by the same transaction)
is no longer in the chain.
:mod:`central.services.audit_verify` walks the chains and says what differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, select
from sqlmodel import Session

from central.models import COUNTER_TABLE, EVENTS_COUNTER, as_utc
from central.services import audit_key

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


_AS_IS = frozenset({str, int, dict, list, bool, type(None)})
"""Types whose values the canonical JSON takes as they are (checked by exact type first:
most of a row's columns, on the hot path)."""

_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
"""The canonical JSON of an event body (one encoder for every digest)."""


def _plain(value: Any) -> Any:
    if type(value) in _AS_IS:
        return value
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
    return hashlib.sha256(canonical_body(row).encode("utf-8")).hexdigest()


def canonical_body(row: dict[str, Any]) -> str:
    """The event's canonical JSON: ``_CANONICAL`` (sorted keys, no spaces, UTF-8 as is)
    of its ``CHAINED_COLUMNS``, each value as ``_plain`` makes it.

    Written out column by column, the common values (text, whole numbers, ids, times)
    formatted directly and only the payload and the unusual ones through the encoder:
    the same text, byte for byte (``tests/central/test_audit_canonical.py`` compares
    them), with a quarter fewer instructions than building a dict to encode whole.
    """
    common = _common_body(row)
    if common is not None:
        return common
    return "{" + ",".join([head + _canonical(row[name]) for name, head in _HEADS]) + "}"


def _common_body(row: dict[str, Any]) -> str | None:
    """The canonical JSON of a row whose columns hold what a pushed event's row holds (ids
    as UUIDs, whole numbers, a UTC time, texts, a dict payload), in one format string;
    None for any other row (written column by column by :func:`canonical_body`).

    Column by column, the calls for the twelve columns besides the payload cost about as
    many instructions as the payload's encoding; the text is the same, byte for byte."""
    ids, case, moment = row["id"], row["case_id"], row["device_time"]
    schema, seq, base, payload = (
        row["schema_version"],
        row["station_seq"],
        row["base_version"],
        row["payload"],
    )
    if not (
        type(ids) is UUID
        and type(case) is UUID
        and type(moment) is datetime
        and moment.tzinfo is UTC
        and type(schema) is int
        and type(seq) is int
        and type(base) is int
        and type(payload) is dict
    ):
        return None
    text = _ENCODE_TEXT
    try:  # a text column holding something else (None, a number): column by column
        return (
            f'{{"actor_id":{text(row["actor_id"])},"actor_role":{text(row["actor_role"])},'
            f'"base_version":{base},"case_id":{_uuid_text(case)},'
            f'"case_number":{text(row["case_number"])},"device_time":"{moment.isoformat()}",'
            f'"division":{text(row["division"])},"id":{_uuid_text(ids)},'
            f'"kind":{text(row["kind"])},"payload":{_CANONICAL.encode(payload)},'
            f'"schema_version":{schema},"station_id":{text(row["station_id"])},'
            f'"station_seq":{seq}}}'
        )
    except TypeError:
        return None


def _uuid_text(value: UUID) -> str:
    """``str(value)`` in JSON quotes, from its bytes (str formats its 128-bit integer)."""
    h = value.bytes.hex()
    return f'"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"'


_HEADS = tuple((name, f'"{name}":') for name in sorted(CHAINED_COLUMNS))
"""The columns in the canonical (sorted) order, each with its key as written."""

_ENCODE_TEXT = json.encoder.encode_basestring
"""The escaping ``_CANONICAL`` gives a string (``ensure_ascii=False``; the C one)."""


def _canonical(value: Any) -> str:
    """One value as ``_CANONICAL`` writes ``_plain(value)`` inside the body."""
    kind = type(value)
    if kind is str:
        return str(_ENCODE_TEXT(value))
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is UUID:
        return _uuid_text(value)
    if kind is datetime:
        moment = value if value.tzinfo is UTC else as_utc(value)
        return f'"{moment.isoformat()}"' if moment else "null"
    return _CANONICAL.encode(_plain(value))


def link_hash(key: bytes, prev_hash: str, row: dict[str, Any], digest: str | None = None) -> str:
    """One link: HMAC (audit key) of the previous link, the centre's verdict and the event's digest."""
    return audit_key.mac(key, _link_text(prev_hash, row, digest))


def unkeyed_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The link as plain SHA-256 (software before keyed chains, or a forger without the key)."""
    return hashlib.sha256(_link_text(prev_hash, row, None).encode("utf-8")).hexdigest()


def _link_text(prev_hash: str, row: dict[str, Any], digest: str | None) -> str:
    body = digest or body_digest(row)
    return f"{prev_hash}|{row['central_seq']}|{row['status']}|{row['reason'] or ''}|{body}"


_HEAD = select(COUNTER_TABLE.c.head).where(COUNTER_TABLE.c.name == EVENTS_COUNTER)
"""Built once (every push reads it)."""


def last_hash(connection: Connection) -> str:
    """The newest link's hash (GENESIS for an empty chain), as the counter row holds it
    (``Counter.head``): read under the counter lock."""
    return connection.execute(_HEAD).scalar_one_or_none() or GENESIS


def link_rows(
    connection: Connection,
    rows: list[dict[str, Any]],
    digests: dict[Any, str] | None = None,
    *,
    head: str | None = None,
) -> None:
    """Chain event rows about to be inserted onto the newest link, under the counter lock:
    each row gets its ``audit_link``.

    Args:
        connection: the push's connection (its engine carries the audit key).
        rows: the event rows, in central_seq order (completed in place).
        digests: ``body_digest`` of each row by event id, when computed beforehand.
        head: the newest link (GENESIS for an empty chain), when read with the counter's
            lock (``sequence.lock_counter_head``); None: read here (``last_hash``).
    """
    key = audit_key.key_for(connection)
    prev = last_hash(connection) if head is None else head
    for row, link in zip(rows, chain_rows(key, prev, rows, digests), strict=True):
        row["audit_link"] = link


def chain_rows(
    key: bytes, prev_hash: str, rows: list[dict[str, Any]], digests: dict[Any, str] | None = None
) -> list[str]:
    """The links of event rows, in central_seq order.

    Args:
        key: the audit key.
        prev_hash: the newest link before these rows.
        rows: the event rows.
        digests: ``body_digest`` of each row by event id, when computed beforehand.
    """
    links = []
    for row in rows:
        prev_hash = link_hash(key, prev_hash, row, (digests or {}).get(row["id"]))
        links.append(prev_hash)
    return links


def verify_audit(*, session: Session) -> AuditCheck:
    """Walk the whole event chain against the stored events (with the engine's key).

    Returns:
        ``AuditCheck(ok=True, entries=N)``, or where and why it first breaks.
    """
    from central.services.audit_verify import walk_events

    key = audit_key.key_for(session.connection())
    walk = walk_events(session.connection(), key)
    if not walk.findings:
        return AuditCheck(ok=True, entries=walk.count)
    first = walk.findings[0]
    return AuditCheck(False, walk.count, first.seq, first.problem)
