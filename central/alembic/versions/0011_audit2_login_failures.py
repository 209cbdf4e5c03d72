"""Login failures at the centre (the lockout of ``POST /auth/session`` survives a restart).

Revision ID: 0011_audit2_login_failures
Revises: 0010_storm_scope_township
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011_audit2_login_failures"
down_revision = "0010_storm_scope_township"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``login_failure``."""
    op.create_table(
        "login_failure",
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )


def downgrade() -> None:
    """Drop ``login_failure``."""
    op.drop_table("login_failure")
