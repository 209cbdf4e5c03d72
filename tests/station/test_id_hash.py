"""No plain hash of an ID number: a station database of the last release (an unsalted
SHA-256 of each ID number in ``cases.id_hash``, events not yet sent) is migrated to a
keyed hash; search by the whole number still works and the old digests are gone."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import select, text

from station.store import StationStore, meta, stored
from station.store.db import reading, writing
from tests.station.cases_seed import take_in
from tests.station.conftest import seed_station
from tests.station.test_intake import ELDER_ID

LAST_RELEASE = "0006_loop_outcomes"


def _plain(number: str) -> str:
    return hashlib.sha256(number.encode("ascii")).hexdigest()


def _as_last_release(store: StationStore) -> None:
    """What the last release left: plain SHA-256 hashes, no key, whole views, schema at 0006."""
    with writing(store.engine) as conn:
        views = stored.load_many(conn, conn.execute(select(*stored.COLUMNS)).all())
        for view in views:
            whole = view.model_dump_json()
            assert ELDER_ID in whole
            conn.execute(
                text("UPDATE cases SET id_hash = :h, view = :v WHERE case_id = :c"),
                {"h": _plain(ELDER_ID), "v": whole, "c": view.case_id.hex},
            )
        conn.execute(text("DELETE FROM station_meta WHERE key = :k"), {"k": meta.ID_HASH_KEY})
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": LAST_RELEASE})


def test_a_last_release_database_is_rehashed_with_the_station_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "station"
    store = seed_station(data_dir)
    elder = take_in(store, "马占福")
    outbox = store.outbox_depth()
    assert outbox > 0
    _as_last_release(store)
    store.close()
    assert _plain(ELDER_ID).encode() in _database_bytes(data_dir)

    upgraded = StationStore.open(data_dir)
    try:
        [found] = upgraded.list_cases(ELDER_ID)
        assert found.case_number == elder.case_number
        assert upgraded.outbox_depth() == outbox
        with reading(upgraded.engine) as conn:
            key = bytes.fromhex(str(meta.get(conn, meta.ID_HASH_KEY)))
            stored = conn.execute(text("SELECT id_hash FROM cases")).scalars().all()
        keyed = hmac.new(key, ELDER_ID.encode(), hashlib.sha256).hexdigest()[:32]
        assert stored == [keyed]
        [record] = upgraded.queue_records([found.state])
        assert record.id_hash == keyed and keyed not in repr(record)  # crash output
        assert record.id_masked in repr(record)
    finally:
        upgraded.close()
    assert _plain(ELDER_ID).encode() not in _database_bytes(data_dir)


def test_two_stations_hash_the_same_number_differently(tmp_path: Path) -> None:
    hashes = []
    for name in ("a", "b"):
        store = seed_station(tmp_path / name)
        take_in(store)
        with reading(store.engine) as conn:
            hashes.append(conn.execute(text("SELECT id_hash FROM cases")).scalar_one())
        assert [c.case_number for c in store.list_cases(ELDER_ID)] != []
        store.close()
    assert hashes[0] != hashes[1]
    assert _plain(ELDER_ID) not in hashes


def _database_bytes(data_dir: Path) -> bytes:
    """The live database and its WAL (not the pre-upgrade snapshot in backups/)."""
    return b"".join(p.read_bytes() for p in data_dir.glob("station.db*"))
