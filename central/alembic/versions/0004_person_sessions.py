"""Person sessions (a person's own credential at the centre) and the audited administrative acts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ADMIN_COUNTER = "admin"
"""The counter that orders the administrative audit chain."""

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Create ``person_session`` and ``admin_action``."""
    op.create_table(
        "person_session",
        sa.Column("token_hash", _STR(length=64), nullable=False),
        sa.Column("user_id", _STR(length=64), nullable=False),
        sa.Column("station_id", _STR(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_person_session_user_id", "person_session", ["user_id"])
    op.create_table(
        "admin_action",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", _STR(length=64), nullable=False),
        sa.Column("actor_username", _STR(length=64), nullable=False),
        sa.Column("actor_role", _STR(length=16), nullable=False),
        sa.Column("station_id", _STR(length=64), nullable=False),
        sa.Column("action", _STR(length=48), nullable=False),
        sa.Column("target", _STR(length=128), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", _STR(length=64), nullable=False),
        sa.Column("hash", _STR(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_admin_action_action", "admin_action", ["action"])
    counter = sa.table(
        "counter", sa.column("name", sa.String()), sa.column("value", sa.BigInteger())
    )
    op.bulk_insert(counter, [{"name": ADMIN_COUNTER, "value": 0}])


def downgrade() -> None:
    """Drop both tables."""
    op.execute(sa.text("DELETE FROM counter WHERE name = :name").bindparams(name=ADMIN_COUNTER))
    op.drop_index("ix_admin_action_action", table_name="admin_action")
    op.drop_table("admin_action")
    op.drop_index("ix_person_session_user_id", table_name="person_session")
    op.drop_table("person_session")
