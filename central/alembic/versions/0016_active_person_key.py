"""One *active* account per person: ``ix_account_person_key`` covers active accounts only.

An agent who moves to another village (调动), or a reviewer to another township, needs an
account there. The account's division cannot simply change: the station of the old
division keeps the account cached for offline sign-in and, the account no longer in its
scope, would never hear that it ended there. So the county disables the old account
(every station that holds it hears that) and opens a new one for the same person; the
person's ID number may then be held by one active account and any number of disabled
ones, which keep the person's earlier acts under their own ids. Enabling an old account
again while another is active is refused by the service (and by this index).

Revision ID: 0016_active_person_key
Revises: 0015_compact_ids
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_active_person_key"
down_revision = "0015_compact_ids"
branch_labels = None
depends_on = None

_ACTIVE = sa.text("active")


def upgrade() -> None:
    """The unique person index, on active accounts only (a partial index)."""
    op.drop_index("ix_account_person_key", table_name="account")
    op.create_index(
        "ix_account_person_key",
        "account",
        ["person_key"],
        unique=True,
        sqlite_where=_ACTIVE,
        postgresql_where=_ACTIVE,
    )


def downgrade() -> None:
    """Back to one account per person, active or not. Refused, with nothing changed, while
    a person holds two accounts (one of them disabled): the index would not build, and on
    SQLite the table would be left without any person index at all."""
    held_twice = op.get_bind().execute(
        sa.text(
            "SELECT COUNT(*) FROM (SELECT person_key FROM account WHERE person_key IS NOT NULL"
            " GROUP BY person_key HAVING COUNT(*) > 1) twice"
        )
    )
    people = held_twice.scalar_one()
    if people:
        raise RuntimeError(
            f"{people} people hold more than one account (moved stations since 0016): "
            "the last release allows one account per person; not downgraded"
        )
    op.drop_index("ix_account_person_key", table_name="account")
    op.create_index("ix_account_person_key", "account", ["person_key"], unique=True)
