"""Base schema: events, cases, station meta, accounts, drafts.

Revision ID: 0001_base
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_base"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the base tables."""
    op.create_table(
        "events",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("local_order", sa.Integer, nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("case_number", sa.String, nullable=False),
        sa.Column("division", sa.String, nullable=False),
        sa.Column("kind", sa.String, nullable=False),
        sa.Column("station_id", sa.String, nullable=False),
        sa.Column("station_seq", sa.Integer, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("actor_id", sa.String, nullable=False),
        sa.Column("actor_role", sa.String, nullable=False),
        sa.Column("device_time", sa.String, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("central_seq", sa.Integer, nullable=True),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("reason", sa.String, nullable=True),
        sa.Column("acked_at", sa.String, nullable=True),
        sa.Column("origin", sa.String, nullable=False),
        sa.UniqueConstraint("station_id", "station_seq", name="uq_events_station_seq"),
    )
    op.create_index("ix_events_case_id", "events", ["case_id"])
    op.create_index("ix_events_local_order", "events", ["local_order"], unique=True)
    op.create_index("ix_events_central_seq", "events", ["central_seq"])
    op.create_index("ix_events_outbox", "events", ["origin", "status", "station_seq"])
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("case_number", sa.String, nullable=False, unique=True),
        sa.Column("state", sa.String, nullable=False),
        sa.Column("item_code", sa.String, nullable=False),
        sa.Column("applicant_name", sa.String, nullable=False),
        sa.Column("id_masked", sa.String, nullable=False),
        sa.Column("id_hash", sa.String, nullable=False),
        sa.Column("name_initials", sa.String, nullable=False),
        sa.Column("division", sa.String, nullable=False),
        sa.Column("updated_at", sa.String, nullable=False),
        sa.Column("due_date", sa.String, nullable=True),
        sa.Column("view", sa.Text, nullable=False),
    )
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_index("ix_cases_item", "cases", ["item_code"])
    op.create_index("ix_cases_updated", "cases", ["updated_at"])
    op.create_index("ix_cases_due", "cases", ["due_date"])
    op.create_index("ix_cases_id_hash", "cases", ["id_hash"])
    op.create_table(
        "station_meta",
        sa.Column("key", sa.String, primary_key=True),
        sa.Column("value", sa.String, nullable=False),
    )
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.String, primary_key=True),
        sa.Column("username", sa.String, nullable=False, unique=True),
        sa.Column("record", sa.Text, nullable=False),
    )
    op.create_table(
        "drafts",
        sa.Column("draft_id", sa.String, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.String, nullable=False),
    )


def downgrade() -> None:
    """Drop the base tables."""
    for table in ("drafts", "accounts", "station_meta", "cases", "events"):
        op.drop_table(table)
