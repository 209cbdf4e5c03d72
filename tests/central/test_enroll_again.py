"""POST /enroll sent again after its answer was lost: the station that spent the code (the
same attempt secret) gets its credential again, with a fresh token, until it is first
heard from, and the county holds one station; anyone else with the code is refused, as
before, and so is the same secret once the station has said hello."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import AdminAction, EnrollmentCode, Station
from central.services.admin_audit import verify_actions
from central.services.station_tokens import ENROLL_AGAIN_ACTION
from central.services.stations import enroll_code, revoke_station
from sync.protocol import API_PREFIX, EnrollResponse
from tests.central.conftest import StationClient, account_maker

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


def _answered_again(session: Session) -> list[AdminAction]:
    session.expire_all()
    query = select(AdminAction).where(AdminAction.action == ENROLL_AGAIN_ACTION)  # type: ignore[arg-type]
    return list(session.scalars(query))


def test_the_same_station_asking_again_gets_its_credential_until_it_is_heard_from(
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
    assert _stations(session) == 1  # the county sees one station, not a ghost beside it
    (audited,) = _answered_again(session)
    assert audited.actor_role == "station" and audited.target == kept["station_id"]
    assert verify_actions(session).ok  # the chain holds with the station's own row in it

    assert _hello(client, kept["token"]) == 200  # heard from: the code is spent for good
    assert _enroll(client, code).status_code == 403
    assert _hello(client, kept["token"]) == 200  # the working station kept its credential
    assert len(_answered_again(session)) == 1


def test_two_answers_crossing_on_a_slow_line_leave_the_station_a_token_that_works(
    client: TestClient, session: Session
) -> None:
    """The station's resend and a delayed copy both answered: the station kept the one
    that reached it, which the later answer had already replaced."""
    code = _code(session)
    assert _enroll(client, code).status_code == 200  # lost
    kept = _enroll(client, code).json()["token"]  # reached the PC, which saved it
    assert _enroll(client, code).status_code == 200  # a copy answered after it, lost too

    assert _hello(client, kept) == 200
    assert _stations(session) == 1


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
    assert _stations(session) == 1 and not _answered_again(session)


def test_a_station_never_heard_from_is_answered_after_its_code_expired_but_not_once_it_pushed(
    client: TestClient, session: Session
) -> None:
    """A line down longer than the code's life: the PC that spent it still enrolls with it
    (the county would otherwise have a station nobody holds, and no new code until it
    revoked that one). Once the station has pushed, it is working: refused."""
    code = _code(session)
    assert _enroll(client, code).status_code == 200
    stored = session.exec(select(EnrollmentCode)).one()[0]  # type: ignore[call-overload]
    assert stored.attempt_hash == hashlib.sha256(SECRET.encode()).hexdigest()
    stored.expires_at = stored.expires_at - timedelta(minutes=61)  # the code's life is over
    session.add(stored)
    session.commit()

    answer = _enroll(client, code)
    assert answer.status_code == 200
    credential = EnrollResponse.model_validate(answer.json())
    station = StationClient(client, credential, account_maker(session))
    station.push(station.new_case()[:1])  # its first sync: a push, no hello before it
    assert _enroll(client, code).status_code == 403
    assert _stations(session) == 1


def test_the_station_list_shows_the_software_the_station_asked_again_with(
    client: TestClient, session: Session
) -> None:
    """A PC updated between the lost answer and the second try: the county's station list
    shows the version it runs now, not the one of the try whose answer was lost."""
    code = _code(session)
    sent = {"code": code, "device_name": "pc", "attempt": SECRET}
    first = client.post(ENROLL, json={**sent, "software_version": "0.9.0"})
    again = client.post(ENROLL, json={**sent, "software_version": "1.0.0"})
    assert first.status_code == again.status_code == 200, again.text
    session.expire_all()
    station = session.get_one(Station, again.json()["station_id"])
    assert station.software_version == "1.0.0"
    unsaid = client.post(ENROLL, json=sent)  # an older station says no version: kept
    assert unsaid.status_code == 200, unsaid.text
    session.expire_all()
    assert session.get_one(Station, again.json()["station_id"]).software_version == "1.0.0"
