"""PostgreSQL: station and account ids as ``bytea``, a UUID's 16 bytes (``central.models.UuidText``).

``event.station_id``, ``event.actor_id`` and the ``owner_station`` of cases and 办不成事
records were ``varchar``: 37 bytes for a UUID's text, in every event row (twice) and in
every entry of ``ix_event_station_seq``. As ``bytea`` a canonical UUID's text is its 16
bytes; any other id (older enrollments, tests) keeps its text as UTF-8 bytes, with a NUL
byte after it when it has exactly 16 (16 bytes are a UUID's). The columns are rewritten
in place, one rewrite a table (``ALTER TABLE ... TYPE ... USING``: the table and its
indexes are rebuilt, under an exclusive lock, as a release upgrade already stops the
centre). SQLite already holds them so since 0015: nothing changes there. Downgrading
converts them back to the last release's text.

Revision ID: 0017_pg_compact_idents
Revises: 0016_active_person_key
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Callable

from alembic import op

revision = "0017_pg_compact_idents"
down_revision = "0016_active_person_key"
branch_labels = None
depends_on = None

COLUMNS = {
    "event": ("station_id", "actor_id"),
    "case_state": ("owner_station",),
    "unresolved_record": ("owner_station",),
}

_CANONICAL = "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"
"""A UUID's text as Python's ``str(UUID)`` writes it (what ``UuidText`` stores as bytes)."""


def _to_bytes(column: str) -> str:
    return (
        f"CASE WHEN {column} ~ {_CANONICAL} THEN decode(replace({column}, '-', ''), 'hex')"
        f" WHEN octet_length(convert_to({column}, 'UTF8')) = 16"
        f" THEN convert_to({column}, 'UTF8') || '\\x00'::bytea"
        f" ELSE convert_to({column}, 'UTF8') END"
    )


def _to_text(column: str) -> str:
    return (
        f"CASE WHEN length({column}) = 16 THEN CAST(CAST(encode({column}, 'hex') AS uuid) AS text)"
        f" WHEN length({column}) = 17 AND get_byte({column}, 16) = 0"
        f" THEN convert_from(substring({column} FROM 1 FOR 16), 'UTF8')"
        f" ELSE convert_from({column}, 'UTF8') END"
    )


def _alter(kind: str, convert: Callable[[str], str]) -> None:
    for table, columns in COLUMNS.items():
        changes = ", ".join(
            f"ALTER COLUMN {name} TYPE {kind} USING {convert(name)}" for name in columns
        )
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    """The ids as bytes (PostgreSQL only)."""
    if op.get_bind().dialect.name == "postgresql":
        _alter("bytea", _to_bytes)


def downgrade() -> None:
    """The ids as text again (PostgreSQL only)."""
    if op.get_bind().dialect.name == "postgresql":
        _alter("VARCHAR(64)", _to_text)
