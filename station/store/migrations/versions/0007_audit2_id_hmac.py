"""No plain hash of an ID number: ``cases.id_hash`` becomes HMAC-SHA256 with a per-station key.

The last release stored an unsalted SHA-256 of each applicant's ID number, which a
dictionary of the plausible numbers reverses in seconds. This revision makes the
station's random key (``meta.id_hash_key``) and recomputes every case's hash from
its stored view, with SQLite's ``secure_delete`` on so the old values do not linger
in freed pages.

Revision ID: 0007_audit2_id_hmac
Revises: 0006_loop_outcomes
Create Date: 2026-12-01
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_audit2_id_hmac"
down_revision: str | Sequence[str] | None = "0006_loop_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "id_hash_key"


def _keyed(key: bytes, view: str) -> str:
    applicant = json.loads(view).get("applicant") or {}
    normal = str(applicant.get("id_number") or "").strip().upper()
    if not normal:
        return ""
    return hmac.new(key, normal.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def upgrade() -> None:
    """Make the key (kept if present) and rehash every case."""
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA secure_delete = ON")
    stored = bind.execute(
        sa.text("SELECT value FROM station_meta WHERE key = :k"), {"k": KEY}
    ).scalar()
    if stored is None:
        stored = secrets.token_bytes(32).hex()
        bind.execute(
            sa.text("INSERT INTO station_meta (key, value) VALUES (:k, :v)"),
            {"k": KEY, "v": stored},
        )
    key = bytes.fromhex(stored)
    rows = bind.execute(sa.text("SELECT case_id, view FROM cases")).all()
    changes = [{"c": case_id, "h": _keyed(key, view)} for case_id, view in rows]
    if changes:
        bind.execute(sa.text("UPDATE cases SET id_hash = :h WHERE case_id = :c"), changes)


def downgrade() -> None:
    """Back to the plain SHA-256 the older software searches by (the key stays)."""
    rows = op.get_bind().execute(sa.text("SELECT case_id, view FROM cases")).all()
    changes = []
    for case_id, view in rows:
        applicant = json.loads(view).get("applicant") or {}
        normal = str(applicant.get("id_number") or "").strip().upper()
        digest = hashlib.sha256(normal.encode("ascii", "replace")).hexdigest() if normal else ""
        changes.append({"c": case_id, "h": digest})
    if changes:
        op.get_bind().execute(sa.text("UPDATE cases SET id_hash = :h WHERE case_id = :c"), changes)
