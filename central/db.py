"""Engine factory: SQLite (WAL, durable commits) by default, PostgreSQL by URL."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from sync.files import private_database

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite write waits for the lock: less than a station's 30 s request
timeout, so the centre gives up (and the station retries) before the station does."""
POOL_TIMEOUT_S = 10.0
"""How long a request waits for a pooled connection (also below the station's 30 s)."""
POOL_SIZE = 10
POOL_OVERFLOW = 20


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for the central's database.

    SQLite gets WAL (readers never block the writer), ``synchronous=FULL``
    (a commit survives a power cut: it is the county's record) and a busy
    timeout so concurrent writers queue instead of failing. PostgreSQL goes
    through psycopg 3 with a pool sized for a threadpool of request handlers.
    Pushes are admitted a few at a time (``central.services.admission``), so
    hello and pull always find a free connection; a request that does not
    within ``POOL_TIMEOUT_S`` fails before the station's own timeout.

    Args:
        url: a SQLAlchemy URL, ``sqlite:///path`` or ``postgresql+psycopg://...``.

    Returns:
        The engine (one per app / process).
    """
    if is_sqlite(url):
        return _sqlite_engine(url)
    return create_engine(
        url,
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,
    )


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        private_database(Path(database))  # 0600 (and its -wal/-shm), whatever the umask
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **_sqlite_pool(database),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _sqlite_pool(database: str | None) -> dict[str, Any]:
    """A file database gets the same bounded pool as PostgreSQL (``:memory:`` keeps its own)."""
    if not database or database == ":memory:":
        return {}
    return {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW, "pool_timeout": POOL_TIMEOUT_S}


@contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """On a SQLite file, wait for this process's turn to write (an ``flock`` shared by
    every worker); on PostgreSQL, nothing.

    SQLite's own lock wait is a busy handler that sleeps up to 100 ms between tries,
    so in the 9 a.m. wave a hello kept missing the moments between two push groups
    and failed after the busy timeout ("database is locked"). Writers that queue here
    instead are woken by the kernel the moment the turn is free. Wrap whole write
    transactions (up to their commit) that run during the wave: push and hello.
    """
    database = make_url(str(engine.url)).database if is_sqlite(str(engine.url)) else None
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.write-turn", "a+b") as turn:
        fcntl.flock(turn, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        try:
            yield
        finally:
            fcntl.flock(turn, fcntl.LOCK_UN)


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
