"""Engine factory: SQLite (WAL, durable commits) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from sync.files import private_database

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for the central's database.

    SQLite gets WAL (readers never block the writer), ``synchronous=FULL``
    (a commit survives a power cut: it is the county's record) and a busy
    timeout so concurrent writers queue instead of failing. PostgreSQL goes
    through psycopg 3 with a pool sized for a threadpool of request handlers.

    Args:
        url: a SQLAlchemy URL, ``sqlite:///path`` or ``postgresql+psycopg://...``.

    Returns:
        The engine (one per app / process).
    """
    if is_sqlite(url):
        return _sqlite_engine(url)
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        private_database(Path(database))  # 0600 (and its -wal/-shm), whatever the umask
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on error (CLI and services)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
