"""The case search finds a case by the applicant's own phone too (the search box promised
电话, and found only the 代办人's).

No table changes: the search index (``cases_fts``) is rebuilt from the cases at the next
open (``station_meta.fts_rebuild``), so the cases taken in before hold those terms too.
Downgrading rebuilds it the same way (the last release's terms).

Revision ID: 0012_search_applicant_phone
Revises: 0011_search_principal
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_search_applicant_phone"
down_revision: str | Sequence[str] | None = "0011_search_principal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REBUILD = (
    "INSERT INTO station_meta (key, value) VALUES ('fts_rebuild', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = '1'"
)


def upgrade() -> None:
    """Ask for the search index to be rebuilt with the applicant's phone."""
    op.execute(_REBUILD)


def downgrade() -> None:
    """The same: rebuilt with whatever terms the release opening it writes."""
    op.execute(_REBUILD)
