"""Pull: scope per station level, pages and cursors, accounts with the first page."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from central.services.accounts import create_user
from sync.events import EventKind
from tests.central.conftest import (
    COUNTY,
    OTHER_COUNTY_VILLAGE,
    OTHER_TOWN_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    VILLAGE_2,
)


def _divisions(page: dict[str, Any]) -> set[str]:
    return {event["division"] for event in page["events"]}


def test_each_station_pulls_exactly_its_scope(enroll: Any) -> None:
    stations = {
        division: enroll(division)
        for division in (VILLAGE, VILLAGE_2, OTHER_TOWN_VILLAGE, OTHER_COUNTY_VILLAGE)
    }
    for station in stations.values():
        station.push(station.new_case())
    township, county = enroll(TOWNSHIP, "township"), enroll(COUNTY, "county")

    assert _divisions(stations[VILLAGE].pull()) == {VILLAGE}
    assert _divisions(township.pull()) == {VILLAGE, VILLAGE_2}
    assert _divisions(county.pull()) == {VILLAGE, VILLAGE_2, OTHER_TOWN_VILLAGE}
    assert len(stations[VILLAGE].pull()["events"]) == 3


def test_pages_follow_the_cursor_without_skipping(enroll: Any) -> None:
    village = enroll()
    pushed = []
    for _ in range(4):
        events = village.new_case()
        pushed += [r["central_seq"] for r in village.push(events)]
    seen, cursor, pages = [], 0, 0
    while True:
        page = village.pull(after=cursor, limit=5)
        pages += 1
        seen += [event["central_seq"] for event in page["events"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == pushed and pages == 3
    empty = village.pull(after=cursor)
    assert empty["events"] == [] and empty["next_cursor"] == cursor and not empty["has_more"]


def test_accounts_of_the_scope_come_with_the_pull(enroll: Any, session: Session) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    village.actor_id = create_user(
        session=session,
        username="wang",
        display_name="王芳",
        role="agent",
        division=VILLAGE,
        password="secret-1",
    ).id  # the village's 代办员 (no other account is made for its events)
    create_user(
        session=session,
        username="li",
        display_name="李明",
        role="reviewer",
        division=TOWNSHIP,
        password="secret-2",
    )
    create_user(
        session=session,
        username="far",
        display_name="远",
        role="agent",
        division=OTHER_TOWN_VILLAGE,
        password="secret-3",
    )
    create_user(
        session=session,
        username="zhao",
        display_name="赵军",
        role="admin",
        division=COUNTY,
        password="secret-4",
        phone="13900000004",
    )
    page = village.pull()
    accounts = {a["username"]: a for a in page["accounts"]}
    # its own people, and the offices above it that act on its cases (named on its desk)
    assert sorted(accounts) == ["li", "wang", "zhao"]
    assert accounts["wang"]["password_hash"].startswith("$argon2")
    for above in ("li", "zhao"):  # listed by name and role; they cannot sign in there
        assert accounts[above]["password_hash"] == ""
    assert accounts["zhao"]["phone"] == "13900000004"  # a decision reprinted here shows it
    assert accounts["li"]["display_name"] == "李明" and accounts["zhao"]["role"] == "admin"
    assert sorted(a["username"] for a in township.pull()["accounts"]) == ["li", "wang", "zhao"]

    # Accounts move the cursor: once pulled, they do not come again.
    again = village.pull(after=page["next_cursor"])
    assert again["accounts"] == []
    village.push([village.event(EventKind.created)])
    assert village.pull(after=page["next_cursor"])["accounts"] == []


def test_a_disabled_account_reaches_the_station_with_the_next_pull(
    enroll: Any, session: Session
) -> None:
    from central.services.accounts import update_user, verify_password

    village = enroll()
    village.actor_id = create_user(
        session=session,
        username="wang",
        display_name="王芳",
        role="agent",
        division=VILLAGE,
        password="secret-1",
    )
    first = village.pull()
    assert first["accounts"][0]["active"] is True
    update_user(session=session, username="wang", active=False, password="new-secret")
    change = village.pull(after=first["next_cursor"])
    [record] = change["accounts"]
    assert record["active"] is False
    assert verify_password(record["password_hash"], "new-secret")
    assert change["next_cursor"] > first["next_cursor"]


def test_device_time_keeps_its_instant_whatever_the_offset(enroll: Any, session: Session) -> None:
    from datetime import datetime, timedelta, timezone

    from central.services.audit import verify_audit

    village = enroll()
    beijing = datetime(2026, 11, 23, 17, 30, tzinfo=timezone(timedelta(hours=8)))
    created = village.event(EventKind.created, device_time=beijing)
    village.push([created])
    [pulled] = village.pull()["events"]
    assert datetime.fromisoformat(pulled["device_time"]) == beijing
    assert verify_audit(session=session).ok
