"""``sync.driver.execute_many`` stores exactly what ``conn.execute(statement, rows)`` stores,
on a real SQLite file, with the centre's own column types (bind processors)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from central.models import CompactUuid, UuidText
from sync.driver import bind_plainly, execute_many, prepared

_META = MetaData()


def _table(name: str) -> Table:
    return Table(
        name,
        _META,
        Column("id", CompactUuid(), primary_key=True),
        Column("station", UuidText()),
        Column("at", DateTime(timezone=True)),
        Column("n", Integer),
        Column("text", String),
        Column("doc", JSON),
    )


_BY_SQLALCHEMY, _BY_DRIVER = _table("by_sqlalchemy"), _table("by_driver")
_INSERT = sqlite_insert(_BY_DRIVER).on_conflict_do_nothing()


def test_the_driver_stores_what_sqlalchemy_stores_and_counts_what_it_inserted(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 't.db'}")
    _META.create_all(engine)
    rows = [
        {
            "id": uuid4(),
            "station": str(uuid4()) if i % 2 else "station-of-another-form",
            "at": datetime(2026, 12, 3, 1, 2, 3, i, tzinfo=UTC),
            "n": i if i % 3 else None,
            "text": f"杨郎村 \"{i}\" \\ '{i}'",
            "doc": {"name": "马兰花", "i": i, "list": [1, None, "二"]},
        }
        for i in range(300)
    ]
    with engine.begin() as conn:
        conn.execute(sqlite_insert(_BY_SQLALCHEMY), rows)
        inserted = execute_many(conn, _INSERT, rows)
        again = execute_many(conn, _INSERT, rows[:10] + [{**rows[0], "id": uuid4()}])
        nothing = execute_many(conn, _INSERT, [])
    assert (inserted, again, nothing) == (300, 1, 0)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        order = " ORDER BY rowid"
        expected = raw.execute("SELECT * FROM by_sqlalchemy" + order).fetchall()
        got = raw.execute("SELECT * FROM by_driver" + order).fetchall()
    assert got[:300] == expected  # byte for byte: 16-byte ids, times and JSON as text
    assert isinstance(got[0][0], bytes) and len(got[0][0]) == 16


def _reference(ready: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """Each row's values in bound order, each through its column's processor, as SQLAlchemy
    binds them (the plain loop the driver's shortcut must agree with)."""
    out: list[Any] = []
    for row in rows:
        values = [
            row[name] if process is None else process(row[name])
            for name, process in zip(ready.names, ready.processors, strict=True)
        ]
        out.append(
            tuple(values) if ready.positional else dict(zip(ready.names, values, strict=True))
        )
    return out


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()])
@pytest.mark.parametrize(
    "keys",
    [
        ("id", "station", "at", "n", "text", "doc"),  # processors here and there
        ("n", "text"),  # none
        ("id",),  # one, with a processor
        ("n",),  # one, without
    ],
)
# a statement without the key column is compiled here only for its parameters (no row goes in)
@pytest.mark.filterwarnings(
    "ignore:Column 'by_driver.id' is marked as a member:sqlalchemy.exc.SAWarning"
)
def test_parameters_are_the_rows_values_in_bound_order_through_their_processors(
    dialect: Any, keys: tuple[str, ...]
) -> None:
    rows = [
        {
            "id": uuid4(),
            "station": str(uuid4()),
            "at": datetime(2026, 12, 4, 1, 2, 3, i, tzinfo=UTC),
            "n": i if i % 2 else None,
            "text": f"杨郎村{i}",
            "doc": {"i": i},
        }
        for i in range(5)
    ]
    ready = prepared(SimpleNamespace(dialect=dialect), insert(_BY_DRIVER), keys)  # type: ignore[arg-type]
    got, expected = ready.parameters(rows), _reference(ready, rows)
    assert [_plain(one) for one in got] == [_plain(one) for one in expected]
    assert len(got) == len(rows)


def _plain(parameters: Any) -> Any:
    """Parameters with psycopg's ``Json`` wrappers (equal only to themselves) unwrapped."""
    if isinstance(parameters, dict):
        return {name: getattr(value, "obj", value) for name, value in parameters.items()}
    return tuple(getattr(value, "obj", value) for value in parameters)


def test_bytes_and_none_bound_plainly_are_stored_as_they_were(tmp_path: Path) -> None:
    """``bind_plainly`` only skips the driver's adapter search: a blob stays the same
    blob (empty and NUL-holding ones too), None stays NULL, a bytes subclass and a
    bytearray bind as before, and a value the driver cannot bind is still refused."""
    import sqlite3

    class Tagged(bytes):
        pass

    values: list[Any] = [
        b"",
        b"\x00ab\x00",
        bytes(range(256)),
        None,
        Tagged(b"tag"),
        bytearray(b"ba"),
    ]
    bind_plainly()
    bind_plainly()  # twice: the same registrations
    with sqlite3.connect(tmp_path / "plain.db") as connection:
        connection.execute("CREATE TABLE t (n INTEGER, v)")
        connection.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        stored = connection.execute("SELECT typeof(v), v FROM t ORDER BY n").fetchall()
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("INSERT INTO t VALUES (?, ?)", (9, object()))
    assert stored == [
        ("blob", b""),
        ("blob", b"\x00ab\x00"),
        ("blob", bytes(range(256))),
        ("null", None),
        ("blob", b"tag"),
        ("blob", b"ba"),
    ]
