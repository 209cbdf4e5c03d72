"""A slimmer centre database: what a row held twice is held once.

- ``auditentry``: a link row keeps its ``seq`` and its ``hash`` alone, as 32 bytes.
  ``prev_hash`` was the hash of the row before it (stored twice), ``event_id`` the id
  of the event row with the same ``central_seq``. The hashes keep their values (only
  their form changes), so the signed heads and every link still verify.
- ``progress_key``: the key's SHA-256 as 32 bytes, and on SQLite one b-tree keyed by it
  (``WITHOUT ROWID``) instead of a table and its index.
- ``case_state.view``: without the fields its row holds in columns
  (``central.models.VIEW_FIELDS``); readers put them back from the row.
- ``ix_event_scope_seq``: dropped; a county pulls on ``ix_event_township_seq``.

Downgrading writes the last release's forms back (links with ``prev_hash`` and
``event_id``, hex digests, whole views, the index).

Revision ID: 0014_cslim
Revises: 0013_hot_lean_view
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0014_cslim"
down_revision = "0013_hot_lean_view"
branch_labels = None
depends_on = None

VIEW_COLUMNS = ("case_id", "case_number", "division", "item_code", "state", "version")
"""``central.models.VIEW_FIELDS`` as of this revision (and ``station_id``: where it is
the row's ``owner_station``, as it always is for a case taken in by a station)."""
GENESIS = "0" * 64


def _postgres() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


@contextmanager
def _sqlite_hex_functions() -> Iterator[None]:
    """``unhex`` for SQLite before 3.41 (a Python function on this connection)."""
    driver: Any = op.get_bind().connection.driver_connection
    driver.create_function("daiban_unhex", 1, lambda v: None if v is None else bytes.fromhex(v))
    yield


def upgrade() -> None:
    """Links and keys as bytes without copies; lean views; one pull index fewer."""
    if _postgres():
        op.drop_column("auditentry", "prev_hash")
        op.drop_column("auditentry", "event_id")
        op.execute("ALTER TABLE auditentry ALTER COLUMN hash TYPE bytea USING decode(hash, 'hex')")
        op.execute(
            "ALTER TABLE progress_key ALTER COLUMN key_hash TYPE bytea"
            " USING decode(key_hash, 'hex')"
        )
        keys = ", ".join(f"'{name}'" for name in VIEW_COLUMNS)
        op.execute(f"UPDATE case_state SET view = (view::jsonb - ARRAY[{keys}])::json")
        op.execute(
            "UPDATE case_state SET view = (view::jsonb - 'station_id')::json"
            " WHERE view ->> 'station_id' = owner_station"
        )
    else:
        with _sqlite_hex_functions():
            _sqlite_rebuild(
                "auditentry",
                "seq INTEGER NOT NULL PRIMARY KEY, hash BLOB NOT NULL",
                "seq, daiban_unhex(hash)",
            )
            _sqlite_rebuild(
                "progress_key",
                "key_hash BLOB NOT NULL PRIMARY KEY, case_id CHAR(32) NOT NULL",
                "daiban_unhex(key_hash), case_id",
                " WITHOUT ROWID",
            )
        paths = ", ".join(f"'$.{name}'" for name in VIEW_COLUMNS)
        op.execute(f"UPDATE case_state SET view = json_remove(view, {paths})")
        op.execute(
            "UPDATE case_state SET view = json_remove(view, '$.station_id')"
            " WHERE json_extract(view, '$.station_id') = owner_station"
        )
    op.drop_index("ix_event_scope_seq", table_name="event")


def _sqlite_rebuild(table: str, columns: str, select: str, options: str = "") -> None:
    op.execute(f"CREATE TABLE {table}_new ({columns}){options}")
    op.execute(f"INSERT INTO {table}_new SELECT {select} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}_new RENAME TO {table}")


def downgrade() -> None:
    """The last release's forms: links with copies, hex digests, whole views, the index."""
    op.create_index("ix_event_scope_seq", "event", ["scope_division", "central_seq"])
    if _postgres():
        op.execute(
            "ALTER TABLE progress_key ALTER COLUMN key_hash TYPE VARCHAR(64)"
            " USING encode(key_hash, 'hex')"
        )
        op.execute(
            "ALTER TABLE auditentry ALTER COLUMN hash TYPE VARCHAR(64) USING encode(hash, 'hex')"
        )
        op.add_column("auditentry", sa.Column("event_id", sa.Uuid(), nullable=True))
        op.add_column("auditentry", sa.Column("prev_hash", sa.String(64), nullable=True))
        op.execute(
            "UPDATE auditentry a SET event_id = e.id FROM event e WHERE e.central_seq = a.seq"
        )
        op.execute(
            "UPDATE auditentry a SET prev_hash = p.prev FROM (SELECT seq, COALESCE("
            f"LAG(hash) OVER (ORDER BY seq), '{GENESIS}') AS prev FROM auditentry) p"
            " WHERE p.seq = a.seq"
        )
        op.execute("UPDATE auditentry SET event_id = gen_random_uuid() WHERE event_id IS NULL")
        op.alter_column("auditentry", "event_id", nullable=False)
        op.alter_column("auditentry", "prev_hash", nullable=False)
        op.execute(
            "UPDATE case_state SET view = (jsonb_build_object('station_id', owner_station)"
            " || view::jsonb || jsonb_build_object("
            "'case_id', case_id::text, 'case_number', case_number, 'division', division,"
            " 'item_code', item_code, 'state', state, 'version', version))::json"
        )
        return
    op.execute(
        "CREATE TABLE auditentry_old (seq INTEGER NOT NULL PRIMARY KEY,"
        " event_id CHAR(32) NOT NULL, prev_hash VARCHAR(64) NOT NULL, hash VARCHAR(64) NOT NULL)"
    )
    op.execute(
        "INSERT INTO auditentry_old SELECT a.seq, COALESCE(e.id, lower(hex(randomblob(16)))),"
        # hex(NULL) is '', not NULL: the first link's prev_hash is GENESIS
        f" COALESCE(NULLIF(lower(hex(LAG(a.hash) OVER (ORDER BY a.seq))), ''), '{GENESIS}'),"
        " lower(hex(a.hash)) FROM auditentry a LEFT JOIN event e ON e.central_seq = a.seq"
    )
    op.execute("DROP TABLE auditentry")
    op.execute("ALTER TABLE auditentry_old RENAME TO auditentry")
    _sqlite_rebuild(
        "progress_key",
        "key_hash VARCHAR(64) NOT NULL PRIMARY KEY, case_id CHAR(32) NOT NULL",
        "lower(hex(key_hash)), case_id",
    )
    uuid = (
        "lower(substr(case_id, 1, 8) || '-' || substr(case_id, 9, 4) || '-' ||"
        " substr(case_id, 13, 4) || '-' || substr(case_id, 17, 4) || '-' || substr(case_id, 21))"
    )
    op.execute("UPDATE case_state SET view = json_insert(view, '$.station_id', owner_station)")
    op.execute(
        f"UPDATE case_state SET view = json_set(view, '$.case_id', {uuid},"
        " '$.case_number', case_number, '$.division', division, '$.item_code', item_code,"
        " '$.state', state, '$.version', version)"
    )
