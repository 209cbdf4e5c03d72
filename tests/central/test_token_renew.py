"""A station whose token expired (offline past its life) renews it with a signed request.

Time is moved by writing when a token was issued (the centre's own clock is real).
Every refusal is a 4xx with its reason, and leaves the station's token as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from central.models import AdminAction, Station, utcnow
from central.services import station_tokens
from central.services.admin_audit import verify_actions
from central.services.stations import revoke_station, token_hash
from central.settings import CentralSettings
from sync.client import signed_renewal
from sync.protocol import API_PREFIX, TOKEN_RENEW_MAX_BYTES, renewal_signature
from tests.central.conftest import VILLAGE_2, StationClient

RENEW = f"{API_PREFIX}/token/renew"
HELLO = {"software_version": "0.1.0", "schema_version": 1}


def _hello(client: TestClient, token: str) -> Any:
    return client.post(
        f"{API_PREFIX}/hello", json=HELLO, headers={"Authorization": f"Bearer {token}"}
    )


def _expire(session: Session, station_id: str, settings: CentralSettings, days_ago: int) -> None:
    """Make the station's current token expired ``days_ago`` days ago."""
    held = session.get_one(Station, station_id)
    session.refresh(held)
    held.token_issued_at = utcnow() - timedelta(days=settings.station_token_days + days_ago)
    session.add(held)
    session.commit()


def _renewal(station: StationClient, **changes: Any) -> dict[str, Any]:
    credential = station.credential
    body = signed_renewal(credential.station_id, credential.signing_key, credential.token)
    return body.model_copy(update=changes).model_dump(mode="json")


def _stored_hash(session: Session, station_id: str) -> str:
    held = session.get_one(Station, station_id)
    session.refresh(held)
    return held.token_hash


@pytest.fixture
def expired(enroll: Any, session: Session, settings: CentralSettings) -> Iterator[StationClient]:
    """A village station whose token expired 10 days ago."""
    station: StationClient = enroll()
    _expire(session, station.id, settings, 10)
    yield station


def test_an_expired_station_renews_and_the_new_token_works_the_old_does_not(
    client: TestClient, session: Session, expired: StationClient
) -> None:
    old = expired.credential.token
    refused = _hello(client, old)
    assert refused.status_code == 401
    assert refused.json()["detail"].startswith("the station's token expired on ")

    answer = client.post(RENEW, json=_renewal(expired))
    assert answer.status_code == 200, answer.text
    new = answer.json()["token"]
    assert new and new != old
    assert answer.json()["token_expires_at"] > (utcnow() + timedelta(days=29)).isoformat()
    assert _hello(client, new).status_code == 200
    assert _hello(client, old).status_code == 401
    assert _stored_hash(session, expired.id) == token_hash(new)

    audited = session.scalars(
        select(AdminAction).where(AdminAction.action == station_tokens.RENEW_ACTION)  # type: ignore[arg-type]
    ).all()
    assert [(a.actor_id, a.target, a.actor_role) for a in audited] == [
        (expired.id, expired.id, "station")
    ]
    assert verify_actions(session).ok


def test_a_replayed_renewal_is_refused(client: TestClient, expired: StationClient) -> None:
    body = _renewal(expired)
    assert client.post(RENEW, json=body).status_code == 200
    replayed = client.post(RENEW, json=body)
    assert replayed.status_code == 409
    assert replayed.json()["detail"] == station_tokens.REPLAYED


def test_a_station_whose_answer_was_lost_asks_again_and_gets_a_working_token(
    client: TestClient, session: Session, expired: StationClient
) -> None:
    lost = client.post(RENEW, json=_renewal(expired)).json()["token"]  # never arrived
    again = client.post(RENEW, json=_renewal(expired))  # a new request, the same old token
    assert again.status_code == 200, again.text
    new = again.json()["token"]
    assert _hello(client, new).status_code == 200
    assert _hello(client, lost).status_code == 401
    assert _hello(client, expired.credential.token).status_code == 401  # still expired


def test_a_forged_signature_is_refused_and_the_token_kept(
    client: TestClient, session: Session, expired: StationClient
) -> None:
    before = _stored_hash(session, expired.id)
    body = signed_renewal(expired.id, "ab" * 32, expired.credential.token)  # not its key
    refused = client.post(RENEW, json=body.model_dump(mode="json"))
    assert refused.status_code == 403
    assert refused.json()["detail"] == station_tokens.FORGED
    tampered = _renewal(expired, nonce="another-nonce-0123456789")  # signed over the old one
    assert client.post(RENEW, json=tampered).status_code == 403
    assert _stored_hash(session, expired.id) == before


def test_a_request_for_another_station_is_refused(
    client: TestClient,
    session: Session,
    enroll: Any,
    settings: CentralSettings,
    expired: StationClient,
) -> None:
    other: StationClient = enroll(VILLAGE_2)
    _expire(session, other.id, settings, 3)
    before = _stored_hash(session, other.id)
    # Station A signs a renewal of B's token with its own key: not B's signature.
    mine = signed_renewal(other.id, expired.credential.signing_key, other.credential.token)
    refused = client.post(RENEW, json=mine.model_dump(mode="json"))
    assert refused.status_code == 403
    # A's own, correctly signed request naming B's token: not a token A holds.
    crossed = signed_renewal(expired.id, expired.credential.signing_key, other.credential.token)
    answer = client.post(RENEW, json=crossed.model_dump(mode="json"))
    assert answer.status_code == 409
    assert answer.json()["detail"] == station_tokens.NOT_HELD
    unknown = _renewal(expired, station_id="no-such-station")
    assert client.post(RENEW, json=unknown).status_code == 404
    assert _stored_hash(session, other.id) == before


def test_a_revoked_station_is_not_renewed(
    client: TestClient, session: Session, expired: StationClient
) -> None:
    revoke_station(session=session, station_id=expired.id)
    refused = client.post(RENEW, json=_renewal(expired))
    assert refused.status_code == 403
    assert refused.json()["detail"] == station_tokens.REVOKED


def test_a_token_not_expired_is_not_renewed(client: TestClient, enroll: Any) -> None:
    station: StationClient = enroll()
    refused = client.post(RENEW, json=_renewal(station))
    assert refused.status_code == 409
    assert refused.json()["detail"] == station_tokens.NOT_EXPIRED


def test_a_request_written_more_than_a_day_off_the_centres_clock_is_refused(
    client: TestClient, expired: StationClient
) -> None:
    for hours in (25, -25):
        body = signed_renewal(expired.id, expired.credential.signing_key, expired.credential.token)
        moved = body.model_copy(update={"issued_at": utcnow() + timedelta(hours=hours)})
        signed = moved.model_copy(
            update={"signature": renewal_signature(moved, expired.credential.signing_key)}
        )
        refused = client.post(RENEW, json=signed.model_dump(mode="json"))
        assert refused.status_code == 400
        assert refused.json()["detail"] == station_tokens.CLOCK_OFF
    assert client.post(RENEW, json=_renewal(expired)).status_code == 200  # within: renewed


def test_bad_bodies_are_refused_with_4xx(client: TestClient, expired: StationClient) -> None:
    too_big = {**_renewal(expired), "padding": "x" * TOKEN_RENEW_MAX_BYTES}
    assert client.post(RENEW, json=too_big).status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"station_id": "'
        for _ in range(10):
            yield b"x" * 1024

    streamed = client.post(RENEW, content=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert client.post(RENEW, content=b"{not json").status_code == 422
    assert client.post(RENEW).status_code == 422
    naive = {**_renewal(expired), "issued_at": "2026-01-01T00:00:00"}
    assert client.post(RENEW, json=naive).status_code == 422
    assert client.post(RENEW, json=[1, 2]).status_code == 422
