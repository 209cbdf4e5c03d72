"""A person's own session at the centre: administrative acts need the person, and name them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from central.api.deps import PERSON_HEADER
from central.models import AdminAction, PersonSession
from central.services.accounts import update_user
from central.services.admin_audit import list_actions, verify_actions
from forms.clock import utc_now
from sync.protocol import API_PREFIX
from tests.central.conftest import COUNTY, TOWNSHIP, VILLAGE

CODES = f"{API_PREFIX}/admin/enrollment-codes"
ASK = {"division": VILLAGE, "name": "杨河村", "role": "village"}


def test_an_administrative_act_needs_the_person_not_only_the_workstation(
    enroll: Any, client: TestClient, sign_in: Any
) -> None:
    county = enroll(COUNTY, "county")
    assert client.post(CODES, json=ASK, headers=county.headers).status_code == 401
    admin = sign_in(county)
    assert client.post(CODES, json=ASK, headers=admin).status_code == 200


def test_a_wrong_password_or_a_disabled_account_gets_no_session(
    enroll: Any, client: TestClient, sign_in: Any, session: Session
) -> None:
    county = enroll(COUNTY, "county")
    headers = sign_in(county)
    wrong = client.post(
        f"{API_PREFIX}/auth/session",
        json={"username": "admin1", "password": "not-it"},
        headers=county.headers,
    )
    assert wrong.status_code == 401
    update_user(session=session, username="admin1", active=False)
    assert client.post(CODES, json=ASK, headers=headers).status_code == 401
    again = client.post(
        f"{API_PREFIX}/auth/session",
        json={"username": "admin1", "password": "admin-pass-1"},
        headers=county.headers,
    )
    assert again.status_code == 401


def test_a_session_works_only_at_its_station_and_until_it_expires(
    enroll: Any, client: TestClient, sign_in: Any, session: Session
) -> None:
    county, other = enroll(COUNTY, "county", "县工作站一"), enroll(COUNTY, "county", "县工作站二")
    headers = sign_in(county)
    stolen = {**other.headers, PERSON_HEADER: headers[PERSON_HEADER]}
    assert client.post(CODES, json=ASK, headers=stolen).status_code == 401

    session.execute(update(PersonSession).values(expires_at=utc_now() - timedelta(minutes=1)))
    session.commit()
    assert client.post(CODES, json=ASK, headers=headers).status_code == 401


def test_signing_out_ends_the_session(enroll: Any, client: TestClient, sign_in: Any) -> None:
    headers = sign_in(enroll(COUNTY, "county"))
    assert client.delete(f"{API_PREFIX}/auth/session", headers=headers).status_code == 204
    assert client.post(CODES, json=ASK, headers=headers).status_code == 401


def test_a_reviewer_or_an_agent_is_no_administrator(
    enroll: Any, client: TestClient, sign_in: Any
) -> None:
    reviewer = sign_in(enroll(TOWNSHIP, "township"), "rev1", "reviewer")
    assert client.post(CODES, json=ASK, headers=reviewer).status_code == 403
    agent = sign_in(enroll(VILLAGE, "village"), "agent1", "agent")
    assert client.get(f"{API_PREFIX}/admin/stations", headers=agent).status_code == 403


def test_an_account_of_another_township_cannot_sign_in_at_this_one(
    enroll: Any, client: TestClient, sign_in: Any
) -> None:
    sign_in(enroll(VILLAGE, "village"), "agent1", "agent")
    township = enroll("640522101000", "township", "关桥乡")
    answer = client.post(
        f"{API_PREFIX}/auth/session",
        json={"username": "agent1", "password": "admin-pass-1"},
        headers=township.headers,
    )
    assert answer.status_code == 401


def test_every_administrative_act_is_audited_with_the_person_in_a_chain(
    enroll: Any, client: TestClient, sign_in: Any, session: Session
) -> None:
    county = enroll(COUNTY, "county")
    admin = sign_in(county)
    client.post(CODES, json=ASK, headers=admin)
    user = {
        "username": "li",
        "display_name": "李明",
        "role": "reviewer",
        "division": TOWNSHIP,
        "password": "secret-2",
        "id_number": "640522198001010018",
    }
    client.post(f"{API_PREFIX}/admin/users", json=user, headers=admin)

    acts = list_actions(session)
    assert [(a.action, a.target, a.actor_username) for a in reversed(acts)] == [
        ("station.code", VILLAGE, "admin1"),
        ("account.create", "li", "admin1"),
    ]
    assert all(a.station_id == county.id for a in acts)
    assert verify_actions(session).ok

    session.execute(update(AdminAction).where(AdminAction.seq == 1).values(actor_username="x"))  # type: ignore[arg-type]
    session.commit()
    check = verify_actions(session)
    assert not check.ok and check.first_bad_seq == 1
