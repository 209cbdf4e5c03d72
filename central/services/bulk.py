"""Many rows in one statement on PostgreSQL: ``INSERT ... SELECT * FROM unnest(arrays)``.

A push writes a few hundred rows to each of three tables (events, audit links, case
views). Given them as ``executemany``, psycopg sends one Bind/Execute per row (pipelined)
and the server executes the statement once per row: at 9 a.m. that was about half of a
push's time on PostgreSQL, most of it the database's per-row work and psycopg's
per-row messages. Here each column goes as one array parameter and the server executes
one statement for all the rows (the same text every time, so psycopg prepares it).
SQLAlchemy's own ``insertmanyvalues`` writes a ``VALUES`` list whose length (and so
whose text) changes with the batch, planned anew each time; COPY cannot say
``ON CONFLICT``, which the event insert and the view upsert need.

SQLite keeps ``executemany`` (one prepared statement in-process, nothing to gain).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect


@dataclass(frozen=True)
class UnnestInsert:
    """An ``INSERT ... SELECT * FROM unnest(...)`` for one table and row shape."""

    sql: str
    keys: tuple[str, ...]
    """The row keys, one array parameter each, in column order."""
    processors: tuple[Callable[[Any], Any] | None, ...]
    """Each column's bind processor (as SQLAlchemy applies it to a single value)."""

    def parameters(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
        """One list per column: the rows' values, processed as SQLAlchemy would bind them."""
        return {
            key: [row[key] for row in rows]
            if process is None
            else [process(row[key]) for row in rows]
            for key, process in zip(self.keys, self.processors, strict=True)
        }


_BUILT: dict[tuple[str, str, tuple[tuple[str, str], ...], str, frozenset[str]], UnnestInsert] = {}


def _unbounded(type_name: str) -> str:
    """The type without its length (``VARCHAR(40)`` -> ``VARCHAR``): an explicit cast to
    ``VARCHAR(40)`` cuts a longer text short without a word, while storing the unbounded
    value in the column refuses it (``value too long``), as a row-by-row insert does."""
    return _LENGTH.sub("", type_name)


_LENGTH = re.compile(r"\(\d+\)$")


def unnest_insert(
    dialect: Dialect,
    table: Table,
    columns: Sequence[tuple[str, str]],
    conflict: str = "",
    *,
    text_keys: frozenset[str] = frozenset(),
) -> UnnestInsert:
    """The statement for ``table`` (built once per dialect, table, shape and conflict).

    Args:
        dialect: a PostgreSQL dialect.
        table: the table written to.
        columns: ``(column name, row key)`` pairs, in the order written.
        conflict: what to do on a conflict (``ON CONFLICT ...``), or nothing.
        text_keys: row keys holding a JSON column's value as JSON text (bound as text,
            cast by the server; no bind processor).
    """
    cache_key = (dialect.name, table.name, tuple(columns), conflict, text_keys)
    built = _BUILT.get(cache_key)
    if built is None:
        quote = dialect.identifier_preparer.quote
        names = ", ".join(quote(name) for name, _ in columns)
        arrays = ", ".join(
            f"CAST(%({key})b AS {_unbounded(table.c[name].type.compile(dialect=dialect))}[])"
            for name, key in columns
        )
        sql = f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({arrays})"
        processors = tuple(
            None
            if key in text_keys
            else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name, key in columns
        )
        built = UnnestInsert(
            f"{sql} {conflict}".rstrip(), tuple(key for _, key in columns), processors
        )
        _BUILT[cache_key] = built
    return built


def upsert_clause(dialect: Dialect, key: str, updated: Sequence[str]) -> str:
    """``ON CONFLICT (key) DO UPDATE SET`` each of ``updated`` to the row offered."""
    quote = dialect.identifier_preparer.quote
    sets = ", ".join(f"{quote(name)} = EXCLUDED.{quote(name)}" for name in updated)
    return f"ON CONFLICT ({quote(key)}) DO UPDATE SET {sets}"


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: str = "",
    *,
    columns: Sequence[tuple[str, str]] | None = None,
    text_keys: frozenset[str] = frozenset(),
) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in one statement (PostgreSQL).

    Args:
        connection: a PostgreSQL connection in a transaction.
        table: the table.
        rows: the rows.
        conflict: the ``ON CONFLICT`` clause, if any (see ``upsert_clause``).
        columns: ``(column name, row key)`` pairs; default: every key of the first row,
            each the name of its column.
        text_keys: row keys holding JSON text for a JSON column.

    Returns:
        The rows the statement wrote (fewer than given when ``ON CONFLICT DO NOTHING``
        skipped some).
    """
    if not rows:
        return 0
    pairs = columns if columns is not None else [(key, key) for key in rows[0]]
    statement = unnest_insert(connection.dialect, table, pairs, conflict, text_keys=text_keys)
    return int(connection.exec_driver_sql(statement.sql, statement.parameters(rows)).rowcount)
