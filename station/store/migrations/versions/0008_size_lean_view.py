"""The stored case view is lean: no default values, history entries kept by the event log.

Every ``cases.view`` in the earlier form (whole history entries, every field) is
rewritten as ``station.store.stored.dump`` writes it (about a third of the bytes),
and ``ix_cases_state`` goes: ``ix_cases_state_updated`` serves the same lookups.

Revision ID: 0008_size_lean_view
Revises: 0007_audit2_id_hmac
Create Date: 2026-12-02
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from station.store import stored
from sync.views import CaseView

revision: str = "0008_size_lean_view"
down_revision: str | Sequence[str] | None = "0007_audit2_id_hmac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_UPDATE = sa.text("UPDATE cases SET view = :v WHERE case_id = :c")


def _batches(bind: sa.Connection) -> list[list[tuple[str, str]]]:
    rows = [(r.case_id, r.view) for r in bind.execute(sa.text("SELECT case_id, view FROM cases"))]
    return [rows[start : start + BATCH] for start in range(0, len(rows), BATCH)]


def upgrade() -> None:
    """Rewrite each view in the earlier form; drop the redundant index."""
    bind = op.get_bind()
    for batch in _batches(bind):
        changes = [
            {"c": case_id, "v": stored.dump(CaseView.model_validate_json(raw), keep_columns=True)}
            for case_id, raw in batch
            if "history" in json.loads(raw)
        ]
        if changes:
            bind.execute(_UPDATE, changes)
    op.execute("DROP INDEX IF EXISTS ix_cases_state")


def downgrade() -> None:
    """Back to whole views (the older software reads its history from them)."""
    bind = op.get_bind()
    op.execute("CREATE INDEX IF NOT EXISTS ix_cases_state ON cases (state)")
    for batch in _batches(bind):
        views = stored.load_many(bind, [raw for _, raw in batch])
        changes = [
            {"c": case_id, "v": view.model_dump_json()}
            for (case_id, _), view in zip(batch, views, strict=True)
        ]
        if changes:
            bind.execute(_UPDATE, changes)
