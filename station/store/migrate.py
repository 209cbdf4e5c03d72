"""Bring a station database to the newest schema, snapshotting it first.

An upgrade never loses an unsynced event: before any migration touches an
existing database, the whole file is copied with SQLite's online backup API to
``<data_dir>/backups/station-<rev>-<timestamp>.db``.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    """The Alembic configuration of the station database (no .ini file needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest schema revision this software knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def snapshot(db_path: Path, backups_dir: Path, revision: str) -> Path:
    """Copy the live database with the online backup API (consistent even in WAL mode).

    Args:
        db_path: the station database.
        backups_dir: where snapshots go (created if missing).
        revision: the schema revision the copy is at (goes into the name).

    Returns:
        The snapshot file.
    """
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"station-{revision}-{stamp}.db"
    source = sqlite3.connect(db_path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    return target


def upgrade(engine: Engine, db_path: Path, backups_dir: Path, target: str = "head") -> Path | None:
    """Migrate the database to ``target``, snapshotting an existing one first.

    Args:
        engine: the store's engine.
        db_path: the database file (for the snapshot).
        backups_dir: where the snapshot goes.
        target: Alembic revision to reach (tests use older ones).

    Returns:
        The snapshot taken, or None when nothing had to run or the database was new.
    """
    current = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if current == wanted:
        return None
    taken = snapshot(db_path, backups_dir, current) if current is not None else None
    config = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(immediate=True)
        config.attributes["connection"] = conn
        command.upgrade(config, target)
        conn.commit()
    return taken
