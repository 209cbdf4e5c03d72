"""Stored case views without their history: the history is the event table.

The centre kept each case's whole history inside its stored view (about 60 % of the
database, read and rewritten on every push). From this revision the push stores the
view without it (``central.models.stored_view``); this revision strips it from the
views stored before, in one statement per table. Every reader of a case's history
reads the event table.

Downgrading leaves the views lean: the last release reads a view without history as
a case with none (its push and pages work; its 好差评 ledger shows no rating time).

Revision ID: 0013_hot_lean_view
Revises: 0012_actors_disabled_at
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0013_hot_lean_view"
down_revision = "0012_actors_disabled_at"
branch_labels = None
depends_on = None

TABLES = ("case_state", "unresolved_record")


def upgrade() -> None:
    """Remove the ``history`` key from every stored case and record view."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(
                f"UPDATE {table} SET view = (view::jsonb - 'history')::json"
                " WHERE view -> 'history' IS NOT NULL"
            )
        else:
            op.execute(
                f"UPDATE {table} SET view = json_remove(view, '$.history')"
                " WHERE json_type(view, '$.history') IS NOT NULL"
            )


def downgrade() -> None:
    """Nothing to undo: the last release reads a view without history (see above)."""
