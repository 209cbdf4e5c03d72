"""The county's stations and accounts over /admin: the division table, outstanding codes,
what stations report at hello, revocation with unsent events, one account per person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from central.models import Station
from central.services.admin_audit import list_actions, verify_actions
from sync.protocol import API_PREFIX
from tests.central.conftest import COUNTY, OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE

ADMIN = f"{API_PREFIX}/admin"


def _admin(enroll: Any, sign_in: Any) -> dict[str, str]:
    headers: dict[str, str] = sign_in(enroll(COUNTY, "county"))
    return headers


def test_codes_are_issued_only_for_the_division_table_at_the_level(
    enroll: Any, sign_in: Any, client: TestClient
) -> None:
    admin = _admin(enroll, sign_in)
    ask = {"division": VILLAGE, "name": "海城镇山门村便民服务站", "role": "village"}
    issued = client.post(f"{ADMIN}/enrollment-codes", json=ask, headers=admin).json()
    assert (issued["division_name"], issued["issued_by"], len(issued["code"])) == (
        "山门村",
        "admin1",
        9,
    )
    wrong_level = client.post(
        f"{ADMIN}/enrollment-codes", json={**ask, "role": "township"}, headers=admin
    )
    assert (
        wrong_level.status_code == 422
        and "是村，不能注册为乡镇级服务站" in wrong_level.json()["detail"]
    )
    unlisted = client.post(
        f"{ADMIN}/enrollment-codes", json={**ask, "division": "640522100299"}, headers=admin
    )
    assert unlisted.status_code == 422 and "区划表中没有640522100299" in unlisted.json()["detail"]

    [listed] = client.get(f"{ADMIN}/enrollment-codes", headers=admin).json()
    assert listed["ref"] == issued["ref"] and listed["code"] == ""  # never the code again
    cancelled = client.post(f"{ADMIN}/enrollment-codes/{issued['ref']}/cancel", headers=admin)
    assert cancelled.status_code == 200
    assert client.get(f"{ADMIN}/enrollment-codes", headers=admin).json() == []
    assert client.post(f"{API_PREFIX}/enroll", json={"code": issued["code"]}).status_code == 403
    again = client.post(f"{ADMIN}/enrollment-codes/{issued['ref']}/cancel", headers=admin)
    assert again.status_code == 404

    names = {d["code"]: d["name"] for d in client.get(f"{ADMIN}/divisions", headers=admin).json()}
    assert names[VILLAGE] == "山门村" and names[TOWNSHIP] == "海城镇"


def test_a_village_code_issued_again_says_which_earlier_one_it_made_void(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    """The answer names the void code (the desk says so), and the audit record keeps it."""
    admin = _admin(enroll, sign_in)
    ask = {"division": VILLAGE, "name": "海城镇山门村便民服务站", "role": "village"}
    lost = client.post(f"{ADMIN}/enrollment-codes", json=ask, headers=admin).json()
    assert lost["replaced"] == []
    again = client.post(f"{ADMIN}/enrollment-codes", json=ask, headers=admin).json()
    assert again["replaced"] == [lost["ref"]]
    [listed] = client.get(f"{ADMIN}/enrollment-codes", headers=admin).json()
    assert listed["ref"] == again["ref"]
    issued = sorted(
        (a for a in list_actions(session=session) if a.action == "station.code"),
        key=lambda a: a.seq,
    )
    assert [a.detail.get("replaces") for a in issued] == [None, [lost["ref"]]]
    assert verify_actions(session).ok


def test_hello_reports_are_kept_and_an_older_station_keeps_working(
    enroll: Any, client: TestClient, session: Session
) -> None:
    village = enroll()
    report = {
        "software_version": "0.9.1",
        "schema_version": 1,
        "outbox_depth": 5,
        "oldest_unsent": "2026-11-30T09:05:00+08:00",
        "catalog_version": "2026.11-3",
        "cases_held": 17,
    }
    assert (
        client.post(f"{API_PREFIX}/hello", json=report, headers=village.headers).status_code == 200
    )
    station = session.get_one(Station, village.id)
    session.refresh(station)
    assert (station.outbox_depth, station.catalog_version, station.cases_held) == (
        5,
        "2026.11-3",
        17,
    )
    assert station.oldest_unsent is not None and station.reported_at is not None
    assert station.oldest_unsent.replace(tzinfo=UTC) == datetime(2026, 11, 30, 1, 5, tzinfo=UTC)

    older = {"software_version": "0.8.0", "schema_version": 1, "outbox_depth": 0}
    assert (
        client.post(f"{API_PREFIX}/hello", json=older, headers=village.headers).status_code == 200
    )
    session.refresh(station)
    assert (station.outbox_depth, station.oldest_unsent) == (0, None)
    assert (station.catalog_version, station.cases_held) == ("2026.11-3", 17)  # not reported: kept


def test_a_station_with_unsent_events_is_revoked_only_when_forced(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    admin = _admin(enroll, sign_in)
    village = enroll()
    hello = {"software_version": "1", "schema_version": 1, "outbox_depth": 4}
    client.post(f"{API_PREFIX}/hello", json=hello, headers=village.headers)
    url = f"{ADMIN}/stations/{village.id}/revoke"
    refused = client.post(url, headers=admin)
    assert refused.status_code == 409 and "还有 4 条未上传的记录" in refused.json()["detail"]
    assert (
        client.post(f"{API_PREFIX}/hello", json=hello, headers=village.headers).status_code == 200
    )
    assert client.post(url, json={"force": True}, headers=admin).status_code == 200
    assert (
        client.post(f"{API_PREFIX}/hello", json=hello, headers=village.headers).status_code == 403
    )
    [act] = [a for a in list_actions(session) if a.action == "station.revoke"]
    assert act.detail["unsent"] == 4 and verify_actions(session).ok


def _user(username: str, role: str, division: str, number: str) -> dict[str, str]:
    return {
        "username": username,
        "display_name": "马丽",
        "role": role,
        "division": division,
        "password": "secret-22",
        "id_number": number,
    }


def test_accounts_one_per_person_roles_by_level_and_audited_changes(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    admin = _admin(enroll, sign_in)
    users = f"{ADMIN}/users"
    created = client.post(
        users, json=_user("mali", "agent", VILLAGE, "640522198001010018"), headers=admin
    )
    assert created.status_code == 200 and created.json()["id_masked"] == "640522********0018"
    twice = client.post(
        users, json=_user("mali2", "agent", VILLAGE, "640522198001010018"), headers=admin
    )
    assert twice.status_code == 422 and "一人一账号" in twice.json()["detail"]
    reviewer = client.post(
        users, json=_user("r", "reviewer", VILLAGE, "640522198505050021"), headers=admin
    )
    assert reviewer.status_code == 422 and "审核员不能设在村" in reviewer.json()["detail"]
    blank = client.post(users, json=_user("Wang Wu", "agent", VILLAGE, "640522198505050013"),
                        headers=admin)  # fmt: skip
    assert blank.status_code == 422 and blank.json()["detail"] == "用户名不能有空格"
    no_phone = {**_user("wangwu", "agent", VILLAGE, "640522198505050013"), "phone": "abc123"}
    refused = client.post(users, json=no_phone, headers=admin)
    assert refused.status_code == 422 and "电话号码不对" in refused.json()["detail"]
    anonymous = client.post(users, json=_user("x", "agent", VILLAGE, ""), headers=admin)
    assert anonymous.status_code == 422 and "身份证号" in anonymous.json()["detail"]

    for verb in ("disable", "enable"):
        assert client.post(f"{users}/mali/{verb}", headers=admin).status_code == 200
    reset = client.post(f"{users}/mali/password", json={"password": "brand-new-1"}, headers=admin)
    assert reset.status_code == 200
    assert client.post(f"{users}/admin1/disable", headers=admin).status_code == 422
    listed = {u["username"]: u for u in client.get(users, headers=admin).json()}
    assert listed["mali"]["active"] and listed["mali"]["id_masked"].endswith("0018")
    acts = [(a.action, a.target) for a in reversed(list_actions(session))]
    assert acts == [
        ("account.create", "mali"),
        ("account.disable", "mali"),
        ("account.enable", "mali"),
        ("account.password", "mali"),
    ]
    assert verify_actions(session).ok


def test_a_person_who_moved_village_gets_a_new_account_and_the_old_station_hears(
    enroll: Any, sign_in: Any, client: TestClient
) -> None:
    """调动: the agent's account at the old village is disabled (its station hears that
    with its next pull) and a new one made at the new village for the same person; the
    old one cannot be enabled again while the new one is in use."""
    admin = _admin(enroll, sign_in)
    old_station = enroll(VILLAGE, "village")
    users, number = f"{ADMIN}/users", "640522198001010018"
    assert client.post(
        users, json=_user("mali", "agent", VILLAGE, number), headers=admin
    ).is_success
    moved = _user("mali-b", "agent", OTHER_TOWN_VILLAGE, number)

    still_active = client.post(users, json=moved, headers=admin)
    assert still_active.status_code == 422
    assert "马丽已有在用的账号 mali（640522********0018）" in still_active.json()["detail"]
    assert still_active.json()["detail"].endswith("请先停用原账号，再新建。")

    assert client.post(f"{users}/mali/disable", headers=admin).status_code == 200
    created = client.post(users, json=moved, headers=admin)
    assert created.status_code == 200, created.text
    assert created.json()["id_masked"] == "640522********0018"

    again = client.post(f"{users}/mali/enable", headers=admin)
    assert again.status_code == 422
    assert again.json()["detail"].startswith("马丽已有在用的账号 mali-b")
    listed = {u["username"]: u for u in client.get(users, headers=admin).json()}
    assert (listed["mali"]["active"], listed["mali-b"]["active"]) == (False, True)
    assert listed["mali-b"]["division"] == OTHER_TOWN_VILLAGE
    held = {a["username"]: a for a in old_station.pull()["accounts"]}
    assert held["mali"]["active"] is False and "mali-b" not in held


def test_the_county_desk_cannot_revoke_itself_and_undoes_a_revocation(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    """The walkthrough's admin revoked the county desk's own station and locked the desk
    out; and a revocation could be undone only on the centre's command line."""
    county = enroll(COUNTY, "county")
    admin = sign_in(county)
    village = enroll(VILLAGE, "village")
    hello = {"software_version": "1", "schema_version": 1, "outbox_depth": 0}

    itself = client.post(f"{ADMIN}/stations/{county.id}/revoke", headers=admin)
    assert itself.status_code == 409 and "不能吊销自己" in itself.json()["detail"]
    assert client.get(f"{ADMIN}/stations", headers=admin).status_code == 200

    assert client.post(f"{ADMIN}/stations/{village.id}/revoke", headers=admin).is_success
    refused = client.post(f"{API_PREFIX}/hello", json=hello, headers=village.headers)
    assert refused.status_code == 403
    undone = client.post(f"{ADMIN}/stations/{village.id}/unrevoke", headers=admin)
    assert undone.status_code == 200 and undone.json()["revoked_at"] is None
    assert client.post(f"{API_PREFIX}/hello", json=hello, headers=village.headers).is_success
    again = client.post(f"{ADMIN}/stations/{village.id}/unrevoke", headers=admin)
    assert again.status_code == 409 and "没有被吊销" in again.json()["detail"]
    acts = [(a.action, a.target) for a in list_actions(session) if "station" in a.action]
    assert sorted(acts) == [("station.revoke", village.id), ("station.unrevoke", village.id)]
    assert verify_actions(session).ok
