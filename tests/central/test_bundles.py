"""Offline bundles: imported through the push path, refused whole when forged, return bundle."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from central.models import EventRow
from central.services import bundles
from central.services.bundles import import_bundle, write_return_bundle
from central.settings import CentralSettings
from sync.bundle import read_bundle, write_bundle
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import TOWNSHIP, VILLAGE


def _outbox(tmp_path: Path, station: Any, events: list[Any], key: str | None = None) -> Path:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF household register")
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    return write_bundle(
        tmp_path / "outbox.daiban",
        station_id=station.id,
        direction="outbox",
        events=events,
        blob_paths={sha: scan},
        signing_key=key or station.credential.signing_key,
    ).path


def _events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EventRow)) or 0)


def test_a_bundle_uploaded_by_its_township_is_applied_once(
    enroll: Any, client: TestClient, session: Session, tmp_path: Path
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    bundle = _outbox(tmp_path, village, village.new_case()).read_bytes()
    url = f"{API_PREFIX}/bundles"
    first = client.post(url, content=bundle, headers=township.headers).json()
    assert first["station_id"] == village.id
    assert [r["status"] for r in first["results"]] == ["applied"] * 3
    assert first["blobs_stored"] == 1
    again = client.post(url, content=bundle, headers=village.headers).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert again["blobs_stored"] == 0
    assert _events(session) == 3


def test_a_forged_or_damaged_bundle_is_refused_whole(
    enroll: Any, client: TestClient, session: Session, tmp_path: Path
) -> None:
    village = enroll()
    forged = _outbox(tmp_path, village, village.new_case(), key="00" * 32).read_bytes()
    answer = client.post(f"{API_PREFIX}/bundles", content=forged, headers=village.headers)
    assert answer.status_code == 422
    assert "signature" in answer.json()["detail"]
    truncated = forged[: len(forged) // 2]
    answer = client.post(f"{API_PREFIX}/bundles", content=truncated, headers=village.headers)
    assert answer.status_code == 422
    assert _events(session) == 0


def test_the_county_imports_and_writes_the_return_bundle(
    enroll: Any, session: Session, settings: CentralSettings, tmp_path: Path
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    result = import_bundle(
        session=session, settings=settings, path=_outbox(tmp_path, village, events)
    )
    assert [r.status.value for r in result.results] == ["applied"] * 3
    decision = township.event(
        EventKind.accepted, events[0].case_id, division=VILLAGE, role=Role.reviewer
    )
    township.push([decision])

    out = tmp_path / "return.daiban"
    info = write_return_bundle(session=session, settings=settings, station_id=village.id, out=out)
    assert info.event_count == 4
    returned = read_bundle(out, lambda _sid: village.credential.signing_key)
    assert returned.manifest.direction == "return"
    assert [e.kind for e in returned.events][-1] == EventKind.accepted


def test_a_bundle_goes_in_whole_cases_and_its_results_in_its_own_order(
    enroll: Any, session: Session, settings: CentralSettings, tmp_path: Path, monkeypatch: Any
) -> None:
    """Three cases taken in on a PC that never reached the centre, submitted later: on the
    stick each case's 收件, then the three 提交. Applied four events at a time, each case
    goes whole (the centre writes it once), and a replay changes nothing."""
    monkeypatch.setattr(bundles, "MAX_PUSH_EVENTS", 4)
    village = enroll()
    created = [village.event(EventKind.created) for _ in range(3)]
    events: list[Any] = []
    for event in created:
        events += [event, village.event(EventKind.received, event.case_id)]
    events += [village.event(EventKind.submitted, event.case_id) for event in created]
    assert bundles.whole_cases(events, 4) == [[0, 1, 6], [2, 3, 7], [4, 5, 8]]
    result = import_bundle(
        session=session, settings=settings, path=_outbox(tmp_path, village, events)
    )
    assert [r.id for r in result.results] == [str(e.id) for e in events]
    assert {r.status.value for r in result.results} == {"applied"}
    held = session.exec(select(EventRow.case_id, EventRow.kind).order_by(EventRow.central_seq))
    assert [(case_id, kind) for case_id, kind in held] == [
        (event.case_id, kind) for event in created for kind in ("created", "received", "submitted")
    ]
    again = import_bundle(
        session=session, settings=settings, path=_outbox(tmp_path, village, events)
    )
    assert {r.status.value for r in again.results} == {"duplicate"} and _events(session) == 9
    assert bundles.whole_cases(events * 2, 4)[0] == [0, 1, 6, 9]  # (a case too big alone)
