"""The centre enforces the township's decisions as the station does: 办结 only where the
catalog's handling path lets the township decide, 认领 by a reviewer only; a case's scans
are downloaded only by a station whose scope holds the case."""

from __future__ import annotations

import hashlib
import os
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import Session

from central.models import CaseRow
from central.services.catalog_versions import publish_catalog
from forms.catalog import load_catalog
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE
from tests.central.test_hot_path import centre_history

COUNTY_ITEM = "640522-MZ-001"  # 高龄津贴: decided by the county (县民政局)
TOWNSHIP_ITEM = "640522-MZ-004"  # 临时救助: decided by the township
COUNTY_ACCEPTS = "640522-CL-003"  # 残疾人证: accepted (受理) by the county itself


def _accepted_case(village: Any, township: Any, item_code: str, **created: Any) -> UUID:
    payload = {
        "item_code": item_code,
        "applicant": {"name": "张三", "id_number": "640522195001011234"},
        **created,
    }
    first = village.event(EventKind.created, payload=payload)
    rest = [village.event(k, first.case_id) for k in (EventKind.received, EventKind.submitted)]
    assert {r["status"] for r in village.push([first, *rest])} == {"applied"}
    accepted = township.event(
        EventKind.accepted, first.case_id, division=VILLAGE, role=Role.reviewer
    )
    assert township.push([accepted])[0]["status"] == "applied"
    return first.case_id


def _complete(township: Any, case_id: UUID) -> dict[str, Any]:
    event = township.event(
        EventKind.completed,
        case_id,
        division=VILLAGE,
        role=Role.reviewer,
        payload={"result": "approved"},
    )
    answer: dict[str, Any] = township.push([event])[0]
    return answer


def test_a_township_completion_of_a_county_item_is_superseded_with_its_reason(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    case_id = _accepted_case(village, township, COUNTY_ITEM)

    answer = _complete(township, case_id)

    assert answer["status"] == "superseded"
    assert answer["reason"] == "the catalog has this item decided by the county: forward it"
    session.expire_all()
    row = session.get_one(CaseRow, case_id)  # the state is the row's column, not in its view
    assert row.state == "accepted" and row.view.get("result") is None
    assert centre_history(township, case_id)[-1]["status"] == "superseded"


def test_a_township_acceptance_of_an_item_the_county_accepts_is_superseded(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    payload = {"item_code": COUNTY_ACCEPTS, "applicant": {"name": "张三"}}
    first = village.event(EventKind.created, payload=payload)
    rest = [village.event(k, first.case_id) for k in (EventKind.received, EventKind.submitted)]
    assert {r["status"] for r in village.push([first, *rest])} == {"applied"}
    accepted = township.event(
        EventKind.accepted, first.case_id, division=VILLAGE, role=Role.reviewer
    )
    answer = township.push([accepted])[0]
    assert answer["status"] == "superseded"
    assert (
        answer["reason"] == "the catalog has this item accepted by the county: not by the township"
    )
    session.expire_all()
    assert session.get_one(CaseRow, first.case_id).state == "submitted"


def test_a_township_completes_an_item_the_township_decides(enroll: Any, session: Session) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    case_id = _accepted_case(village, township, TOWNSHIP_ITEM)

    assert _complete(township, case_id)["status"] == "applied"
    session.expire_all()
    assert session.get_one(CaseRow, case_id).state == "completed"


def test_a_claim_is_a_reviewers_note_and_an_agents_claim_is_superseded(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    case_id = _accepted_case(village, township, COUNTY_ITEM)
    by_agent = village.event(EventKind.claimed, case_id, payload={"name": "马丽"})
    assert village.push([by_agent])[0]["status"] == "superseded"
    claim = township.event(
        EventKind.claimed, case_id, division=VILLAGE, role=Role.reviewer, payload={"name": "王芳"}
    )
    assert township.push([claim])[0]["status"] == "applied"
    session.expire_all()
    row = session.get_one(CaseRow, case_id)
    assert (row.state, row.view["claimed_by"], row.view["claimed_name"]) == (
        "accepted",
        township.actor(Role.reviewer),
        "王芳",
    )


def _upload(station: Any, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    response = station.client.put(
        f"{API_PREFIX}/blobs/{sha}",
        params={"offset": 0, "size": len(data)},
        content=data,
        headers={**station.headers, "Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 200, response.text
    return sha


def test_a_cases_scan_is_downloaded_only_within_scope(enroll: Any, client: TestClient) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    elsewhere = enroll(OTHER_TOWN_VILLAGE[:9] + "000", "township")
    scan = os.urandom(70_000)
    sha = _upload(village, scan)
    attachments = [{"sha256": sha, "name": "户口簿.jpg", "material_key": "hukou"}]
    case_id = _accepted_case(village, township, COUNTY_ITEM, attachments=attachments)
    url = f"{API_PREFIX}/blobs/{sha}/case/{case_id}"

    fetched = client.get(url, headers=township.headers)
    assert fetched.status_code == 200 and fetched.content == scan

    refused = client.get(url, headers=elsewhere.headers)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "the case is outside this station's scope"
    other_case = _accepted_case(village, township, COUNTY_ITEM)
    not_its = client.get(f"{API_PREFIX}/blobs/{sha}/case/{other_case}", headers=township.headers)
    assert not_its.status_code == 404  # the blob is not this case's scan


def test_a_full_id_look_is_kept_by_the_centre_without_the_number(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    case_id = _accepted_case(village, township, COUNTY_ITEM)
    look = township.event(
        EventKind.id_revealed,
        case_id,
        division=VILLAGE,
        role=Role.reviewer,
        payload={"whose": "applicant", "name": "王芳"},
    )
    assert township.push([look])[0]["status"] == "applied"
    session.expire_all()
    state = session.get_one(CaseRow, case_id).state
    entry = centre_history(township, case_id)[-1]
    assert (entry["kind"], entry["actor_id"], entry["summary"]) == (
        "id_revealed",
        township.actor(Role.reviewer),
        {"whose": "applicant", "name": "王芳"},
    )
    assert state == "accepted"  # a note: the case does not move


def test_a_published_item_is_checked_by_its_own_handling_path(
    enroll: Any, session: Session
) -> None:
    """同源发布: an item the county published (not shipped) has the path it was published with."""
    shipped = load_catalog()
    new_item = shipped.get(COUNTY_ITEM).model_copy(
        update={"code": "640522-MZ-006", "name": "县里新发布的事项", "version": 1}
    )
    published = shipped.model_copy(
        update={"version": "2026.12.7", "items": [*shipped.items, new_item]}
    )
    publish_catalog(session=session, path=None, catalog=published, published_by="admin-ma")
    village, township = enroll(), enroll(TOWNSHIP, "township")
    case_id = _accepted_case(village, township, "640522-MZ-006")

    answer = _complete(township, case_id)
    assert answer["status"] == "superseded"  # the county decides it, as published
    assert answer["reason"] == "the catalog has this item decided by the county: forward it"
