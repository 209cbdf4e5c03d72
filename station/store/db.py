"""The SQLite engine of a station: WAL, durable commits, immediate write transactions.

Every connection gets the same pragmas (an engine ``connect`` event), and every
write transaction starts with ``BEGIN IMMEDIATE`` so two writers never
deadlock on a lock upgrade and a read-increment of a counter cannot race.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
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
from sqlalchemy.sql.elements import ClauseElement

from sync.files import private_database

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
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
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


_COMPILED: dict[
    tuple[ClauseElement, tuple[str, ...]], tuple[str, tuple[str, ...], tuple[Any, ...]]
] = {}
"""By the statement object itself (held here, so its identity is never another's) and row keys."""


def execute_many(conn: Connection, statement: ClauseElement, rows: list[dict[str, Any]]) -> None:
    """``conn.execute(statement, rows)`` (an INSERT or UPSERT of many rows) handed to the
    driver directly: compiled once per statement and row shape, each row's values put in
    the compiled order through the same bind processors SQLAlchemy applies. SQLAlchemy's
    own executemany builds a parameter dict per row through the compiler, a twentieth of
    a catch-up's CPU; the statements are module constants, so the cache stays small.

    Args:
        conn: a write transaction.
        statement: a statement built once, a module constant (it keys the cache).
        rows: rows with the same keys (those of the first row are compiled for).
    """
    if not rows:
        return
    keys = tuple(rows[0])
    cache_key = (statement, keys)
    compiled = _COMPILED.get(cache_key)
    if compiled is None:
        dialect = conn.dialect
        done: Any = statement.compile(dialect=dialect, column_keys=list(keys))
        names = tuple(done.positiontup or ())
        processors = tuple(
            done.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        compiled = _COMPILED[cache_key] = (str(done), names, processors)
    sql, names, processors = compiled
    if not any(processors) and len(names) > 1:
        parameters: list[Any] = list(map(itemgetter(*names), rows))  # a tuple per row, in C
    elif not any(processors):
        parameters = [tuple(row[name] for name in names) for row in rows]
    else:
        parameters = [
            tuple(
                row[name] if process is None else process(row[name])
                for name, process in zip(names, processors, strict=True)
            )
            for row in rows
        ]
    conn.exec_driver_sql(sql, parameters)


def among(column: ColumnElement[Any], values: Sequence[str]) -> ColumnElement[bool]:
    """``column IN (values)`` with the values in one parameter, a JSON array read by
    SQLite's ``json_each``: the statement is the same whatever the count, so it is
    compiled once, where an ``IN`` list is rendered anew for each execution, a
    placeholder per value (three per event of a pulled page). SQLite searches the
    column's index once per value, as for a list (``EXPLAIN QUERY PLAN``: ``LIST
    SUBQUERY``)."""
    listed: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(json.dumps(values))
    )
    return column.in_(listed.scalar_subquery())
