"""Many rows handed to the database driver directly, compiled once (station and centre).

``conn.execute(statement, rows)`` builds a parameter dict per row through SQLAlchemy's
compiler before the driver's ``executemany`` sees it: for the many small rows of a pull
(the station) or a push (the centre: event rows, audit links, case views) that was a
twentieth to a fifth of the work. Here a statement is compiled once per dialect and row
shape, and each row's values are put in the compiled order through the very bind
processors SQLAlchemy applies (a UUID stored as 16 bytes, a time as text), so the
driver stores what ``conn.execute`` would have stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ClauseElement

Processor = Callable[[Any], Any]


def bind_plainly() -> None:
    """Let SQLite's driver bind ``bytes`` and ``None`` without looking for an adapter.

    The ``sqlite3`` module binds an exact ``int``, ``float``, ``str`` or ``bytearray``
    as it is; any other value, ``bytes`` and ``None`` included, first goes through its
    adapter protocol: a look-up in the adapters registered, then ``__adapt__`` on the
    protocol and ``__conform__`` on the value, each missing one an ``AttributeError``
    made with its message and thrown away. A pushed event binds about eleven of them
    (ids stored as 16 bytes, empty columns): ~2 % of the centre's work per event. An
    adapter registered for each type is found at the first look-up; both are C
    callables that hand back the very same value (``bytes(b) is b`` for ``bytes``;
    ``{}.get(None)`` is ``None``), so what is stored does not change. Process-wide
    (the ``sqlite3`` module's own registry) and idempotent.
    """
    sqlite3.register_adapter(bytes, bytes)
    sqlite3.register_adapter(type(None), _NOTHING.get)


_NOTHING: dict[Any, Any] = {}


@dataclass(frozen=True)
class Prepared:
    """A statement as the driver takes it, and how a row becomes its parameters."""

    sql: str
    names: tuple[str, ...]
    """The row keys in the order the driver binds them."""
    processors: tuple[Processor | None, ...]
    positional: bool
    """``?`` placeholders (SQLite): a tuple per row; else a dict per row (psycopg)."""

    def parameters(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """The driver's parameters for ``rows`` (each with at least :attr:`names`)."""
        names = self.names
        if not names:  # a statement that binds nothing: run once per row all the same
            return [() if self.positional else {} for _ in rows]
        take: Callable[[dict[str, Any]], Any] = itemgetter(*names)  # in bound order, in C
        if len(names) == 1:
            single = take
            take = lambda row: (single(row),)  # noqa: E731 - itemgetter of one name: no tuple
        steps = self.steps
        if not steps and self.positional:
            return list(map(take, rows))
        out: list[Any] = []
        for row in rows:
            values = take(row)
            if steps:  # only the columns that have a processor (a few of a row's)
                values = list(values)
                for index, process in steps:
                    values[index] = process(values[index])
            out.append(tuple(values) if self.positional else dict(zip(names, values, strict=True)))
        return out

    @property
    def steps(self) -> tuple[tuple[int, Processor], ...]:
        """Each processor with the position of the value it converts."""
        return tuple((i, p) for i, p in enumerate(self.processors) if p is not None)


_PREPARED: dict[tuple[ClauseElement, str, tuple[str, ...]], Prepared] = {}
"""By the statement object itself (held here, so its identity is never another's), the
dialect and the row keys: statements are module constants or built once per dialect."""


def prepared(conn: Connection, statement: ClauseElement, keys: tuple[str, ...]) -> Prepared:
    """``statement`` compiled for rows with ``keys`` on ``conn``'s dialect (cached)."""
    dialect = conn.dialect
    cache_key = (statement, dialect.name, keys)
    found = _PREPARED.get(cache_key)
    if found is None:
        done: Any = statement.compile(dialect=dialect, column_keys=list(keys))
        names = tuple(done.positiontup or ()) if done.positional else tuple(done.binds)
        processors = tuple(
            done.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        )
        found = _PREPARED[cache_key] = Prepared(str(done), names, processors, bool(done.positional))
    return found


def execute_many(
    conn: Connection,
    statement: ClauseElement,
    rows: Sequence[dict[str, Any]],
    keys: tuple[str, ...] | None = None,
) -> int:
    """``conn.execute(statement, rows)`` (an INSERT or UPSERT of many rows, same keys)
    through the driver; the rows it changed (the driver's count, summed over the rows).

    Args:
        conn: a write transaction.
        statement: a statement built once (it keys the cache).
        rows: rows with the same keys.
        keys: the columns to compile for (default: the first row's keys); a row may
            hold more, which are not bound.
    """
    if not rows:
        return 0
    ready = prepared(conn, statement, keys if keys is not None else tuple(rows[0]))
    result = conn.exec_driver_sql(ready.sql, ready.parameters(rows))
    return int(result.rowcount)
