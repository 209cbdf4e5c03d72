"""闭环: the work items of 差评 and 办不成事 (``loop_item``) and their steps (``loop_step``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LOOPS_COUNTER = "loops"
"""The counter that stamps every change of an item (the stations' outcome cursor)."""

_STR = sqlmodel.sql.sqltypes.AutoString
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create ``loop_item`` and ``loop_step`` and the ``loops`` counter."""
    op.create_table(
        "loop_item",
        sa.Column("id", _SEQ, autoincrement=True, nullable=False),
        sa.Column("source_kind", _STR(length=16), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("source_number", _STR(length=40), nullable=False),
        sa.Column("division", _STR(length=12), nullable=False),
        sa.Column("station_id", _STR(length=64), nullable=False),
        sa.Column("station_name", _STR(), nullable=False),
        sa.Column("words", _STR(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", _STR(length=16), nullable=False),
        sa.Column("unit_kind", _STR(length=16), nullable=False),
        sa.Column("unit", _STR(length=64), nullable=False),
        sa.Column("unit_name", _STR(), nullable=False),
        sa.Column("appeal", _STR(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_seq", _SEQ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id"),
    )
    for column in ("division", "state", "unit", "updated_seq"):
        op.create_index(f"ix_loop_item_{column}", "loop_item", [column])
    op.create_table(
        "loop_step",
        sa.Column("id", _SEQ, autoincrement=True, nullable=False),
        sa.Column("item_id", _SEQ, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", _STR(length=24), nullable=False),
        sa.Column("actor_username", _STR(length=64), nullable=False),
        sa.Column("actor_name", _STR(), nullable=False),
        sa.Column("actor_role", _STR(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_loop_step_item_id", "loop_step", ["item_id"])
    counter = sa.table(
        "counter", sa.column("name", sa.String()), sa.column("value", sa.BigInteger())
    )
    op.bulk_insert(counter, [{"name": LOOPS_COUNTER, "value": 0}])


def downgrade() -> None:
    """Drop both tables and the counter."""
    op.execute(sa.text("DELETE FROM counter WHERE name = :name").bindparams(name=LOOPS_COUNTER))
    op.drop_index("ix_loop_step_item_id", table_name="loop_step")
    op.drop_table("loop_step")
    for column in ("division", "state", "unit", "updated_seq"):
        op.drop_index(f"ix_loop_item_{column}", table_name="loop_item")
    op.drop_table("loop_item")
