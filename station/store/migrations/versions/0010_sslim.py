"""A smaller station database: the same data, fewer bytes per case.

- ``ix_events_outbox`` indexes only the outbox (own events still pending), not every
  event: once everything is sent it holds nothing;
- event payloads are stored as JSON without spaces (the same JSON);
- ``acked_at`` is kept only on events the centre refused (their central sequence
  number already says applied ones were acknowledged);
- ``cases.id_hash`` keeps the first 128 bits of the keyed hash (32 hex characters);
- ``cases.view`` leaves out the fields the row holds in columns of its own, the
  creating station when it is the first history entry's, and what it took unchanged
  from its created event's payload (``station.store.stored``).

Every row is rewritten in place; nothing is added or removed, and every case reads
back as the same ``CaseView``.

Revision ID: 0010_sslim
Revises: 0009_remote_seq_clash
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from station.store import stored
from station.store.eventlog import REFUSED, dump_payload
from station.store.meta import ID_HASH_KEY as KEY
from station.store.search import ID_HASH_CHARS

revision: str = "0010_sslim"
down_revision: str | Sequence[str] | None = "0009_remote_seq_clash"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_OUTBOX = "origin = 'local' AND status = 'pending'"
_VIEW_COLUMNS = ", ".join(column.name for column in stored.COLUMNS)


def _pages(bind: sa.Connection, query: str, key: str) -> Iterator[list[Any]]:
    """Rows of ``query`` (which selects ``key``) in pages, by ``key``."""
    after: Any = ""
    while True:
        rows = bind.execute(
            sa.text(f"{query} WHERE {key} > :after ORDER BY {key} LIMIT {BATCH}"),
            {"after": after},
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1]._mapping[key]


def _outbox_index(partial: bool) -> None:
    op.execute("DROP INDEX IF EXISTS ix_events_outbox")
    if partial:
        op.execute(
            f"CREATE INDEX ix_events_outbox ON events (station_id, station_seq) WHERE {_OUTBOX}"
        )
    else:
        op.execute("CREATE INDEX ix_events_outbox ON events (origin, status, station_seq)")


def _payloads(write: Any) -> None:
    bind = op.get_bind()
    update = sa.text("UPDATE events SET payload = :p WHERE id = :i")
    for rows in _pages(bind, "SELECT id, payload FROM events", "id"):
        changes = [
            {"i": event_id, "p": text}
            for event_id, raw in rows
            if (text := write(json.loads(raw))) != raw
        ]
        if changes:
            bind.execute(update, changes)


def _views(keep_columns: bool) -> None:
    bind = op.get_bind()
    update = sa.text("UPDATE cases SET view = :v WHERE case_id = :c")
    query = f"SELECT {_VIEW_COLUMNS} FROM cases"
    for rows in _pages(bind, query, "case_id"):
        views = stored.load_many(bind, rows)
        sources = stored.created_payloads(bind, views)
        changes = [
            {"c": row.case_id, "v": text}
            for row, view in zip(rows, views, strict=True)
            if (text := stored.dump(view, keep_columns=keep_columns, sources=sources)) != row.view
        ]
        if changes:
            bind.execute(update, changes)


def upgrade() -> None:
    """Rewrite the rows in the smaller form (see the module's docstring)."""
    _outbox_index(partial=True)
    _payloads(dump_payload)
    refused = ", ".join(f"'{status}'" for status in sorted(REFUSED))
    op.execute(f"UPDATE events SET acked_at = NULL WHERE status NOT IN ({refused})")
    _views(keep_columns=False)
    op.execute(f"UPDATE cases SET id_hash = substr(id_hash, 1, {ID_HASH_CHARS})")


def _whole_hashes() -> None:
    """Every case's keyed hash whole again (64 hex), from the ID number its view holds."""
    bind = op.get_bind()
    key = bytes.fromhex(
        bind.execute(
            sa.text("SELECT value FROM station_meta WHERE key = :k"), {"k": KEY}
        ).scalar_one()
    )
    update = sa.text("UPDATE cases SET id_hash = :h WHERE case_id = :c")
    query = f"SELECT {_VIEW_COLUMNS} FROM cases"
    for rows in _pages(bind, query, "case_id"):
        views = stored.load_many(bind, rows)
        changes = [
            {"c": row.case_id, "h": _whole(key, view.applicant.id_number if view.applicant else "")}
            for row, view in zip(rows, views, strict=True)
        ]
        bind.execute(update, changes)


def _whole(key: bytes, id_number: str) -> str:
    normal = id_number.strip().upper()
    if not normal:
        return ""
    return hmac.new(key, normal.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def downgrade() -> None:
    """Back to the earlier form (``acked_at`` of applied events stays empty)."""
    _whole_hashes()
    _views(keep_columns=True)
    _payloads(lambda payload: json.dumps(payload, ensure_ascii=False, default=str))
    _outbox_index(partial=False)
