"""Station tokens expire, rotate at hello in their second half, and die with revocation.

Time is moved by writing when a token was issued (the centre's own clock is real).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from central.models import Station, utcnow
from central.services.stations import revoke_station
from central.settings import CentralSettings
from sync.protocol import API_PREFIX
from tests.central.conftest import StationClient

HELLO = {"software_version": "0.1.0", "schema_version": 1}


def _hello(client: TestClient, token: str) -> Any:
    return client.post(
        f"{API_PREFIX}/hello", json=HELLO, headers={"Authorization": f"Bearer {token}"}
    )


def _pull(client: TestClient, token: str) -> Any:
    return client.get(
        f"{API_PREFIX}/pull", params={"after": 0}, headers={"Authorization": f"Bearer {token}"}
    )


def _age(session: Session, station_id: str, days: float) -> None:
    """Make the station's current token ``days`` old."""
    held = session.get_one(Station, station_id)
    held.token_issued_at = utcnow() - timedelta(days=days)
    session.add(held)
    session.commit()


def test_a_young_token_is_kept_and_a_new_station_gets_none(client: TestClient, enroll: Any) -> None:
    station: StationClient = enroll()
    answer = _hello(client, station.credential.token)
    assert answer.status_code == 200
    assert answer.json()["token"] is None


def test_a_token_past_half_its_life_is_replaced_and_both_work_until_the_old_expires(
    client: TestClient, session: Session, enroll: Any, settings: CentralSettings
) -> None:
    station: StationClient = enroll()
    old = station.credential.token
    _age(session, station.id, settings.station_token_days / 2 + 1)

    answer = _hello(client, old).json()
    new = answer["token"]
    assert new and new != old
    left = answer["token_expires_at"]
    assert left > (utcnow() + timedelta(days=settings.station_token_days - 1)).isoformat()
    assert _hello(client, new).json()["token"] is None  # the new one is young
    assert _pull(client, old).status_code == 200  # a desk still holding the old one goes on

    held = session.get_one(Station, station.id)
    session.refresh(held)
    held.previous_token_issued_at = utcnow() - timedelta(days=settings.station_token_days + 1)
    session.add(held)
    session.commit()
    refused = _pull(client, old)
    assert refused.status_code == 401
    assert "token expired" in refused.json()["detail"]
    assert _pull(client, new).status_code == 200


def test_a_station_that_missed_its_new_token_gets_another_with_the_old_one(
    client: TestClient, session: Session, enroll: Any, settings: CentralSettings
) -> None:
    station: StationClient = enroll()
    old = station.credential.token
    _age(session, station.id, settings.station_token_days / 2 + 1)
    lost = _hello(client, old).json()["token"]  # the answer never reached the station

    again = _hello(client, old).json()["token"]
    assert again and again not in (old, lost)
    assert _hello(client, again).status_code == 200
    assert _hello(client, lost).status_code == 401  # never received, never valid again


def test_an_expired_token_is_refused_with_a_reason(
    client: TestClient, session: Session, enroll: Any, settings: CentralSettings
) -> None:
    station: StationClient = enroll()
    _age(session, station.id, settings.station_token_days + 0.1)

    for answer in (
        _hello(client, station.credential.token),
        _pull(client, station.credential.token),
    ):
        assert answer.status_code == 401
        assert answer.json()["detail"].startswith("the station's token expired on ")


def test_revocation_makes_the_current_and_the_previous_token_useless_at_once(
    client: TestClient, session: Session, enroll: Any, settings: CentralSettings
) -> None:
    station: StationClient = enroll()
    old = station.credential.token
    _age(session, station.id, settings.station_token_days / 2 + 1)
    new = _hello(client, old).json()["token"]

    revoke_station(session=session, station_id=station.id)
    for token in (old, new):
        assert _hello(client, token).status_code == 403
        assert _pull(client, token).status_code == 403


def test_a_token_from_before_expiry_existed_is_replaced_at_the_next_hello(
    client: TestClient, session: Session, enroll: Any
) -> None:
    station: StationClient = enroll()
    held = session.get_one(Station, station.id)
    held.token_issued_at = None  # as 0009 leaves the stations enrolled before it
    session.add(held)
    session.commit()

    new = _hello(client, station.credential.token).json()["token"]
    assert new and _pull(client, new).status_code == 200
    assert _pull(client, station.credential.token).status_code == 200  # until it runs out
