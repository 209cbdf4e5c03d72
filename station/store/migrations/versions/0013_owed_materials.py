"""容缺待补交: each case's earliest day a material promised for later is due, indexed.

Home lists the cases owing a material (promised at take-in, 容缺后补) soonest first. The
materials are in the view (left out of its stored JSON when they are the created event's),
so without a column every open case was read to find them: 100,000 of them made the case
list open in 450 ms. ``owed_by`` is added after ``view`` (the lists never read past it)
and filled at the next open (``station_meta.owed_rebuild``), from the views.

Revision ID: 0013_owed_materials
Revises: 0012_search_applicant_phone
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_owed_materials"
down_revision: str | Sequence[str] | None = "0012_search_applicant_phone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ASK = (
    "INSERT INTO station_meta (key, value) VALUES ('owed_rebuild', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = '1'"
)


def upgrade() -> None:
    """The column and its index, unless the table has them (a database stamped with an
    older revision than its tables are); the values at the next open."""
    inspector = sa.inspect(op.get_bind())
    if "owed_by" not in {column["name"] for column in inspector.get_columns("cases")}:
        op.add_column("cases", sa.Column("owed_by", sa.String(), nullable=True))
    if "ix_cases_owed" not in {index["name"] for index in inspector.get_indexes("cases")}:
        op.create_index("ix_cases_owed", "cases", ["owed_by"])
    op.execute(_ASK)


def downgrade() -> None:
    """Drop the index and the column (and the request to fill it)."""
    op.drop_index("ix_cases_owed", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("owed_by")
    op.execute("DELETE FROM station_meta WHERE key = 'owed_rebuild'")
