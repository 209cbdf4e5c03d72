"""Case lists stay fast at 100,000 cases: item name as a column, an index per state by date.

Revision ID: 0003_case_list_columns
Revises: 0002_sync_blobs_search
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003_case_list_columns"
down_revision: str | Sequence[str] | None = "0002_sync_blobs_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COLUMNS = """
    case_id VARCHAR(32) NOT NULL PRIMARY KEY,
    case_number VARCHAR NOT NULL UNIQUE,
    state VARCHAR NOT NULL,
    item_code VARCHAR NOT NULL,
    item_name VARCHAR NOT NULL DEFAULT '',
    applicant_name VARCHAR NOT NULL,
    id_masked VARCHAR NOT NULL,
    id_hash VARCHAR NOT NULL,
    name_initials VARCHAR NOT NULL,
    division VARCHAR NOT NULL,
    updated_at VARCHAR NOT NULL,
    due_date VARCHAR,
    flagged INTEGER NOT NULL DEFAULT '0',
    view TEXT NOT NULL
"""
"""The view JSON goes last: listing reads the small columns without its overflow pages."""

INDEXES = {
    "ix_cases_state": ["state"],
    "ix_cases_item": ["item_code"],
    "ix_cases_updated": ["updated_at"],
    "ix_cases_due": ["due_date"],
    "ix_cases_id_hash": ["id_hash"],
    "ix_cases_state_updated": ["state", "updated_at"],
}


def upgrade() -> None:
    """Rebuild ``cases`` with ``item_name`` (filled from each view) and the view last."""
    op.execute(f"CREATE TABLE cases_new ({COLUMNS})")
    op.execute(
        "INSERT INTO cases_new (case_id, case_number, state, item_code, item_name, "
        "applicant_name, id_masked, id_hash, name_initials, division, updated_at, due_date, "
        "flagged, view) SELECT case_id, case_number, state, item_code, "
        "COALESCE(json_extract(view, '$.item_name'), ''), applicant_name, id_masked, id_hash, "
        "name_initials, division, updated_at, due_date, flagged, view FROM cases"
    )
    op.drop_table("cases")
    op.rename_table("cases_new", "cases")
    for name, columns in INDEXES.items():
        op.create_index(name, "cases", columns)


def downgrade() -> None:
    """Drop the new index and column."""
    op.drop_index("ix_cases_state_updated", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("item_name")
