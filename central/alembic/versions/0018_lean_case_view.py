"""A case's stored view without the application its ``created`` event already holds.

``case_state.view`` held each case's application as filed (applicant, form fields,
materials, item and station names: about 450 of its 600 bytes), which the ``created``
event's payload holds too. The new column ``created_seq`` names that event; a view
written from now on leaves out each field of the application the payload holds with
the same value (``central.models.stored_view``), and readers put them back from the
payload (``whole_view``, ``CASES_WITH_BODY``, ``view_value``).

Nothing is rewritten: a case stored before this revision keeps its whole view and a NULL
``created_seq``, read as before, and stays so when later events change it (a push only
names the created event of a case it inserts). Downgrading writes the left-out fields
back into each lean view, then drops the column.

Revision ID: 0018_lean_case_view
Revises: 0017_pg_compact_idents
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0018_lean_case_view"
down_revision = "0017_pg_compact_idents"
branch_labels = None
depends_on = None

LEAN_FIELDS = frozenset(
    {
        "agent_name",
        "agent_phone",
        "applicant",
        "attachments",
        "catalog_version",
        "commitment",
        "contact",
        "fields",
        "handling_division",
        "item_name",
        "item_version",
        "kind",
        "materials",
        "principal",
        "progress_key",
        "promised_days",
        "relation",
        "station_name",
        "supply_by",
        "what",
        "why",
    }
)
"""``central.models.LEAN_FIELDS`` at this revision: the fields a lean view may leave out."""


def upgrade() -> None:
    """The column naming each case's ``created`` event (NULL: the view is whole)."""
    seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # as central_seq
    op.add_column("case_state", sa.Column("created_seq", seq, nullable=True))


def downgrade() -> None:
    """Each lean view whole again (the last release reads the view alone), then no column."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT c.case_id, CAST(c.view AS TEXT), CAST(e.payload AS TEXT) FROM case_state c"
            " JOIN event e ON e.central_seq = c.created_seq"
        )
    ).all()
    cast = "CAST(:view AS JSON)" if connection.dialect.name == "postgresql" else ":view"
    update = sa.text(f"UPDATE case_state SET view = {cast} WHERE case_id = :case_id")
    for case_id, view, payload in rows:
        connection.execute(update, {"case_id": case_id, "view": _whole(view, payload)})
    with op.batch_alter_table("case_state") as batch:
        batch.drop_column("created_seq")


def _whole(view: str, payload: str) -> str:
    body: dict[str, Any] = json.loads(payload)
    held = {name: value for name, value in body.items() if name in LEAN_FIELDS}
    return json.dumps(held | json.loads(view), ensure_ascii=False, separators=(",", ":"))
