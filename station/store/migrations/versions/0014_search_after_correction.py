"""A case whose applicant's phone or 代办人 was corrected (补正) is found by the new values.

The projection now refreshes a case's search terms when a correction changes them (it
refreshed them only for a new name or ID number). A case corrected before this release
holds the new values in its stored view and the old ones in the search index, and the
projection, seeing no change, would never refresh them: the search index
(``cases_fts``) is rebuilt from the cases at the next open (``station_meta.fts_rebuild``).
No table changes. Downgrading asks for the same rebuild.

Revision ID: 0014_search_after_correction
Revises: 0013_owed_materials
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014_search_after_correction"
down_revision: str | Sequence[str] | None = "0013_owed_materials"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REBUILD = (
    "INSERT INTO station_meta (key, value) VALUES ('fts_rebuild', '1') "
    "ON CONFLICT (key) DO UPDATE SET value = '1'"
)


def upgrade() -> None:
    """Ask for the search index to be rebuilt from the cases as they are now."""
    op.execute(_REBUILD)


def downgrade() -> None:
    """The same: rebuilt with whatever terms the release opening it writes."""
    op.execute(_REBUILD)
