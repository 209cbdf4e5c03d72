"""Each event's audit link in its own row (``event.audit_link``), not a row of its own.

``auditentry`` held one row per event: its ``central_seq`` and the link's 32 bytes, with
a primary key on the seq; about 300 bytes a case on PostgreSQL (three events), for 32
bytes of information each. The link now sits in the event row (``audit_link``, 32 bytes;
NULL only where one was removed). The chain itself does not change: the same links, the
same formula (``central.services.audit``), checked the same way; an event removed now
takes its link with it, which the link after it still shows.

Upgrading copies every link into its event and drops the table (a link whose event was
already gone has nothing to go with: the next link shows that gap as before). On
PostgreSQL the copy rewrites every event row once (a release upgrade stops the centre;
autovacuum later takes back the old row versions). Downgrading makes the table again
from the events' links.

Revision ID: 0019_link_in_event
Revises: 0018_lean_case_view
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_link_in_event"
down_revision = "0018_lean_case_view"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """The links into their events, and no link table."""
    op.add_column("event", sa.Column("audit_link", sa.LargeBinary(32), nullable=True))
    op.execute(
        "UPDATE event SET audit_link = (SELECT hash FROM auditentry"
        " WHERE auditentry.seq = event.central_seq)"
    )
    op.drop_table("auditentry")


def downgrade() -> None:
    """The link table of the last release, filled from the events, and no column."""
    op.create_table(
        "auditentry",
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.execute(
        "INSERT INTO auditentry (seq, hash) SELECT central_seq, audit_link FROM event"
        " WHERE audit_link IS NOT NULL"
    )
    with op.batch_alter_table("event") as batch:
        batch.drop_column("audit_link")
