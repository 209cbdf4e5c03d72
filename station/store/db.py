"""The SQLite engine of a station: WAL, durable commits, immediate write transactions.

Every connection gets the same pragmas (an engine ``connect`` event), and every
write transaction starts with ``BEGIN IMMEDIATE`` so two writers never
deadlock on a lock upgrade and a read-increment of a counter cannot race.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    create_engine,
    event,
    func,
    literal_column,
    select,
)

from sync.driver import bind_plainly, execute_many
from sync.files import private_database

__all__ = ["among", "execute_many", "make_engine", "reading", "writing"]

DB_FILE = "station.db"
BUSY_TIMEOUT_MS = 30_000


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Hand transaction control to SQLAlchemy's begin event (the recipe in the
    # SQLAlchemy SQLite docs); pysqlite's implicit BEGIN is deferred and late.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(db_path: Path) -> Engine:
    """An engine on ``db_path`` with the station's pragmas on every connection.

    Args:
        db_path: the SQLite file (created when missing).

    Returns:
        The engine; use :func:`writing` for write transactions.
    """
    private_database(db_path)  # the store holds the token, the signing key, ID numbers
    bind_plainly()
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        hide_parameters=True,  # a failed statement's message (logged) names no resident
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), rolled back on error."""
    with engine.connect() as conn:
        conn.execution_options(immediate=True)
        with conn.begin():
            yield conn


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One read transaction: a consistent snapshot (WAL readers never block the writer)."""
    with engine.connect() as conn, conn.begin():
        yield conn


def among(column: ColumnElement[Any], values: Sequence[str]) -> ColumnElement[bool]:
    """``column IN (values)`` with the values in one parameter, a JSON array read by
    SQLite's ``json_each``: the statement is the same whatever the count, so it is
    compiled once, where an ``IN`` list is rendered anew for each execution, a
    placeholder per value (three per event of a pulled page). SQLite searches the
    column's index once per value, as for a list (``EXPLAIN QUERY PLAN``: ``LIST
    SUBQUERY``). For ids and other texts without a NUL character: ``json_each`` cuts a
    text short at its first NUL."""
    listed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(json.dumps(values))
    )
    return column.in_(listed.scalar_subquery())
