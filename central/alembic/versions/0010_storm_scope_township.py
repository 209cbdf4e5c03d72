"""Pulls that cost only what changed: ``event.scope_township``, indexed with the cursor.

A township station pulls the events handled in its township. By ``scope_division``
that is a prefix range, so the database either walks every event after the cursor
(other townships' too) or the township's whole history, then sorts. With the
township's 9-digit code in its own column the pull is one index range:
``scope_township = ? AND central_seq > ?``, in cursor order, nothing else scanned.

Revision ID: 0010_storm_scope_township
Revises: 0009_tls_token_expiry
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_storm_scope_township"
down_revision = "0009_tls_token_expiry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``event.scope_township``, fill it from ``scope_division``, index it with the cursor."""
    with op.batch_alter_table("event") as batch:
        batch.add_column(
            sa.Column("scope_township", sa.String(length=9), nullable=False, server_default="")
        )
    op.execute(sa.text("UPDATE event SET scope_township = substr(scope_division, 1, 9)"))
    op.create_index("ix_event_township_seq", "event", ["scope_township", "central_seq"])


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index("ix_event_township_seq", table_name="event")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("scope_township")
