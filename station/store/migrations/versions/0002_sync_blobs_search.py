"""Sync runs, the blob queue, the superseded flag and full-text search of cases.

Revision ID: 0002_sync_blobs_search
Revises: 0001_base
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_sync_blobs_search"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the tables and ask the store to (re)build the search index on open."""
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("flagged", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", sa.String, nullable=False),
        sa.Column("finished_at", sa.String, nullable=True),
        sa.Column("pushed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pulled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("superseded", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.String, nullable=True),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("name", sa.String, nullable=False, server_default=""),
        sa.Column("created_at", sa.String, nullable=False, server_default=""),
        sa.Column("uploaded_at", sa.String, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String, nullable=True),
    )
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS cases_fts USING fts5("
        "case_id UNINDEXED, terms, tokenize = 'unicode61 remove_diacritics 0')"
    )
    op.execute(
        "INSERT INTO station_meta (key, value) VALUES ('fts_rebuild', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = '1'"
    )


def downgrade() -> None:
    """Drop what upgrade added."""
    op.execute("DROP TABLE IF EXISTS cases_fts")
    op.drop_table("blobs")
    op.drop_table("sync_runs")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("flagged")
