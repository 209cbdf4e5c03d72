"""Engine factory: SQLite (WAL, durable commits) by default, PostgreSQL by URL."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session

from sync.driver import bind_plainly
from sync.files import private_database

SQLITE_BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite write waits for the lock: less than a station's 30 s request
timeout, so the centre gives up (and the station retries) before the station does."""
POOL_TIMEOUT_S = 10.0
"""How long a request waits for a pooled connection (also below the station's 30 s)."""
POOL_CONNECTIONS = 30
"""A worker's database connections at most (PostgreSQL: that many server processes each)."""
IDLE_PING_S = 10.0
"""A pooled PostgreSQL connection left unused this long is pinged before it is handed out
(``_ping_when_idle``); one given back more recently is handed out as it is."""


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
    # Every connection opened is kept (at most POOL_CONNECTIONS per worker): a connection
    # closed after each burst beyond a smaller pool was opened again at the next, and each
    # new server process started cold (its catalog caches empty, no statement prepared):
    # 346 connections opened in one 500-station storm, half of the database's CPU.
    engine = create_engine(
        url,
        pool_size=POOL_CONNECTIONS,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_S,
        hide_parameters=True,  # a failed statement's message (logged) names no resident
    )
    _ping_when_idle(engine)
    return engine


_IDLE_SINCE = "daiban_idle_since"


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before handing it out only when it sat unused for
    ``IDLE_PING_S``: what a restarted database or a firewall dropping quiet connections
    leaves behind is replaced before a request meets it (SQLAlchemy's ``pool_pre_ping``,
    but not for a connection a request gave back a moment ago).

    ``pool_pre_ping`` pinged at every checkout: a round trip (and a statement for the
    database) three or four times per station's sync, each request taking a connection
    for its token, its push and its page. In the 9 a.m. wave the pool's connections are
    never idle that long. A connection that broke while in use, or in the seconds since,
    fails its request; SQLAlchemy then replaces every connection the pool held before
    the failure, and the station sends the request again (``sync.client`` retries 5xx).
    """

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < IDLE_PING_S:
            return  # just opened, or just given back
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError() from error  # the pool opens a new one
            raise


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        private_database(Path(database))  # 0600 (and its -wal/-shm), whatever the umask
    bind_plainly()
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,
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

    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, _state: Any) -> None:
        if record.info.pop(_RELAXED, False):  # see relax_commit: durable again for the next user
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

    return engine


_RELAXED = "daiban_relaxed_commit"


def relax_commit(session: Session) -> None:
    """Let the session's coming commit return before it reaches the disk.

    For writes whose loss in a power cut harms nothing (a station's last contact, the
    figures its hello reports: the next hello writes them again), so that in the 9 a.m.
    wave they do not wait for a disk flush, nor hold the write turn during one, in front
    of the pushes. The database stays consistent; a later durable commit (any push)
    flushes them too. Call it before the transaction's first write: SQLite lowers
    ``synchronous`` to NORMAL for this connection until it goes back to the pool,
    PostgreSQL sets ``synchronous_commit`` off for this transaction only.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA synchronous=NORMAL")  # refused inside a write
        connection.connection.info[_RELAXED] = True
    else:
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def _sqlite_pool(database: str | None) -> dict[str, Any]:
    """A file database gets the same bound as PostgreSQL (``:memory:`` keeps its own), and
    keeps every connection it opened too: opening one (the file, its PRAGMAs) for each
    request beyond the pool's usual size, and closing it after, was a share of the
    centre's CPU in the 9 a.m. wave."""
    if not database or database == ":memory:":
        return {}
    return {
        "pool_size": POOL_CONNECTIONS,
        "max_overflow": 0,
        "pool_timeout": POOL_TIMEOUT_S,
    }


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
    database = engine.url.database if engine.dialect.name == "sqlite" else None
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
