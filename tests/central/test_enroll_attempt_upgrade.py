"""0021_enroll_attempt: a centre of the last release (0020) is upgraded with a station's
pushes still unsent and a code spent under it. The pushes apply once (a replay answers
duplicate); the code spent before the upgrade is still answered once only (no attempt
digest was kept with it); a code spent after it is answered again to the station that
spent it. Downgrading drops the column and keeps every station and code."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlmodel import Session

from central.app import create_app
from central.services.stations import enroll_code
from central.settings import CentralSettings
from sync.protocol import API_PREFIX
from tests.central.conftest import downgraded, enroll_station

LAST_RELEASE = "0020_packed_keys"
SECRET = "c3" * 32


def _columns(connection: Any) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("enrollmentcode")}


def _enroll(client: TestClient, code: str, attempt: str = SECRET) -> int:
    answer = client.post(f"{API_PREFIX}/enroll", json={"code": code, "attempt": attempt})
    return answer.status_code


def _count(connection: Any, table: str) -> int:
    return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_a_last_release_centre_with_unsent_pushes_answers_an_enrollment_again_after_the_upgrade(
    settings: CentralSettings,
) -> None:
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            case = village.new_case()
            assert [r["status"] for r in village.push(case[:1])] == ["applied"]
            unsent = case[1:]  # written at the station, not yet pushed
            old = enroll_code(session=session, division="640522100202", name="旧", role="village")
            assert _enroll(client, old, attempt="") == 200  # as the last release's stations do
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        assert "attempt_hash" not in _columns(connection)
        stations, codes = _count(connection, "station"), _count(connection, "enrollmentcode")

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = client
            assert "attempt_hash" in _columns(session.connection())
            results = village.push(unsent)
            again = village.push(case)  # a retry of the whole case
            assert [r["status"] for r in results] == ["applied"] * len(unsent)
            assert [r["status"] for r in again] == ["duplicate"] * len(case)

            assert _enroll(client, old) == 403  # spent before: answered once, as it was
            fresh = enroll_code(session=session, division="640522100203", name="新", role="village")
            assert _enroll(client, fresh) == 200
            assert _enroll(client, fresh) == 200  # its answer lost: answered again
            assert _count(session.connection(), "station") == stations + 1
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        assert "attempt_hash" not in _columns(connection)
        assert _count(connection, "station") == stations + 1
        assert _count(connection, "enrollmentcode") == codes + 1
