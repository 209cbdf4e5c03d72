"""What a station reports at hello, outstanding enrollment codes, one account per person.

Station: the outbox depth, the oldest unsent event, the catalog version and the cases
held, as last reported (``reported_at``). Enrollment codes: a short reference to list
and cancel them, who issued them, when cancelled. Accounts: the HMAC of the person's
resident ID number (UNIQUE: one account per person) and its masked form.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_STR = sqlmodel.sql.sqltypes.AutoString


def _tz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the columns and indexes; give outstanding codes a reference."""
    op.add_column("station", sa.Column("outbox_depth", sa.Integer(), nullable=True))
    op.add_column("station", sa.Column("oldest_unsent", _tz(), nullable=True))
    op.add_column(
        "station",
        sa.Column("catalog_version", sa.String(length=40), nullable=False, server_default=""),
    )
    op.add_column("station", sa.Column("cases_held", sa.Integer(), nullable=True))
    op.add_column("station", sa.Column("reported_at", _tz(), nullable=True))
    op.add_column("enrollmentcode", sa.Column("ref", sa.String(length=16), nullable=True))
    op.add_column(
        "enrollmentcode",
        sa.Column("issued_by", sa.String(length=64), nullable=False, server_default=""),
    )
    op.add_column("enrollmentcode", sa.Column("cancelled_at", _tz(), nullable=True))
    op.create_index("ix_enrollment_code_ref", "enrollmentcode", ["ref"], unique=True)
    op.add_column("account", sa.Column("person_key", sa.String(length=64), nullable=True))
    op.add_column(
        "account", sa.Column("id_masked", sa.String(length=18), nullable=False, server_default="")
    )
    op.create_index("ix_account_person_key", "account", ["person_key"], unique=True)
    _give_codes_a_ref()


def _give_codes_a_ref() -> None:
    """Codes issued before 0006 get a random reference (never derived from the code)."""
    connection = op.get_bind()
    codes = sa.table("enrollmentcode", sa.column("code_hash", sa.String()), sa.column("ref"))
    for (code_hash,) in connection.execute(sa.select(codes.c.code_hash)).all():
        connection.execute(
            codes.update()
            .where(codes.c.code_hash == code_hash)
            .values(ref=secrets.token_hex(4).upper())
        )


def downgrade() -> None:
    """Drop what 0006 added."""
    op.drop_index("ix_account_person_key", table_name="account")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("id_masked")
        batch.drop_column("person_key")
    op.drop_index("ix_enrollment_code_ref", table_name="enrollmentcode")
    with op.batch_alter_table("enrollmentcode") as batch:
        batch.drop_column("cancelled_at")
        batch.drop_column("issued_by")
        batch.drop_column("ref")
    with op.batch_alter_table("station") as batch:
        for column in ("reported_at", "cases_held", "catalog_version", "oldest_unsent"):
            batch.drop_column(column)
        batch.drop_column("outbox_depth")
