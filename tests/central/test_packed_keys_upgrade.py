"""0020_packed_keys: a centre of the last release (0019: whole 32-byte progress key
digests, default index fill) is upgraded with a station's pushes still unsent. Every
receipt's QR code still opens its case's progress page (the digests are cut to 16 bytes
in place); the unsent pushes apply once (a replay answers duplicate) and their key
answers too; on PostgreSQL the event ledger's append-only indexes fill their pages.
Downgrading makes every digest whole again from its case's key."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from central.app import create_app
from central.models import ProgressKey
from central.settings import CentralSettings
from sync.events import Event
from sync.progress import PAYLOAD_KEY, new_progress_key
from tests.central.conftest import StationClient, downgraded, enroll_station

LAST_RELEASE = "0019_link_in_event"

APPEND_ONLY = (
    "event_pkey",
    "ix_event_division_seq",
    "ix_event_station_seq",
    "ix_event_township_seq",
)

AUDIT_TIMER = False
"""No audit timer: nothing here waits on one."""


def _case(station: StationClient, name: str, key: str) -> list[Event]:
    """created (with its progress key) + received + submitted."""
    applicant = {"name": name, "id_number": "640522195001011234"}
    return station.new_case(
        {"item_code": "pension-enrollment", "applicant": applicant, PAYLOAD_KEY: key}
    )


def _digests(connection: Any) -> list[bytes]:
    """The stored digests as their bytes (PostgreSQL's uuid as its 16)."""
    rows = connection.execute(text("SELECT key_hash FROM progress_key")).scalars()
    return sorted(value.bytes if hasattr(value, "bytes") else bytes(value) for value in rows)


def _fill(connection: Any) -> dict[str, list[str] | None]:
    """PostgreSQL: each append-only index's storage options."""
    query = text("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(:names)")
    return dict(connection.execute(query, {"names": list(APPEND_ONLY)}).all())


def _page(client: TestClient, key: str) -> str:
    """The progress page as a resident's phone gets it."""
    answer = client.get(f"/p/{key}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_last_release_centre_with_unsent_pushes_answers_every_receipt_after_the_upgrade(
    settings: CentralSettings,
) -> None:
    keys = [new_progress_key() for _ in range(3)]
    whole = sorted(hashlib.sha256(key.encode()).digest() for key in keys[:2])
    postgres = settings.db_url.startswith("postgresql")
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            first, second = _case(village, "张三", keys[0]), _case(village, "李四", keys[1])
            assert [r["status"] for r in village.push([*first, second[0]])] == ["applied"] * 4
            unsent = second[1:]  # written at the station, not yet pushed
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        assert _digests(connection) == whole  # the last release's whole SHA-256
        if postgres:
            assert set(_fill(connection).values()) == {None}

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = client
            assert _digests(session.connection()) == sorted(d[:16] for d in whole)
            if postgres:
                assert set(map(tuple, _fill(session.connection()).values())) == {
                    ("fillfactor=100",)
                }
            assert "张*" in _page(client, keys[0])
            assert "李*" in _page(client, keys[1])

            results = village.push(unsent)
            again = village.push([second[0], *unsent])  # a retry of the same push
            third = _case(village, "王五", keys[2])  # filed after the upgrade
            assert [r["status"] for r in village.push(third)] == ["applied"] * 3

            assert [r["status"] for r in results] == ["applied"] * 2
            assert [r["status"] for r in again] == ["duplicate"] * 3
            assert [r["central_seq"] for r in again[1:]] == [r["central_seq"] for r in results]
            assert "王*" in _page(client, keys[2])
            assert client.get(f"/p/{new_progress_key()}").status_code == 404
            assert len(_digests(session.connection())) == 3
            stray = ProgressKey(key_hash="ab" * 16, case_id=third[0].case_id)
            session.add(stray)  # a digest no created event explains
            session.commit()
    finally:
        app.state.engine.dispose()

    all_whole = sorted(hashlib.sha256(key.encode()).digest() for key in keys)
    with downgraded(settings, LAST_RELEASE) as connection:
        # whole again, from the keys in the events; the stray one gone
        assert _digests(connection) == all_whole
        if postgres:
            assert set(_fill(connection).values()) == {None}
