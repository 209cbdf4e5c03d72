"""办不成事 records get a table of their own; older records leave the case table.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``unresolved_record`` and move older software's records (``created`` with
    ``kind: unresolved``) out of ``case_state``, folded as records."""
    op.create_table(
        "unresolved_record",
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("division", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("owner_station", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("view", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
    )
    with op.batch_alter_table("unresolved_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unresolved_record_number"), ["number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unresolved_record_division"), ["division"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unresolved_record_state"), ["state"], unique=False)
    _move_legacy_records()


def _move_legacy_records() -> None:
    from central.services.pull import recorded_event
    from sync.unresolved import fold_record

    bind = op.get_bind()
    cases = sa.table(
        "case_state",
        sa.column("case_id", sa.Uuid()),
        sa.column("owner_station"),
        sa.column("updated_seq"),
        sa.column("view", sa.JSON()),
    )
    legacy = [
        row for row in bind.execute(sa.select(cases)) if _view(row.view).get("kind") == "unresolved"
    ]
    events = sa.table("event", *(sa.column(name, _TYPES.get(name)) for name in _EVENT_COLUMNS))
    records = sa.table(
        "unresolved_record", *(sa.column(name, _TYPES.get(name)) for name in _RECORD_COLUMNS)
    )
    for row in legacy:
        query = sa.select(events).where(events.c.case_id == row.case_id)
        rows = bind.execute(query.order_by(events.c.central_seq)).mappings()
        view = fold_record(recorded_event(dict(r) | {"payload": _view(r["payload"])}) for r in rows)
        bind.execute(
            sa.insert(records).values(
                record_id=row.case_id,
                number=view.number,
                division=view.division,
                owner_station=row.owner_station,
                state=view.state.value,
                version=view.version,
                flagged="superseded" in view.flags,
                updated_seq=row.updated_seq,
                view=view.model_dump(mode="json"),
            )
        )
        bind.execute(sa.delete(cases).where(cases.c.case_id == row.case_id))


_EVENT_COLUMNS = (
    "central_seq id case_id case_number division kind station_id station_seq schema_version "
    "base_version actor_id actor_role device_time payload status reason"
).split()
_TYPES: dict[str, Any] = {
    "id": sa.Uuid(),
    "case_id": sa.Uuid(),
    "record_id": sa.Uuid(),
    "device_time": sa.DateTime(timezone=True),
    "payload": sa.JSON(),
    "view": sa.JSON(),
    "flagged": sa.Boolean(),
}
_RECORD_COLUMNS = (
    "record_id number division owner_station state version flagged updated_seq view"
).split()


def _view(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def downgrade() -> None:
    """Drop the records' table (records stay in the event log)."""
    op.drop_table("unresolved_record")
