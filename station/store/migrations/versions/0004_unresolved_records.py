"""办不成事 records get a table of their own and leave the case list.

Revision ID: 0004_unresolved_records
Revises: 0003_case_list_columns
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004_unresolved_records"
down_revision: str | Sequence[str] | None = "0003_case_list_columns"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = "SELECT case_id FROM cases WHERE json_extract(view, '$.kind') = 'unresolved'"
"""Cases older software made for 办不成事 (``created`` with ``kind: unresolved``)."""


def upgrade() -> None:
    """Create ``unresolved``; drop older records from ``cases`` (and its search index).

    Their events stay in the event log, untouched (unsent ones still sync); the
    store folds them into ``unresolved`` when it opens (``records_rebuild``).
    """
    op.execute(
        "CREATE TABLE unresolved ("
        "record_id VARCHAR(32) NOT NULL PRIMARY KEY, "
        "number VARCHAR NOT NULL UNIQUE, "
        "state VARCHAR NOT NULL, "
        "division VARCHAR NOT NULL, "
        "what VARCHAR NOT NULL, "
        "reported_at VARCHAR NOT NULL, "
        "flagged INTEGER NOT NULL, "
        "view TEXT NOT NULL)"
    )
    op.create_index("ix_unresolved_reported", "unresolved", ["reported_at"])
    op.execute(f"DELETE FROM cases_fts WHERE case_id IN ({LEGACY})")
    op.execute(f"DELETE FROM cases WHERE case_id IN ({LEGACY})")
    op.execute(
        "INSERT INTO station_meta (key, value) VALUES ('records_rebuild', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = '1'"
    )


def downgrade() -> None:
    """Drop the records' table (their events stay in the log)."""
    op.drop_index("ix_unresolved_reported", "unresolved")
    op.drop_table("unresolved")
