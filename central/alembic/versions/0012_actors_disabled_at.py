"""When an account was disabled: ``account.disabled_at``.

The centre refuses events "by" a disabled account, but a person's offline work written
at a station before the county disabled the account is real work and is still accepted
(judged by the event's device time against this moment). Accounts disabled before this
revision get their last change time (``updated_at``), the best moment known.

Revision ID: 0012_actors_disabled_at
Revises: 0011_audit2_login_failures
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_actors_disabled_at"
down_revision = "0011_audit2_login_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``account.disabled_at``; a disabled account's is its last change."""
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE account SET disabled_at = updated_at WHERE NOT active"))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("account") as batch:
        batch.drop_column("disabled_at")
