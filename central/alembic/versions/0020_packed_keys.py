"""Fuller index pages for the event ledger, and 16-byte progress key digests.

**The event table's append-only indexes fill their pages** (PostgreSQL ``fillfactor``
100). A B-tree page that splits keeps 10 % of it free (the default ``fillfactor`` of
90) for keys that would later land between its keys. The event table is a ledger: its
rows are never updated, and four of its indexes only ever grow at the end of a key
range: the centre's sequence (``event_pkey``), and a station's, a division's or a
township's next event (``ix_event_station_seq``, ``ix_event_division_seq``,
``ix_event_township_seq``: the station's or the centre's sequence ascends in each).
PostgreSQL splits such a page where the new key goes (its rule for a localized
ascending insert), so the page left behind is never written again and its 10 % stays
empty for good. At 100 it is used: about 40 bytes a case. The event id's key (UUIDv7,
but made offline, days before its push) and ``ix_event_case_id`` (a later event of an
older case) take keys in the middle of the tree and keep the default. Only pages split
from now on are filled (a ``REINDEX`` at a quiet hour would fill the older ones too).

**A progress key's digest is 16 bytes** (``central.models.Digest128``), the first half
of its SHA-256: a key has 128 random bits, so the other half said nothing more. On
PostgreSQL it is held as ``uuid``, a fixed 16 bytes without a length header, in the row
and in the primary key: about 60 bytes a case, with the 32-byte ``bytea``'s row and
index entry. Each stored digest is cut to its first 16 bytes in place.

SQLite has no fillfactor; its digests are cut in place too. Downgrading sets the default
fillfactor back and makes each digest whole again from the key in its case's
``created`` event (the key itself is not stored anywhere else).

Revision ID: 0020_packed_keys
Revises: 0019_link_in_event
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib
import json

from alembic import op
from sqlalchemy import Connection, text

revision = "0020_packed_keys"
down_revision = "0019_link_in_event"
branch_labels = None
depends_on = None

INDEXES = ("event_pkey", "ix_event_station_seq", "ix_event_division_seq", "ix_event_township_seq")
"""The event table's indexes that grow only at the end of a key range."""

_KEY = "progress_key"
"""The ``created`` payload's key (``sync.progress.PAYLOAD_KEY``)."""


def upgrade() -> None:
    """Fillfactor 100 on the append-only indexes (PostgreSQL); each digest cut to 16 bytes."""
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"ALTER INDEX {name} SET (fillfactor = 100)")
        op.execute(
            "ALTER TABLE progress_key ALTER COLUMN key_hash TYPE uuid"
            " USING CAST(encode(substring(key_hash FROM 1 FOR 16), 'hex') AS uuid)"
        )
    else:
        op.execute("UPDATE progress_key SET key_hash = substr(key_hash, 1, 16)")


def downgrade() -> None:
    """The default fillfactor again (PostgreSQL); each digest whole again from its key."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in INDEXES:
            op.execute(f"ALTER INDEX {name} RESET (fillfactor)")
        op.execute(
            "ALTER TABLE progress_key ALTER COLUMN key_hash TYPE bytea"
            " USING decode(replace(CAST(key_hash AS text), '-', ''), 'hex')"
        )
        # one statement, the digests made by the database (no row comes to Python)
        whole = f"sha256(convert_to(event.payload ->> '{_KEY}', 'UTF8'))"
        op.execute(
            f"UPDATE progress_key SET key_hash = {whole} FROM event"
            f" WHERE event.kind = 'created' AND event.status = 'applied'"
            f" AND event.payload ->> '{_KEY}' <> ''"
            f" AND progress_key.key_hash = substring({whole} FROM 1 FOR 16)"
        )
    else:  # SQLite has no SHA-256 in SQL: the payloads read a batch at a time
        _whole_in_batches(bind)
    # a digest no created event explains cannot be made whole: the last release never finds it
    bind.execute(text("DELETE FROM progress_key WHERE length(key_hash) = 16"))


def _whole_in_batches(bind: Connection, size: int = 1000) -> None:
    """Each cut digest made whole from its key, ``size`` ``created`` events at a time (a
    key met twice finds its row already whole the second time)."""
    update = text("UPDATE progress_key SET key_hash = :whole WHERE key_hash = :cut")
    query = text(
        "SELECT central_seq, payload FROM event WHERE kind = 'created' AND status = 'applied'"
        " AND central_seq > :after ORDER BY central_seq LIMIT :size"
    )
    after = 0
    while rows := bind.execute(query, {"after": after, "size": size}).all():
        after = rows[-1][0]
        digests = []
        for _seq, payload in rows:
            data = json.loads(payload) if isinstance(payload, str | bytes) else payload or {}
            key = data.get(_KEY) if isinstance(data, dict) else None
            if isinstance(key, str) and key:
                digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
                digests.append({"whole": digest, "cut": digest[:16]})
        if digests:
            bind.execute(update, digests)
