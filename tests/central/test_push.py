"""Push: applied, duplicate, replay-identical, superseded, rejected; gzip bodies."""

from __future__ import annotations

import gzip
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import CaseRow, EventRow, Station
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2


def _event_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EventRow)) or 0)


def test_a_new_case_is_applied_and_its_state_kept(enroll: Any, session: Session) -> None:
    village = enroll()
    events = village.new_case()
    results = village.push(events)
    assert [r["status"] for r in results] == ["applied"] * 3
    assert [r["id"] for r in results] == [str(e.id) for e in events]
    seqs = [r["central_seq"] for r in results]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3
    case = session.get_one(CaseRow, events[0].case_id)
    assert (case.state, case.version, case.division) == ("submitted", 3, VILLAGE)
    assert case.owner_station == village.id


def test_replaying_a_batch_answers_duplicate_and_changes_nothing(
    enroll: Any, session: Session
) -> None:
    village = enroll()
    events = village.new_case()
    first = village.push(events)
    count = _event_count(session)
    again = village.push(events)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [r["central_seq"] for r in again] == [r["central_seq"] for r in first]
    assert village.push(events) == again
    assert _event_count(session) == count
    session.expire_all()
    assert session.get_one(Station, village.id).duplicates == 6


def test_the_same_event_twice_in_one_batch_is_stored_once(enroll: Any, session: Session) -> None:
    village = enroll()
    created = village.event(EventKind.created)
    results = village.push([created, created])
    assert [r["status"] for r in results] == ["applied", "duplicate"]
    assert _event_count(session) == 1


def test_an_edit_after_the_township_rejected_is_superseded(enroll: Any, session: Session) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    case_id = events[0].case_id
    rejected = township.event(EventKind.rejected, case_id, division=VILLAGE, role=Role.reviewer)
    assert township.push([rejected])[0]["status"] == "applied"

    late_edit = village.event(
        EventKind.edited, case_id, payload={"fields": {"phone": "13900000000"}}
    )
    after = village.event(EventKind.created)
    results = village.push([late_edit, after])
    assert results[0]["status"] == "superseded"
    assert "rejected" in results[0]["reason"]
    assert results[1]["status"] == "applied"  # a refused event never blocks the ones behind it
    case = session.get_one(CaseRow, case_id)
    assert case.state == "rejected" and case.flagged

    page = village.pull()
    superseded = [e for e in page["events"] if e["id"] == str(late_edit.id)]
    assert superseded and superseded[0]["status"] == "superseded" and superseded[0]["reason"]


def test_events_outside_the_station_are_rejected_and_not_kept(
    enroll: Any, session: Session
) -> None:
    village, other = enroll(), enroll(VILLAGE_2)
    theirs = other.event(EventKind.created)
    not_mine = village.event(EventKind.created, station_id=other.id)
    foreign_case = village.event(EventKind.created, division=VILLAGE_2)
    acting_as_reviewer = village.event(EventKind.accepted, theirs.case_id, role=Role.reviewer)
    old_schema = village.event(EventKind.created, schema_version=0)
    results = village.push([not_mine, foreign_case, acting_as_reviewer, old_schema])
    assert [r["status"] for r in results] == ["rejected"] * 4
    assert "another station" in results[0]["reason"]
    assert "scope" in results[1]["reason"]
    assert "reviewer" in results[2]["reason"]
    assert "schema version 0" in results[3]["reason"]
    assert _event_count(session) == 0


def test_a_township_reviews_its_villages_but_not_another_townships(enroll: Any) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    accept = township.event(
        EventKind.accepted, events[0].case_id, division=VILLAGE, role=Role.reviewer
    )
    outside = township.event(EventKind.created, division=OTHER_TOWN_VILLAGE, role=Role.reviewer)
    results = township.push([accept, outside])
    assert [r["status"] for r in results] == ["applied", "rejected"]


def test_a_different_event_with_a_used_station_seq_is_kept_and_reported(
    enroll: Any, session: Session
) -> None:
    village = enroll()
    first = village.event(EventKind.created)
    village.push([first])
    clash = village.event(EventKind.created, station_seq=first.station_seq)
    result = village.push([clash])[0]
    assert result["status"] == "applied"
    assert "sequence number already used" in result["reason"]
    assert _event_count(session) == 2


def test_gzip_request_bodies_are_accepted(enroll: Any, client: TestClient) -> None:
    village = enroll()
    body = json.dumps({"events": [e.model_dump(mode="json") for e in village.new_case()]})
    response = client.post(
        f"{API_PREFIX}/push",
        content=gzip.compress(body.encode()),
        headers={**village.headers, "Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3


def test_broken_or_oversized_gzip_is_refused(enroll: Any, client: TestClient, app: Any) -> None:
    village = enroll()
    headers = {**village.headers, "Content-Encoding": "gzip", "Content-Type": "application/json"}
    broken = client.post(f"{API_PREFIX}/push", content=b"not gzip at all", headers=headers)
    assert broken.status_code == 400
    bomb = gzip.compress(b" " * (app.state.settings.max_request_bytes + 10))
    assert client.post(f"{API_PREFIX}/push", content=bomb, headers=headers).status_code == 413
    plain = {**village.headers, "Content-Type": "application/json"}
    huge = b" " * (app.state.settings.max_request_bytes + 10)
    assert client.post(f"{API_PREFIX}/push", content=huge, headers=plain).status_code == 413


def test_json_answers_are_gzipped_but_scans_are_not(enroll: Any, client: TestClient) -> None:
    import hashlib

    village = enroll()
    for _ in range(5):
        village.push(village.new_case())
    page = client.get(f"{API_PREFIX}/pull", headers={**village.headers, "Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip"
    scan = b"\x00" * 4096
    sha = hashlib.sha256(scan).hexdigest()
    client.put(
        f"{API_PREFIX}/blobs/{sha}",
        params={"offset": 0, "size": len(scan)},
        content=scan,
        headers=village.headers,
    )
    fetched = client.get(
        f"{API_PREFIX}/blobs/{sha}", headers={**village.headers, "Accept-Encoding": "gzip"}
    )
    assert fetched.content == scan and "content-encoding" not in fetched.headers


def test_a_page_is_compressed_at_the_stations_level_not_the_slowest(
    enroll: Any, client: TestClient
) -> None:
    """Starlette compresses at level 9 unless told: for a township's page of 500 events
    that was a quarter of the centre's CPU for the page, for 8 % fewer bytes than level 5.
    The gzip header says which (its XFL byte: 2 for the slowest level, 0 for 2–8)."""
    village = enroll()
    for _ in range(5):
        village.push(village.new_case())
    headers = {**village.headers, "Accept-Encoding": "gzip"}
    with client.stream("GET", f"{API_PREFIX}/pull", headers=headers) as answer:
        raw = b"".join(answer.iter_raw())
    assert answer.headers["content-encoding"] == "gzip"
    assert raw[:2] == b"\x1f\x8b" and raw[8] == 0, raw[:10]
    page = json.loads(gzip.decompress(raw))
    assert len(page["events"]) == 15 and not page["has_more"]


def test_a_push_longer_than_the_limit_is_refused_whole_with_a_reason(
    client: TestClient, enroll: Any, session: Session
) -> None:
    """One push may not hold the centre's write turn for long: more than ``MAX_PUSH_EVENTS``
    events is a 422 naming the limit, nothing is stored, and the same events in batches
    of the client's size are all applied."""
    from sync.protocol import MAX_PUSH_EVENTS, PUSH_BATCH_EVENTS

    station = enroll()
    events = [e for _ in range(MAX_PUSH_EVENTS // 3 + 1) for e in station.new_case()]
    assert len(events) > MAX_PUSH_EVENTS
    body = {"events": [e.model_dump(mode="json") for e in events]}

    refused = client.post(f"{API_PREFIX}/push", json=body, headers=station.headers)

    assert refused.status_code == 422
    assert f"at most {MAX_PUSH_EVENTS} items" in refused.text
    assert _event_count(session) == 0
    results = [
        r
        for start in range(0, len(events), PUSH_BATCH_EVENTS)
        for r in station.push(events[start : start + PUSH_BATCH_EVENTS])
    ]
    assert [r["status"] for r in results] == ["applied"] * len(events)
