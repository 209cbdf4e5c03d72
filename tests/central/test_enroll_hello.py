"""Enrollment with a one-time code, hello, and refusing unknown or revoked stations."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from central.models import EnrollmentCode, Station
from central.services.stations import EnrollmentError, enroll_code, revoke_station
from central.settings import CentralSettings
from sync.protocol import API_PREFIX
from tests.central.conftest import TOWNSHIP, VILLAGE


def test_enroll_gives_a_credential_and_hello_answers(
    client: TestClient, session: Session, settings: CentralSettings
) -> None:
    code = enroll_code(
        session=session, division=VILLAGE, name="杨河村", role="village", ttl_minutes=60
    )
    assert len(code.replace("-", "")) == 8
    assert not set(code.replace("-", "")) & set("0O1I")

    answer = client.post(f"{API_PREFIX}/enroll", json={"code": code.lower()}).json()
    assert (
        answer["division"] == VILLAGE and answer["role"] == "village" and answer["name"] == "杨河村"
    )
    expected_key = hmac.new(
        settings.secret_key.encode(), answer["station_id"].encode(), hashlib.sha256
    ).hexdigest()
    assert answer["signing_key"] == expected_key

    held = session.get_one(Station, answer["station_id"])
    assert held.token_hash == hashlib.sha256(answer["token"].encode()).hexdigest()

    hello = client.post(
        f"{API_PREFIX}/hello",
        json={"software_version": "0.1.0", "schema_version": 1},
        headers={"Authorization": f"Bearer {answer['token']}"},
    )
    assert hello.status_code == 200
    assert hello.json()["station_id"] == answer["station_id"]
    assert hello.json()["min_schema_version"] == 1


def test_a_code_works_once(client: TestClient, session: Session) -> None:
    code = enroll_code(
        session=session, division=TOWNSHIP, name="镇", role="township", ttl_minutes=60
    )
    assert client.post(f"{API_PREFIX}/enroll", json={"code": code}).status_code == 200
    again = client.post(f"{API_PREFIX}/enroll", json={"code": code})
    assert again.status_code == 403
    assert "already used" in again.json()["detail"]


def test_an_expired_code_is_refused(client: TestClient, session: Session) -> None:
    code = enroll_code(session=session, division=VILLAGE, name="村", role="village", ttl_minutes=-1)
    assert client.post(f"{API_PREFIX}/enroll", json={"code": code}).status_code == 403


def test_unknown_token_is_401_and_revoked_station_403(
    client: TestClient, session: Session, enroll: Any
) -> None:
    hello = {"software_version": "0.1.0", "schema_version": 1}
    assert client.post(f"{API_PREFIX}/hello", json=hello).status_code == 401
    bad = {"Authorization": "Bearer nope"}
    assert client.post(f"{API_PREFIX}/hello", json=hello, headers=bad).status_code == 401

    station = enroll()
    assert (
        client.post(f"{API_PREFIX}/hello", json=hello, headers=station.headers).status_code == 200
    )
    revoke_station(session=session, station_id=station.id)
    refused = client.get(f"{API_PREFIX}/pull", headers=station.headers)
    assert refused.status_code == 403
    assert "revoked" in refused.json()["detail"]


def test_two_stations_racing_with_one_code_cannot_both_enroll(app: Any, session: Session) -> None:
    import threading

    from central.services.stations import EnrollmentError, enroll_station
    from sync.protocol import EnrollRequest

    code = enroll_code(session=session, division=VILLAGE, name="村", role="village", ttl=60)
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def attempt() -> None:
        with Session(app.state.engine, expire_on_commit=False) as own:
            start.wait()
            try:
                enroll_station(session=own, request=EnrollRequest(code=code), secret_key="k" * 20)
                outcomes.append("enrolled")
            except EnrollmentError:
                outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["enrolled", "refused", "refused", "refused"]


def test_a_second_active_station_for_one_village_is_refused(
    client: TestClient, session: Session
) -> None:
    """Two codes issued before either was used: the second exchange is refused, the code kept.

    A code issued now makes the village's earlier ones void (the test below); two
    outstanding at once are what an older centre left, or a race between two desks."""
    first, second = (
        enroll_code(session=session, division=VILLAGE, name=name, role="village", ttl_minutes=60)
        for name in ("旧电脑", "新电脑")
    )
    for code in session.scalars(select(EnrollmentCode)):  # as an older centre left them
        code.cancelled_at = None
        session.add(code)
    session.commit()
    old = client.post(f"{API_PREFIX}/enroll", json={"code": first}).json()
    refused = client.post(f"{API_PREFIX}/enroll", json={"code": second})
    assert refused.status_code == 403 and "请先吊销旧电脑" in refused.json()["detail"]
    # the old PC by its name and when it was enrolled (China time), not by its id
    detail = refused.json()["detail"]
    assert re.search(r"（旧电脑，\d{4}-\d{2}-\d{2} \d{2}:\d{2} 注册）", detail), detail
    assert old["station_id"] not in detail
    try:
        enroll_code(session=session, division=VILLAGE, name="第三台", role="village")
    except EnrollmentError as error:
        assert "（旧电脑，" in str(error) and old["station_id"] not in str(error)
    else:
        raise AssertionError("a code was issued for a village that has an active station")
    revoke_station(session=session, station_id=old["station_id"])
    again = client.post(f"{API_PREFIX}/enroll", json={"code": second})  # the code was not spent
    assert again.status_code == 200 and again.json()["division"] == VILLAGE


def test_a_village_code_issued_again_makes_the_earlier_one_void(
    client: TestClient, session: Session
) -> None:
    """A slip lost (or never printed), the administrator issues the village's code again:
    the lost code stayed good, listed beside the new one, and nothing said so."""
    from central.services.stations import issue_code, outstanding_codes

    first = issue_code(session=session, division=VILLAGE, name="杨河村", role="village")
    told: list[tuple[str, ...]] = []
    second = issue_code(
        session=session,
        division=VILLAGE,
        name="杨河村",
        role="village",
        before_commit=lambda _row, replaced: told.append(replaced),
    )
    assert second.replaced == (first.ref,) and told == [(first.ref,)]  # said, and audited
    assert [code.ref for code in outstanding_codes(session=session)] == [second.ref]
    refused = client.post(f"{API_PREFIX}/enroll", json={"code": first.code})
    assert refused.status_code == 403
    assert client.post(f"{API_PREFIX}/enroll", json={"code": second.code}).status_code == 200
    # a township may enroll several PCs: its codes stand side by side
    one = issue_code(session=session, division=TOWNSHIP, name="镇", role="township")
    other = issue_code(session=session, division=TOWNSHIP, name="镇", role="township")
    assert other.replaced == () and {one.ref, other.ref} <= {
        code.ref for code in outstanding_codes(session=session)
    }
