"""Trust no station: what the centre checks on every pushed event (issue 13, point 2)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import EVENT_TABLE
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import TOWNSHIP, StationClient


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
