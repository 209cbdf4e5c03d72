"""区内通办: events carry where their case is handled (``scope_division``), indexed for pulls.

A township or county station pulls the events whose ``scope_division`` lies in
its scope, through ``ix_event_scope_seq`` (a range on the division, then the
cursor), so a pull still costs what changed. Existing events are handled where
they were taken in: ``scope_division = division``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``event.scope_division``, fill it from ``division``, index it with the cursor."""
    with op.batch_alter_table("event") as batch:
        batch.add_column(
            sa.Column("scope_division", sa.String(length=12), nullable=False, server_default="")
        )
    op.execute(sa.text("UPDATE event SET scope_division = division"))
    op.create_index("ix_event_scope_seq", "event", ["scope_division", "central_seq"])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_event_scope_seq", table_name="event")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("scope_division")
