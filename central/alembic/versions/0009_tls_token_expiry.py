"""Station tokens expire and rotate: when the current one was issued, and the one it replaced.

Tokens issued before 0009 have no issue time: they stay valid and are replaced at the
station's next hello.

Revision ID: 0009_tls_token_expiry
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_tls_token_expiry"
down_revision = "0008"
branch_labels = None
depends_on = None


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the token's issue time and the previous token's hash and issue time."""
    op.add_column("station", sa.Column("token_issued_at", _tz(), nullable=True))
    op.add_column("station", sa.Column("previous_token_hash", sa.String(length=64), nullable=True))
    op.add_column("station", sa.Column("previous_token_issued_at", _tz(), nullable=True))
    op.create_index(
        "ix_station_previous_token_hash", "station", ["previous_token_hash"], unique=False
    )


def downgrade() -> None:
    """Drop what 0009 added."""
    op.drop_index("ix_station_previous_token_hash", table_name="station")
    with op.batch_alter_table("station") as batch:
        batch.drop_column("previous_token_issued_at")
        batch.drop_column("previous_token_hash")
        batch.drop_column("token_issued_at")
