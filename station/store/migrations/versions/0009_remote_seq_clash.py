"""Pulled events may share a (station id, station sequence) pair with our own.

A station restored from an old backup (or a replacement PC given the same
identity) numbers its new events from where the backup left off, so the
centre holds earlier events of this station under the same sequence numbers.
The unique constraint on ``(station_id, station_seq)`` made the pull drop those
events silently (``ON CONFLICT DO NOTHING``) while the case's view took them
in: the event log no longer held what the view was folded from. The pair is
now unique only among this station's own events (``origin = 'local'``), where
it numbers the outbox; pulled events are always kept.

Revision ID: 0009_remote_seq_clash
Revises: 0008_size_lean_view
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_remote_seq_clash"
down_revision: str | Sequence[str] | None = "0008_size_lean_view"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_DDL = sa.text("SELECT sql FROM sqlite_master WHERE type = :type AND name = :name")


def upgrade() -> None:
    """Replace the table's unique constraint by a partial unique index on own events.

    A database built from the current tables and stamped at an older revision (tests
    of upgrades do that) has the index already: each step runs only when needed.
    """
    bind = op.get_bind()
    table = bind.execute(_DDL, {"type": "table", "name": "events"}).scalar_one()
    if "uq_events_station_seq" in table:
        with op.batch_alter_table("events", recreate="always") as batch:
            batch.drop_constraint("uq_events_station_seq", type_="unique")
    if bind.execute(_DDL, {"type": "index", "name": "uq_events_station_seq"}).first():
        return
    op.create_index(
        "uq_events_station_seq",
        "events",
        ["station_id", "station_seq"],
        unique=True,
        sqlite_where=sa.text("origin = 'local'"),
    )


def downgrade() -> None:
    """Back to the table constraint (fails if pulled events share a pair: keep the new one)."""
    op.drop_index("uq_events_station_seq", table_name="events")
    with op.batch_alter_table("events", recreate="always") as batch:
        batch.create_unique_constraint("uq_events_station_seq", ["station_id", "station_seq"])
