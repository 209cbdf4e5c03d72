"""Compact identifiers and times on SQLite: what every event row holds, in its short form.

- UUIDs (``event.id``, ``event.case_id``, ``case_state.case_id``, ``progress_key.case_id``,
  ``unresolved_record.record_id``) as their 16 bytes, not 32 hex characters
  (``central.models.CompactUuid``).
- Station and account ids (``event.station_id``, ``event.actor_id``, the
  ``owner_station`` of cases and records): a canonical UUID's text as its 16 bytes,
  any other id as it is (``central.models.UuidText``).
- ``event.device_time`` and ``event.received_at``: microseconds since 1970 UTC, one
  integer, not 26 characters of text (``central.models.CompactTime``).

PostgreSQL already holds these in their short forms (``uuid``, ``timestamptz``; ids as
text): nothing changes there. Each SQLite table is rebuilt (its declared types change)
with its values converted by Python functions on the connection; downgrading converts
them back to the last release's text.

Revision ID: 0015_compact_ids
Revises: 0014_cslim
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from alembic import op

revision = "0015_compact_ids"
down_revision = "0014_cslim"
branch_labels = None
depends_on = None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

EVENT = (
    "central_seq INTEGER NOT NULL, id {uuid} NOT NULL, case_id {uuid} NOT NULL,"
    " case_number VARCHAR(40) NOT NULL, division VARCHAR(12) NOT NULL,"
    " scope_division VARCHAR(12) DEFAULT '' NOT NULL, scope_township VARCHAR(9) DEFAULT ''"
    " NOT NULL, kind VARCHAR(24) NOT NULL, station_id {ident} NOT NULL, station_seq BIGINT"
    " NOT NULL, schema_version INTEGER NOT NULL, base_version INTEGER NOT NULL, actor_id"
    " {ident} NOT NULL, actor_role VARCHAR(16) NOT NULL, device_time {time} NOT NULL, payload"
    " JSON NOT NULL, status VARCHAR(16) NOT NULL, reason VARCHAR, received_at {time} NOT"
    " NULL, PRIMARY KEY (central_seq), UNIQUE (id)"
)
EVENT_INDEXES = {
    "ix_event_station_seq": "station_id, station_seq",
    "ix_event_case_id": "case_id",
    "ix_event_division_seq": "division, central_seq",
    "ix_event_township_seq": "scope_township, central_seq",
}
CASES = (
    "case_id {uuid} NOT NULL, case_number VARCHAR(40) NOT NULL, division VARCHAR(12) NOT"
    " NULL, owner_station {ident} NOT NULL, state VARCHAR(16) NOT NULL, version INTEGER NOT"
    " NULL, item_code VARCHAR NOT NULL, flagged BOOLEAN NOT NULL, updated_seq INTEGER NOT"
    ' NULL, "view" JSON NOT NULL, PRIMARY KEY (case_id)'
)
CASE_INDEXES = {
    "ix_case_state_state": "state",
    "ix_case_state_division": "division",
    "ix_case_state_case_number": "case_number",
}
RECORDS = (
    "record_id {uuid} NOT NULL, number VARCHAR(40) NOT NULL, division VARCHAR(12) NOT NULL,"
    " owner_station {ident} NOT NULL, state VARCHAR(16) NOT NULL, version INTEGER NOT NULL,"
    ' flagged BOOLEAN NOT NULL, updated_seq INTEGER NOT NULL, "view" JSON NOT NULL,'
    " PRIMARY KEY (record_id)"
)
RECORD_INDEXES = {
    "ix_unresolved_record_state": "state",
    "ix_unresolved_record_number": "number",
    "ix_unresolved_record_division": "division",
}
KEYS = "key_hash BLOB NOT NULL, case_id {uuid} NOT NULL, PRIMARY KEY (key_hash)"

NEW = {"uuid": "BLOB", "ident": "BLOB", "time": "BIGINT"}
OLD = {"uuid": "CHAR(32)", "ident": "VARCHAR(64)", "time": "DATETIME"}


def _uuid_bytes(value: Any) -> Any:
    """32 hex characters (SQLAlchemy's form; a UUID's usual text is taken too) to 16 bytes."""
    return value if value is None or isinstance(value, bytes) else UUID(value).bytes


def _uuid_hex(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else bytes(value).hex()


def _ident_bytes(value: Any) -> Any:
    if not isinstance(value, str) or len(value) != 36:
        return value
    try:
        parsed = UUID(value)
    except ValueError:
        return value
    return parsed.bytes if str(parsed) == value else value


def _ident_text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(UUID(bytes=bytes(value)))


def _micros(value: Any) -> Any:
    if value is None or isinstance(value, int):
        return value
    moment = datetime.fromisoformat(value)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _datetime_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    moment = _EPOCH + timedelta(microseconds=value)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _functions(upgrading: bool) -> None:
    """The conversions, as SQL functions of this connection (``uuid``, ``ident``, ``time``)."""
    driver: Any = op.get_bind().connection.driver_connection
    pairs = (
        ("daiban_uuid", _uuid_bytes, _uuid_hex),
        ("daiban_ident", _ident_bytes, _ident_text),
        ("daiban_time", _micros, _datetime_text),
    )
    for name, up, down in pairs:
        driver.create_function(name, 1, up if upgrading else down, deterministic=True)


def _rebuild(
    table: str,
    columns: str,
    forms: dict[str, str],
    converted: dict[str, str],
    indexes: dict[str, str],
    options: str = "",
) -> None:
    names = [
        part.split()[0]
        for part in columns.split(", ")
        if not part.startswith(("PRIMARY", "UNIQUE"))
    ]
    op.execute(f"CREATE TABLE {table}_new ({columns.format(**forms)}){options}")
    select = ", ".join(converted.get(name.strip('"'), name) for name in names)
    op.execute(f"INSERT INTO {table}_new ({', '.join(names)}) SELECT {select} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    for name, on in indexes.items():
        op.execute(f"CREATE INDEX {name} ON {table} ({on})")


def _convert(forms: dict[str, str]) -> None:
    event = {
        "id": "daiban_uuid(id)",
        "case_id": "daiban_uuid(case_id)",
        "station_id": "daiban_ident(station_id)",
        "actor_id": "daiban_ident(actor_id)",
        "device_time": "daiban_time(device_time)",
        "received_at": "daiban_time(received_at)",
    }
    _rebuild("event", EVENT, forms, event, EVENT_INDEXES)
    cases = {"case_id": "daiban_uuid(case_id)", "owner_station": "daiban_ident(owner_station)"}
    _rebuild("case_state", CASES, forms, cases, CASE_INDEXES)
    records = {
        "record_id": "daiban_uuid(record_id)",
        "owner_station": "daiban_ident(owner_station)",
    }
    _rebuild("unresolved_record", RECORDS, forms, records, RECORD_INDEXES)
    keys = {"case_id": "daiban_uuid(case_id)"}
    _rebuild("progress_key", KEYS, forms, keys, {}, " WITHOUT ROWID")


def upgrade() -> None:
    """SQLite: the tables rebuilt with short forms (PostgreSQL has them already)."""
    if op.get_bind().dialect.name == "postgresql":
        return
    _functions(upgrading=True)
    _convert(NEW)


def downgrade() -> None:
    """SQLite: the last release's text forms back."""
    if op.get_bind().dialect.name == "postgresql":
        return
    _functions(upgrading=False)
    _convert(OLD)
