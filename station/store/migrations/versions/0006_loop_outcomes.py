"""闭环 outcomes: what the county made of a 差评 or 办不成事 recorded here.

Revision ID: 0006_loop_outcomes
Revises: 0004_unresolved_records
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_loop_outcomes"
down_revision: str | Sequence[str] | None = "0004_unresolved_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``loop_outcomes`` (filled by the next sync)."""
    op.create_table(
        "loop_outcomes",
        sa.Column("source_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("source_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("source_id"),
    )


def downgrade() -> None:
    """Drop ``loop_outcomes``."""
    op.drop_table("loop_outcomes")
