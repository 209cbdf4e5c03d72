"""POST /sync: the hello, a batch and the first page in one request, on both databases.

It must answer what ``/hello``, ``/push`` and ``/pull`` answer one after another, be safe
to send again (the lost answer of a 9 a.m. wave), and push nothing for a schema the
centre does not accept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from central.models import EVENT_TABLE, Station, utcnow
from sync.events import SCHEMA_VERSION, Event
from sync.protocol import API_PREFIX
from tests.central.conftest import TOWNSHIP, StationClient


def _sync(
    station: StationClient,
    events: list[Event],
    *,
    after: int = 0,
    own_upto: int | None = None,
    schema: int = SCHEMA_VERSION,
    depth: int | None = None,
    whole: bool = False,
    oldest: str | None = None,
) -> Any:
    body = {
        "whole_outbox": whole,
        "oldest_unsent": oldest,
        "software_version": "9.9.9",
        "schema_version": schema,
        "outbox_depth": len(events) if depth is None else depth,
        "events": [event.model_dump(mode="json") for event in events],
        "after": after,
        "own_upto": own_upto,
    }
    return station.client.post(f"{API_PREFIX}/sync", json=body, headers=station.headers)


def _events_held(session: Session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(EVENT_TABLE)) or 0)


def test_one_request_says_hello_pushes_and_brings_the_page(enroll: Any, session: Session) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()

    response = _sync(village, events, own_upto=village.seq)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["hello"]["station_id"] == village.id
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    seqs = [r["central_seq"] for r in answer["results"]]
    page = answer["page"]
    # its own three come back as acknowledgements, read after the push committed
    assert page["events"] == []
    assert [(a["id"], a["central_seq"]) for a in page["acks"]] == [
        (str(e.id), s) for e, s in zip(events, seqs, strict=True)
    ]
    assert (page["next_cursor"], page["has_more"]) == (max(seqs), False)
    # the hello's report is recorded; the township pulls the case as /push had put it
    station = session.get(Station, village.id)
    assert station is not None and (station.software_version, station.outbox_depth) == (
        "9.9.9",
        3,
    )
    assert [e["id"] for e in township.pull()["events"]] == [str(e.id) for e in events]


def test_sent_again_it_answers_duplicates_and_the_same_page(enroll: Any, session: Session) -> None:
    village = enroll()
    events = village.new_case()
    first = _sync(village, events, own_upto=village.seq).json()

    again = _sync(village, events, own_upto=village.seq)

    assert again.status_code == 200, again.text
    answer = again.json()
    assert [r["status"] for r in answer["results"]] == ["duplicate"] * 3
    assert [r["central_seq"] for r in answer["results"]] == [
        r["central_seq"] for r in first["results"]
    ]
    assert answer["page"] == first["page"]
    assert _events_held(session) == 3


def test_a_schema_the_centre_does_not_accept_pushes_nothing(enroll: Any, session: Session) -> None:
    village = enroll()

    response = _sync(village, village.new_case(), schema=SCHEMA_VERSION + 50)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["hello"]["max_schema_version"] < SCHEMA_VERSION + 50
    assert answer["results"] == []
    assert _events_held(session) == 0


OLDEST = "2026-12-01T01:30:00+00:00"


def _reported(session: Session, station: StationClient) -> tuple[int | None, Any]:
    session.expire_all()
    row = session.get(Station, station.id)
    assert row is not None
    return row.outbox_depth, row.oldest_unsent


def test_a_whole_outbox_settled_is_recorded_as_the_push_left_it(
    enroll: Any, session: Session
) -> None:
    village = enroll()

    answer = _sync(village, village.new_case(), whole=True, oldest=OLDEST).json()

    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    assert answer["outbox_settled"] is True
    assert _reported(session, village) == (0, None)


def test_a_whole_outbox_not_pushed_is_recorded_as_reported(enroll: Any, session: Session) -> None:
    """A schema the centre does not accept: nothing went, so the county reads the report
    as the station sent it, not an outbox emptied by a push that did not happen."""
    village = enroll()

    answer = _sync(
        village, village.new_case(), whole=True, oldest=OLDEST, schema=SCHEMA_VERSION + 50
    ).json()

    assert answer["outbox_settled"] is False and answer["results"] == []
    depth, oldest = _reported(session, village)
    assert depth == 3 and oldest is not None and oldest.isoformat()[:16] == OLDEST[:16]


def test_a_whole_outbox_with_a_refused_event_is_settled(enroll: Any, session: Session) -> None:
    """Rejected events leave a station's outbox (kept aside with the reason): settled."""
    village = enroll()
    events = village.new_case()
    stranger = events[1].model_copy(update={"actor_id": "not-an-account"})

    refused = _sync(village, [events[0], stranger], whole=True, oldest=OLDEST).json()

    assert [r["status"] for r in refused["results"]] == ["applied", "rejected"]
    assert refused["outbox_settled"] is True and _reported(session, village) == (0, None)


def test_nothing_to_push_is_a_hello_and_a_page(enroll: Any, session: Session) -> None:
    village = enroll()
    village.push(village.new_case())

    answer = _sync(village, [], depth=0).json()

    assert answer["results"] == []
    assert len(answer["page"]["events"]) == 3  # no own_upto named: its own events in full
    assert _events_held(session) == 3


def test_a_malformed_body_is_refused_whole(enroll: Any, session: Session) -> None:
    village = enroll()
    body = {"software_version": "1", "schema_version": 1, "outbox_depth": 0, "events": "x"}
    response = village.client.post(f"{API_PREFIX}/sync", json=body, headers=village.headers)
    assert response.status_code == 422
    assert "events" in response.text and "after" in response.text  # each field named
    assert _events_held(session) == 0


def test_no_token_no_sync(enroll: Any, session: Session) -> None:
    village = enroll()
    response = village.client.post(
        f"{API_PREFIX}/sync",
        json={"software_version": "1", "schema_version": 1, "outbox_depth": 0, "after": 0},
    )
    assert response.status_code == 401


def test_a_token_past_half_its_life_is_rotated_in_the_answer(enroll: Any, session: Session) -> None:
    """As /hello does: the new token in the hello's answer, the old one still good."""
    village = enroll()
    station = session.get(Station, village.id)
    assert station is not None
    station.token_issued_at = utcnow() - timedelta(days=20)  # of 30: past half, not expired
    session.add(station)
    session.commit()

    answer = _sync(village, village.new_case(), own_upto=village.seq).json()

    assert answer["hello"]["token"] and answer["hello"]["token"] != village.credential.token
    assert [r["status"] for r in answer["results"]] == ["applied"] * 3
    assert len(answer["page"]["acks"]) == 3
    fresh = {"Authorization": f"Bearer {answer['hello']['token']}"}
    assert village.client.get(f"{API_PREFIX}/pull", headers=fresh).status_code == 200
    # a station that never heard the answer still gets in with its old token (and is
    # given yet another new one)
    again = _sync(village, [], after=answer["page"]["next_cursor"])
    assert again.status_code == 200 and again.json()["hello"]["token"]
