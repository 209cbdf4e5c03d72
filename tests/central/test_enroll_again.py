"""POST /enroll sent again after its answer was lost: the station that spent the code (the
same attempt secret) gets its credential again, with a fresh token, and the county holds
one station; anyone else with the code is refused, as before."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import EnrollmentCode, Station
from central.services.stations import enroll_code, revoke_station
from sync.protocol import API_PREFIX

ENROLL = f"{API_PREFIX}/enroll"
HELLO = {"software_version": "0.1.0", "schema_version": 1}
SECRET = "5f" * 32
"""The station's attempt secret for its code (``StationStore.enroll_attempt``)."""


def _code(session: Session, ttl_minutes: int = 60) -> str:
    return enroll_code(
        session=session, division="640522100201", name="山门村", role="village",
        ttl_minutes=ttl_minutes,
    )  # fmt: skip


def _enroll(client: TestClient, code: str, attempt: str = SECRET) -> Any:
    return client.post(ENROLL, json={"code": code, "device_name": "pc", "attempt": attempt})


def _hello(client: TestClient, token: str) -> int:
    answer = client.post(
        f"{API_PREFIX}/hello", json=HELLO, headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status_code


def _stations(session: Session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(Station)).one()[0]  # type: ignore[call-overload]


def test_the_same_station_asking_again_gets_its_credential_with_a_new_token(
    client: TestClient, session: Session
) -> None:
    code = _code(session)
    first = _enroll(client, code)  # spent at the centre; the answer never reached the PC
    again = _enroll(client, code.lower().replace("-", " "))  # as typed again by hand
    assert first.status_code == again.status_code == 200, again.text

    lost, kept = first.json(), again.json()
    assert kept["station_id"] == lost["station_id"] and kept["token"] != lost["token"]
    assert {k: kept[k] for k in ("division", "name", "role", "signing_key")} == {
        k: lost[k] for k in ("division", "name", "role", "signing_key")
    }
    assert _hello(client, kept["token"]) == 200
    assert _hello(client, lost["token"]) == 401  # the token that went astray is no good
    assert _stations(session) == 1  # the county sees one station, not a ghost beside it


def test_the_code_is_refused_to_another_secret_to_none_and_after_revocation(
    client: TestClient, session: Session
) -> None:
    code = _code(session)
    station_id = _enroll(client, code).json()["station_id"]

    other = _enroll(client, code, attempt="a0" * 32)  # another PC holding the code
    older = _enroll(client, code, attempt="")  # an older station: a code is answered once
    assert other.status_code == older.status_code == 403
    assert "already used" in other.text

    revoke_station(session=session, station_id=station_id)
    assert _enroll(client, code).status_code == 403  # the county revoked it meanwhile
    assert _stations(session) == 1


def test_an_expired_code_is_not_answered_again_and_the_secret_is_kept_as_a_digest(
    client: TestClient, session: Session
) -> None:
    code = _code(session)
    assert _enroll(client, code).status_code == 200
    stored = session.exec(select(EnrollmentCode)).one()[0]  # type: ignore[call-overload]
    assert stored.attempt_hash is not None and SECRET not in stored.attempt_hash
    stored.expires_at = stored.expires_at - timedelta(minutes=61)  # the code's life is over
    session.add(stored)
    session.commit()

    assert _enroll(client, code).status_code == 403
    assert _stations(session) == 1
