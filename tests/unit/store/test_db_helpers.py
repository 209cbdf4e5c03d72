"""The store's statement helpers, on a real SQLite file: what they select and write."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from station.store.db import among, execute_many, make_engine, reading, writing

_META = MetaData()
_THINGS = Table("things", _META, Column("key", String, primary_key=True), Column("n", Integer))
_INSERT = insert(_THINGS)


def test_among_selects_exactly_the_listed_values_however_many(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "t.db")
    _META.create_all(engine)
    keys = [f"{i:032x}" for i in range(1_200)] + ["杨郎村", 'a "quoted", key', "back\\slash"]
    with writing(engine) as conn:
        execute_many(conn, _INSERT, [{"key": key, "n": i} for i, key in enumerate(keys)])
    wanted = keys[::7] + ["not there"]
    with reading(engine) as conn:
        got = {
            row.key: row.n
            for row in conn.execute(select(_THINGS).where(among(_THINGS.c.key, wanted)))
        }
        none = conn.execute(select(_THINGS).where(among(_THINGS.c.key, []))).all()
    assert got == {key: keys.index(key) for key in keys[::7]}
    assert none == []


def test_a_failed_statements_message_names_no_resident(tmp_path: Path) -> None:
    """The desk logs an unexpected error's message: a UNIQUE clash's values (a resident's
    name, ID number) must not be in it."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(tmp_path / "t.db")
    _META.create_all(engine)
    with writing(engine) as conn:
        conn.execute(_INSERT, {"key": "吴老汉 640522194803121029", "n": 1})
    with pytest.raises(IntegrityError) as raised, writing(engine) as conn:
        conn.execute(_INSERT, {"key": "吴老汉 640522194803121029", "n": 2})
    assert "UNIQUE" in str(raised.value)
    assert "吴老汉" not in str(raised.value) and "1029" not in str(raised.value)
