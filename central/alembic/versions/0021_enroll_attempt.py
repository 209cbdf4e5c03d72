"""An enrollment answered again to the station that asked: ``enrollmentcode.attempt_hash``.

A village station enrolls over the line it has. When the centre spent the code and the
answer was lost on the way back, the station sent the code again and was told it was
used: the county then held a station nobody could sync as, and the agent needed a new
code. A station now sends a secret of its own with the code (``EnrollRequest.attempt``);
the centre keeps its digest beside the spent code, and the same secret with the same code
is answered again (the same station, a fresh token) until the station is first heard
from. Codes spent before 0021 have none, and are answered once, as before.

Revision ID: 0021_enroll_attempt
Revises: 0020_packed_keys
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_enroll_attempt"
down_revision = "0020_packed_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The digest of the attempt secret that spent each code (none for earlier codes)."""
    op.add_column("enrollmentcode", sa.Column("attempt_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop it: the last release answers a code once."""
    with op.batch_alter_table("enrollmentcode") as batch:
        batch.drop_column("attempt_hash")
