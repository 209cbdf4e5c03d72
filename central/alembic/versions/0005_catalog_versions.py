"""同源发布: the county's published catalogs, numbered and immutable (``catalog_version``).

Until a catalog is published the centre serves the one it is configured with
(the shipped one by default) as version 0, so nothing changes for existing
stations when this table is empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``catalog_version``."""
    op.create_table(
        "catalog_version",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number"),
        sa.UniqueConstraint("version"),
        sa.UniqueConstraint("sha256"),
    )


def downgrade() -> None:
    """Drop ``catalog_version`` (stations keep the catalogs they downloaded)."""
    op.drop_table("catalog_version")
