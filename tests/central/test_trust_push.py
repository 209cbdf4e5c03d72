"""Trust no station: what the centre checks on every pushed event (issue 13, point 2)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import EVENT_TABLE, User
from central.services.accounts import create_user, update_user
from central.services.push import (
    ACTOR_DISABLED,
    ACTOR_OTHER_ROLE,
    ACTOR_OUT_OF_SCOPE,
    ACTOR_UNKNOWN,
)
from central.services.stations import revoke_station
from forms.clock import to_utc
from sync.events import Event, EventKind, Role
from sync.protocol import API_PREFIX, CASE_NUMBER_TAKEN
from tests.central.conftest import (
    OTHER_TOWN_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    VILLAGE_2,
    StationClient,
)

OTHER_TOWNSHIP = OTHER_TOWN_VILLAGE[:9] + "000"


def _push_raw(station: StationClient, events: list[dict[str, Any]]) -> Any:
    return station.client.post(
        f"{API_PREFIX}/push", json={"events": events}, headers=station.headers
    )


def _stored(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(EVENT_TABLE)).scalar_one())


def test_a_huge_sequence_number_is_refused_at_validation(enroll: Any, session: Session) -> None:
    village = enroll()
    event = village.new_case()[0].model_dump(mode="json")
    event["station_seq"] = 2**62

    answer = _push_raw(village, [event])

    assert answer.status_code == 422
    assert "station_seq" in answer.text
    assert _stored(session) == 0


def test_a_huge_promised_days_count_is_not_applied(enroll: Any, client: TestClient) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    case_id = events[0].case_id
    township.cases[case_id] = 3
    township.numbers[case_id] = events[0].case_number
    accepted = township.event(
        EventKind.accepted,
        case_id,
        division=village.credential.division,
        role=Role.reviewer,
        payload={"promised_days": 10**9},
    )

    [result] = township.push([accepted])

    assert result["status"] == "superseded"
    assert "promised_days" in result["reason"]


def _upload(station: StationClient, scan: bytes) -> str:
    sha = hashlib.sha256(scan).hexdigest()
    answer = station.client.put(
        f"{API_PREFIX}/blobs/{sha}",
        params={"offset": 0, "size": len(scan)},
        content=scan,
        headers={**station.headers, "Content-Type": "application/octet-stream"},
    )
    assert answer.json()["complete"]
    return sha


def _case_with_scan(station: StationClient, sha: str) -> list[Event]:
    created = station.event(EventKind.created)
    attachment = {"attachments": [{"sha256": sha, "name": "hukou.pdf", "size": 10}]}
    return [
        created,
        station.event(EventKind.received, created.case_id),
        station.event(EventKind.supplemented, created.case_id, payload=attachment),
    ]


def test_naming_another_villages_scan_in_an_event_does_not_make_it_readable(
    enroll: Any,
) -> None:
    village, thief = enroll(), enroll(OTHER_TOWN_VILLAGE)
    thief_township = enroll(OTHER_TOWNSHIP, "township")
    sha = _upload(village, b"%PDF the household register of a resident")
    village.push(_case_with_scan(village, sha))
    stolen = _case_with_scan(thief, sha)

    thief.push(stolen)

    for station in (thief, thief_township):
        plain = station.client.get(f"{API_PREFIX}/blobs/{sha}", headers=station.headers)
        by_case = station.client.get(
            f"{API_PREFIX}/blobs/{sha}/case/{stolen[0].case_id}", headers=station.headers
        )
        assert plain.status_code == 403
        assert by_case.status_code == 404


def test_a_station_attaches_its_own_scan_and_its_township_reads_it(enroll: Any) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    scan = b"%PDF an ID card copy"
    sha = _upload(village, scan)
    events = _case_with_scan(village, sha)
    village.push(events)

    url = f"{API_PREFIX}/blobs/{sha}/case/{events[0].case_id}"
    assert township.client.get(url, headers=township.headers).content == scan


def test_a_second_case_with_a_held_number_is_refused_whole(
    enroll: Any, session: Session, client: TestClient
) -> None:
    old = enroll()
    first = old.new_case()
    old.push(first)
    revoke_station(session=session, station_id=old.id)
    replacement = enroll()  # a new PC took a case in before its first sync: number 1 again
    events = replacement.new_case()
    clash = [e.model_copy(update={"case_number": first[0].case_number}) for e in events]

    results = replacement.push(clash)

    assert [r["status"] for r in results] == ["rejected"] * 3
    assert {r["reason"] for r in results} == {CASE_NUMBER_TAKEN}
    assert _stored(session) == 3
    renumbered = [e.model_copy(update={"case_number": e.case_number + "1"}) for e in clash]
    assert [r["status"] for r in replacement.push(renumbered)] == ["applied"] * 3


def _account(session: Session, username: str, role: str, division: str) -> str:
    user = create_user(
        session=session,
        username=username,
        display_name=username,
        role=role,
        division=division,
        password="pass-word-1",
    )
    return str(user.id)


def test_a_station_may_not_record_acts_by_another_person(enroll: Any, session: Session) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    own = _account(session, "agent-own", "agent", village.credential.division)
    neighbour = _account(session, "agent-next", "agent", VILLAGE_2)
    other_town = _account(session, "agent-far", "agent", OTHER_TOWN_VILLAGE)
    left = _account(session, "agent-left", "agent", village.credential.division)
    update_user(session=session, username="agent-left", active=False)
    cases = [village.new_case() for _ in range(4)]
    after = {"device_time": _disabled_at(session, "agent-left") + timedelta(minutes=1)}
    for events, actor in zip(cases, (own, other_town, left, neighbour), strict=True):
        moved = after if actor == left else {}
        events[:] = [e.model_copy(update={"actor_id": actor, **moved}) for e in events]

    results = [village.push(events)[0] for events in cases]

    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected"]
    assert results[1]["reason"] == ACTOR_OUT_OF_SCOPE
    assert results[2]["reason"] == ACTOR_DISABLED
    assert results[3]["reason"] == ACTOR_OUT_OF_SCOPE  # another village of the same township
    case_id = cases[0][0].case_id
    township.cases[case_id] = 3
    by_an_agent = township.event(
        EventKind.accepted, case_id, division=VILLAGE, role=Role.reviewer, actor_id=own
    )
    [refused] = township.push([by_an_agent])
    assert (refused["status"], refused["reason"]) == ("rejected", ACTOR_OTHER_ROLE)


def test_one_push_by_several_people_is_judged_event_by_event(enroll: Any, session: Session) -> None:
    """The answers are worked out once per person and role in a batch: the same person
    again gets the same answer, another person their own, in any order."""
    village = enroll()
    own = _account(session, "agent-mine", "agent", village.credential.division)
    far = _account(session, "agent-away", "agent", OTHER_TOWN_VILLAGE)
    actors = (own, far, "nobody-known", own, far, own)
    cases = [village.new_case() for _ in actors]
    events = [
        e.model_copy(update={"actor_id": actor})
        for events, actor in zip(cases, actors, strict=True)
        for e in events
    ]

    results = village.push(events)

    by_case = [results[index * 3 : index * 3 + 3] for index in range(len(actors))]
    expected = {own: (None,), far: (ACTOR_OUT_OF_SCOPE,), "nobody-known": (ACTOR_UNKNOWN,)}
    for answers, actor in zip(by_case, actors, strict=True):
        assert {r["reason"] for r in answers} == set(expected[actor])
        assert {r["status"] for r in answers} == {"applied" if actor == own else "rejected"}
    assert _stored(session) == 3 * actors.count(own)


def _disabled_at(session: Session, username: str) -> datetime:
    session.expire_all()
    user = session.scalars(select(User).where(User.username == username)).one()  # type: ignore[arg-type]
    assert user.disabled_at is not None
    return to_utc(user.disabled_at)


def test_an_actor_who_is_no_account_of_the_centre_is_refused(enroll: Any, session: Session) -> None:
    village = enroll()
    village.actor_id = "agent-1"  # an id a station made up: nobody the county knows

    results = village.push(village.new_case())

    assert [(r["status"], r["reason"]) for r in results] == [("rejected", ACTOR_UNKNOWN)] * 3
    assert _stored(session) == 0


def test_offline_work_written_before_the_account_was_disabled_is_accepted(
    enroll: Any, session: Session
) -> None:
    """The agent took cases in offline, then left; the county disabled the account before
    the station synced. What was written before that moment is real work and is kept;
    anything written "by" the account afterwards is refused."""
    village = enroll()
    village.actor_id = _account(session, "agent-gone", "agent", village.credential.division)
    update_user(session=session, username="agent-gone", active=False)
    disabled = _disabled_at(session, "agent-gone")
    before = [
        e.model_copy(update={"device_time": disabled - timedelta(hours=1)})
        for e in village.new_case()
    ]
    after = [
        e.model_copy(update={"device_time": disabled + timedelta(seconds=1)})
        for e in village.new_case()
    ]

    results = village.push(before + after)

    assert [r["status"] for r in results] == ["applied"] * 3 + ["rejected"] * 3
    assert {r["reason"] for r in results[3:]} == {ACTOR_DISABLED}
    assert _stored(session) == 3


def test_disabling_again_keeps_the_first_moment_and_enabling_clears_it(
    session: Session, enroll: Any
) -> None:
    enroll()
    _account(session, "agent-back", "agent", VILLAGE)
    update_user(session=session, username="agent-back", active=False)
    first = _disabled_at(session, "agent-back")
    update_user(session=session, username="agent-back", active=False)
    assert _disabled_at(session, "agent-back") == first

    update_user(session=session, username="agent-back", active=True)

    session.expire_all()
    user = session.scalars(select(User).where(User.username == "agent-back")).one()  # type: ignore[arg-type]
    assert (user.active, user.disabled_at) == (True, None)
