"""Apply the central's Alembic migrations, safely from several workers at once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from central.db import is_sqlite

ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"
_PG_MIGRATION_LOCK = 0x0DA1BA17
"""pg_advisory_lock key: one worker migrates, the others wait and find nothing to do."""


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at ``central/alembic`` (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (idempotent).

    Several uvicorn workers start at once; a PostgreSQL advisory lock (or a
    file lock beside a SQLite database) makes them migrate one at a time.
    """
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    with _migration_lock(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    if is_sqlite(str(engine.url)):
        database = make_url(str(engine.url)).database or ""
        lock_path = f"{database}.migrate.lock" if database not in ("", ":memory:") else None
        if lock_path is None:
            with engine.connect() as connection:
                yield connection
            return
        with FileLock(lock_path, timeout=120), engine.connect() as connection:
            yield connection
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        connection.commit()
        try:
            yield connection
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK})
            connection.commit()
