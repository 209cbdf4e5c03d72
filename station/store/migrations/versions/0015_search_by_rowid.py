"""The search index keyed by the case's row: a search reads no case id off the index.

``cases_fts`` held each case's id as an unindexed column, so a search for a common
surname (冯: 2,001 of 100,000 cases) read 2,001 ids off the index's content and looked
each up in ``cases``' id index: the desk's slowest key took 96 ms at the 99th
percentile, against 50. Now the index's rowid is the row's ``cases.rowid``; a search is
``cases.rowid IN (SELECT rowid FROM cases_fts WHERE ... MATCH ...)``, and the projection
replaces a case's terms by rowid, not by scanning the index for its id.

``cases`` has no INTEGER PRIMARY KEY, so its rowids are kept only as long as its rows
are: the station never runs VACUUM, and a later migration that rebuilds ``cases``
(``batch_alter_table``) must ask for the index to be rebuilt (``fts_rebuild``).

The terms are copied over, not rebuilt from the cases (a minute at 100,000 cases).
Downgrading puts the ids back the same way.

Revision ID: 0015_search_by_rowid
Revises: 0014_search_after_correction
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015_search_by_rowid"
down_revision: str | Sequence[str] | None = "0014_search_after_correction"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"


def _keyed_by_id() -> bool:
    """Whether ``cases_fts`` still holds each case's id (a database written as an older
    release: a test's, stamped with that release's revision, may already be keyed by row)."""
    columns = op.get_bind().exec_driver_sql("PRAGMA table_info(cases_fts)").all()
    return "case_id" in {row[1] for row in columns}


def upgrade() -> None:
    """Copy the terms into an index keyed by ``cases.rowid``; drop the one keyed by id."""
    if not _keyed_by_id():
        return
    op.execute(f"CREATE VIRTUAL TABLE cases_fts_new USING fts5(terms, {_TOKENIZE})")
    op.execute(
        "INSERT INTO cases_fts_new (rowid, terms) "
        "SELECT cases.rowid, max(cases_fts.terms) FROM cases_fts JOIN cases USING (case_id)"
        " GROUP BY cases.rowid"  # one row of terms a case (a rowid is unique), whatever was
    )
    op.execute("DROP TABLE cases_fts")
    op.execute("ALTER TABLE cases_fts_new RENAME TO cases_fts")


def downgrade() -> None:
    """The index keyed by case id again, with the same terms."""
    if _keyed_by_id():
        return
    op.execute(
        f"CREATE VIRTUAL TABLE cases_fts_old USING fts5(case_id UNINDEXED, terms, {_TOKENIZE})"
    )
    op.execute(
        "INSERT INTO cases_fts_old (case_id, terms) "
        "SELECT cases.case_id, cases_fts.terms FROM cases_fts JOIN cases "
        "ON cases.rowid = cases_fts.rowid"
    )
    op.execute("DROP TABLE cases_fts")
    op.execute("ALTER TABLE cases_fts_old RENAME TO cases_fts")
