"""Each event's audit link in its own row (``event.audit_link``), not a row of its own.

``auditentry`` held one row per event: its ``central_seq`` and the link's 32 bytes, with
a primary key on the seq; about 300 bytes a case on PostgreSQL (three events), for 32
bytes of information each. The link now sits in the event row (``audit_link``, 32 bytes;
NULL only where one was removed). The chain itself does not change: the same links, the
same formula (``central.services.audit``), checked the same way; an event removed now
takes its link with it, which the link after it still shows.

The chain's newest link is also kept in the ``events`` counter row (``counter.head``),
written with the counter under its lock: a push links onto it, and a check finds it on
an event or says the newest events were removed (with a table of their own, a removed
event's link stayed behind to say so).

Upgrading copies every link into its event, sets ``counter.head`` to the newest link
(the table's, even one whose event is already gone: the check then says so, the upgrade
does not hide it) and drops the table. The same pass writes '' for an event's missing
reason (``central.models.NoneAsEmpty``: a row without NULLs has no null bitmap). On
PostgreSQL the copy rewrites every event row once (a release upgrade stops the centre;
autovacuum later takes back the old row versions). Downgrading makes the table again
from the events' links, and the reasons NULL again.

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
    """The links into their events and the newest into the counter row; no link table."""
    op.add_column("event", sa.Column("audit_link", sa.LargeBinary(32), nullable=True))
    op.add_column("counter", sa.Column("head", sa.LargeBinary(32), nullable=True))
    op.execute(
        "UPDATE event SET audit_link = (SELECT hash FROM auditentry"
        " WHERE auditentry.seq = event.central_seq), reason = COALESCE(reason, '')"
    )
    op.execute(
        "UPDATE counter SET head = (SELECT hash FROM auditentry ORDER BY seq DESC LIMIT 1)"
        " WHERE name = 'events'"
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
    op.execute("UPDATE event SET reason = NULL WHERE reason = ''")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("audit_link")
    with op.batch_alter_table("counter") as batch:
        batch.drop_column("head")
