"""闭环 at the centre: every 差评 and 办不成事 becomes one item (push and bundle, replayed or
corrected), the county assigns, the township follows up, the county closes; appeals; 红黄牌."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import AdminAction, LoopItem, LoopStep
from central.services.bundles import import_bundle
from central.services.dashboard import rated_rows
from central.services.dashboard_data import Period
from central.services.loops import overturned_ratings
from central.settings import CentralSettings
from sync.bundle import write_bundle
from sync.events import Event, EventKind, Role
from sync.protocol import API_PREFIX
from sync.reducer import BAD_RATING_KEPT
from sync.unresolved import unresolved_number
from tests.central.conftest import COUNTY, TOWNSHIP, VILLAGE, VILLAGE_2

LOOPS = f"{API_PREFIX}/loops"


def _rated_case(village: Any, township: Any, rating: int = 2) -> tuple[list[Event], UUID]:
    """A case taken in, accepted, completed, handed over and rated (not yet pushed: the rating)."""
    events = village.new_case()
    case_id = events[0].case_id
    village.push(events)
    for kind, payload in (
        (EventKind.accepted, None),
        (EventKind.completed, {"result": "approved"}),
    ):
        decision = township.event(
            kind, case_id, division=VILLAGE, role=Role.reviewer, payload=payload
        )
        township.push([decision])
    village.push([village.event(EventKind.handed_over, case_id, payload={"how": "当面"})])
    reason = "等了三次才办好" if rating <= 2 else None
    rated = village.event(EventKind.rated, case_id, payload={"rating": rating, "reason": reason})
    return [rated], case_id


def _items(session: Session) -> list[LoopItem]:
    session.expire_all()
    return list(session.scalars(select(LoopItem).order_by(LoopItem.id)))  # type: ignore[arg-type]


def _steps(session: Session, item: LoopItem) -> list[str]:
    query = select(LoopStep.action).where(LoopStep.item_id == item.id).order_by(LoopStep.id)  # type: ignore[arg-type]
    return list(session.scalars(query))


def test_a_bad_rating_becomes_one_item_however_often_it_is_pushed_or_corrected(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    rated, case_id = _rated_case(village, township)
    assert village.push(rated)[0]["status"] == "applied"
    assert village.push(rated)[0]["status"] == "duplicate"  # a retried push
    (item,) = _items(session)
    assert (item.source_kind, item.source_id, item.rating) == ("rating", case_id, 2)
    assert item.words == "等了三次才办好" and item.state == "open"
    assert item.station_name == "站"
    worse = {"old": 2, "new": 1, "why": "居民更正", "reason": "态度差"}
    village.push([village.event(EventKind.rating_corrected, case_id, payload=worse)])
    (item,) = _items(session)
    assert (item.rating, item.words, item.state) == (1, "态度差", "open")
    assert _steps(session, item) == ["created", "rating_corrected"]


def test_a_good_rating_makes_no_item_and_a_bad_one_is_not_corrected_away_by_the_station(
    enroll: Any, session: Session
) -> None:
    """The rated station could turn its own 差评 into a good rating, which withdrew the
    county's follow-up: a 差评 is the county's to review (申诉复核), not the station's."""
    village, township = enroll(), enroll(TOWNSHIP, "township")
    good, good_case = _rated_case(village, township, rating=5)
    village.push(good)
    assert _items(session) == []
    bad, case_id = _rated_case(village, township)
    village.push(bad)
    fixed = {"old": 2, "new": 4, "why": "居民说误选"}
    (result,) = village.push([village.event(EventKind.rating_corrected, case_id, payload=fixed)])
    assert result["status"] == "superseded" and result["reason"] == BAD_RATING_KEPT
    (item,) = _items(session)
    assert item.state == "open"  # the follow-up goes on
    worse = {"old": 2, "new": 1, "why": "居民说更不满意", "reason": "还是慢"}
    (result,) = village.push([village.event(EventKind.rating_corrected, case_id, payload=worse)])
    assert result["status"] == "applied"  # from bad to worse: still the county's item
    back = {"old": 5, "new": 2, "why": "居民说误选", "reason": "等了很久"}
    village.push([village.event(EventKind.rating_corrected, good_case, payload=back)])
    assert sorted(item.state for item in _items(session)) == ["open", "open"]


def test_an_unresolved_report_becomes_an_item(enroll: Any, session: Session) -> None:
    village = enroll()
    number = unresolved_number(VILLAGE, date(2026, 11, 23), 1)
    payload = {"what": "办理林权证", "why": "本站无此事项", "station_name": "杨郎村便民服务站"}
    reported = village.event(EventKind.reported, payload=payload, case_number=number)
    village.push([reported])
    village.push([reported])
    (item,) = _items(session)
    assert (item.source_kind, item.source_number) == ("unresolved", number)
    assert item.words == "办理林权证：本站无此事项"
    assert item.station_name == "杨郎村便民服务站"


def test_a_bad_rating_in_a_bundle_becomes_one_item_imported_twice(
    enroll: Any, session: Session, settings: CentralSettings, tmp_path: Path
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    rated, case_id = _rated_case(village, township, rating=1)
    path = write_bundle(
        tmp_path / "outbox.daiban",
        station_id=village.id,
        direction="outbox",
        events=rated,
        blob_paths={},
        signing_key=village.credential.signing_key,
    ).path
    first = import_bundle(session=session, settings=settings, path=path)
    again = import_bundle(session=session, settings=settings, path=path)
    assert [r.status.value for r in first.results] == ["applied"]
    assert [r.status.value for r in again.results] == ["duplicate"]
    (item,) = _items(session)
    assert item.source_id == case_id and item.rating == 1


def _walk_setup(enroll: Any, sign_in: Any, session: Session) -> tuple[Any, ...]:
    village, township, county = enroll(), enroll(TOWNSHIP, "township"), enroll(COUNTY, "county")
    rated, case_id = _rated_case(village, township)
    village.push(rated)
    admin = sign_in(county, "xu", "admin")
    reviewer = sign_in(township, "ma", "reviewer")
    (item,) = _items(session)
    return village, admin, reviewer, item, case_id


def test_the_county_assigns_the_township_follows_up_and_the_county_closes(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    village, admin, reviewer, item, _case = _walk_setup(enroll, sign_in, session)
    url = f"{LOOPS}/{item.id}"
    (listed,) = client.get(LOOPS, headers=admin).json()
    assert listed["source_number"] == item.source_number and listed["state"] == "open"
    assert client.get(LOOPS, headers=reviewer).json() == []  # not yet the township's
    refused = client.post(f"{url}/assign", json={"unit_kind": "township", "unit": TOWNSHIP},
                          headers=reviewer)  # fmt: skip
    assert refused.status_code == 403
    assigned = client.post(
        f"{url}/assign",
        json={"unit_kind": "township", "unit": TOWNSHIP, "unit_name": "杨郎镇"},
        headers=admin,
    )
    assert assigned.json()["state"] == "assigned"
    assert [i["id"] for i in client.get(LOOPS, headers=reviewer).json()] == [item.id]
    early = client.post(f"{url}/close", json={"text": ""}, headers=admin)
    assert early.status_code == 409 and "反馈" in early.json()["detail"]
    visit = {"when": "2026-12-02 10:00", "how": "电话", "found": "等候时间长属实"}
    steps = [("visited", visit), ("rectified", {"what": "增设预约窗口"})]
    steps.append(("fed_back", {"when": "2026-12-05", "how": "电话", "response": "满意"}))
    for action, detail in steps:
        answer = client.post(f"{url}/steps/{action}", json={"detail": detail}, headers=reviewer)
        assert answer.status_code == 200, answer.text
    closed = client.post(f"{url}/close", json={"text": "已核实办结"}, headers=admin)
    assert closed.json()["state"] == "closed"
    shown = client.get(url, headers=admin).json()
    assert [s["action"] for s in shown["steps"]] == [
        "created", "assigned", "visited", "rectified", "fed_back", "closed",
    ]  # fmt: skip
    assert shown["steps"][2]["actor_username"] == "ma" and shown["steps"][2]["detail"] == visit
    audited = [
        tuple(r) for r in session.execute(select(AdminAction.action, AdminAction.actor_username))
    ]
    assert ("loop.visited", "ma") in audited and ("loop.closed", "xu") in audited
    outcome = client.get(f"{LOOPS}/outcomes", headers=village.headers).json()
    (seen,) = outcome["items"]
    assert seen["state"] == "closed" and len(seen["steps"]) == 6
    assert client.get(f"{LOOPS}/outcomes", params={"after": outcome["next"]},
                      headers=village.headers).json()["items"] == []  # fmt: skip


def test_another_village_sees_no_outcome_and_a_station_token_alone_lists_nothing(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    village, _admin, _reviewer, _item, _case = _walk_setup(enroll, sign_in, session)
    neighbour = enroll(VILLAGE_2)
    assert client.get(f"{LOOPS}/outcomes", headers=neighbour.headers).json()["items"] == []
    assert len(client.get(f"{LOOPS}/outcomes", headers=village.headers).json()["items"]) == 1
    assert client.get(LOOPS, headers=village.headers).status_code == 401


def test_an_overturned_appeal_closes_the_item_and_leaves_the_satisfaction_figures(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    _village, admin, reviewer, item, case_id = _walk_setup(enroll, sign_in, session)
    url = f"{LOOPS}/{item.id}"
    client.post(f"{url}/assign", json={"unit_kind": "township", "unit": TOWNSHIP}, headers=admin)
    no_reason = client.post(f"{url}/appeal", json={"text": " "}, headers=reviewer)
    assert no_reason.status_code == 422
    appealed = client.post(f"{url}/appeal", json={"text": "居民误选，已电话确认"}, headers=reviewer)
    assert appealed.json()["appeal"] == "pending"
    assert overturned_ratings(session) == set()
    rated_ever = Period(date(2000, 1, 1), date(2100, 1, 1))
    assert [cid for cid, _rating in rated_rows(session, "640522", rated_ever)] == [case_id]
    decided = client.post(
        f"{url}/appeal-decision", json={"overturn": True, "note": "属实"}, headers=admin
    )
    assert (decided.json()["appeal"], decided.json()["state"]) == ("overturned", "closed")
    session.expire_all()
    assert overturned_ratings(session) == {case_id}
    assert rated_rows(session, "640522", rated_ever) == []  # the 看板 no longer counts it


def test_an_upheld_appeal_keeps_the_rating_and_the_work_goes_on(
    enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    _village, admin, reviewer, item, _case = _walk_setup(enroll, sign_in, session)
    url = f"{LOOPS}/{item.id}"
    client.post(f"{url}/assign", json={"unit_kind": "township", "unit": TOWNSHIP}, headers=admin)
    client.post(f"{url}/appeal", json={"text": "不是本镇的责任"}, headers=reviewer)
    decided = client.post(f"{url}/appeal-decision", json={"overturn": False}, headers=admin)
    assert (decided.json()["appeal"], decided.json()["state"]) == ("upheld", "assigned")
    assert overturned_ratings(session) == set()
    again = client.post(f"{url}/appeal", json={"text": "再申诉"}, headers=reviewer)
    assert again.status_code == 409


def test_cards_turn_yellow_three_working_days_before_and_red_after_the_limit(
    enroll: Any,
    sign_in: Any,
    client: TestClient,
    session: Session,
    hold_time: Callable[[datetime], None],
) -> None:
    hold_time(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # Tuesday 1 December, 10:00 in China
    village, township, county = enroll(), enroll(TOWNSHIP, "township"), enroll(COUNTY, "county")
    village.push(_rated_case(village, township)[0])
    cards = {}
    for day in (16, 17, 22, 23):
        hold_time(datetime(2026, 12, day, 2, 0, tzinfo=UTC))
        admin = sign_in(county, "xu", "admin")  # a session lasts a working day
        (listed,) = client.get(LOOPS, headers=admin).json()
        cards[day] = (listed["days_left"], listed["card"])
    assert listed["due"] == "2026-12-22"  # 15 working days after 1 December
    assert cards == {16: (4, ""), 17: (3, "yellow"), 22: (0, "yellow"), 23: (-1, "red")}
    assert len(client.get(LOOPS, params={"card": "red"}, headers=admin).json()) == 1
    assert client.get(LOOPS, params={"card": "yellow"}, headers=admin).json() == []


def test_items_count_once_in_the_table(enroll: Any, session: Session) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    rated, _case = _rated_case(village, township)
    village.push(rated + rated)  # the same event twice in one batch
    assert session.scalar(select(func.count()).select_from(LoopItem)) == 1
