"""扫码查询进度: ``progress_key``, each case's public page key (by SHA-256) and its case.

Keys already carried by applied ``created`` events (a station upgraded before the
centre) are filled in, so their receipts' QR codes answer too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString
_KEY = "progress_key"


def upgrade() -> None:
    """Create ``progress_key`` (its primary key is the look-up index) and fill it."""
    table = op.create_table(
        "progress_key",
        sa.Column("key_hash", _STR(length=64), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    rows = _existing_keys()
    if rows:
        op.bulk_insert(table, rows)


def _existing_keys() -> list[dict[str, Any]]:
    event = sa.table(
        "event",
        sa.column("case_id", sa.Uuid()),
        sa.column("kind", sa.String()),
        sa.column("status", sa.String()),
        sa.column("payload", sa.JSON()),
    )
    query = sa.select(event.c.case_id, event.c.payload).where(
        event.c.kind == "created", event.c.status == "applied"
    )
    found: dict[str, Any] = {}
    for case_id, payload in op.get_bind().execute(query):
        data = json.loads(payload) if isinstance(payload, str) else payload or {}
        key = data.get(_KEY)
        if isinstance(key, str) and key:
            found.setdefault(hashlib.sha256(key.encode()).hexdigest(), case_id)
    return [{"key_hash": digest, "case_id": case_id} for digest, case_id in found.items()]


def downgrade() -> None:
    """Drop ``progress_key`` (the keys stay in the events)."""
    op.drop_table("progress_key")
