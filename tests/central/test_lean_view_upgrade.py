"""0018_lean_case_view: a centre of the last release (0017: every stored view whole) is
upgraded with a station's pushes still unsent. Its cases keep their whole views and read
as before; the unsent events apply once (a replay answers duplicate); a case filed after
the upgrade is stored without its application, and every reader (reports, the progress
page, the 重复申请 check, item names, the deadline cards) still sees the application.
Downgrading writes the application back into each lean view."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from sqlalchemy import Text, cast, select, text
from sqlmodel import Session

from central.app import create_app
from central.models import CASE_TABLE
from central.services.audit_check import full_check
from central.services.dashboard_data import card_rows, item_names
from central.services.progress import find_progress
from central.services.reconcile import duplicate_applications
from central.services.reports import _case_views
from central.settings import CentralSettings
from sync.events import Event, EventKind
from sync.progress import PAYLOAD_KEY, new_progress_key
from tests.central.conftest import VILLAGE, StationClient, downgraded, enroll_station

LAST_RELEASE = "0017_pg_compact_idents"

AUDIT_TIMER = False
"""No audit timer: each test runs the checks itself."""


def _case(station: StationClient, name: str, key: str, id_number: str) -> list[Event]:
    """created (with its progress key, 10 days promised) + received + submitted."""
    payload = {
        "item_code": "pension-enrollment",
        "item_name": "城乡居民养老保险参保登记",
        "promised_days": 10,
        "applicant": {"name": name, "id_number": id_number, "phone": "13800000000"},
        "materials": {"id_card": "provided"},
        PAYLOAD_KEY: key,
    }
    created = station.event(EventKind.created, payload=payload)
    return [
        created,
        station.event(EventKind.received, created.case_id),
        station.event(EventKind.submitted, created.case_id),
    ]


def _stored(session: Session) -> dict[UUID, tuple[dict[str, Any], int | None]]:
    """Each case's stored view (parsed) and ``created_seq``."""
    session.expire_all()
    statement = select(
        CASE_TABLE.c.case_id, cast(CASE_TABLE.c.view, Text), CASE_TABLE.c.created_seq
    )
    return {row[0]: (json.loads(row[1]), row[2]) for row in session.connection().execute(statement)}


def _applicants(session: Session) -> dict[UUID, tuple[str, str, str, str]]:
    """What the reports read of each case: applicant, item name, state, materials."""
    session.expire_all()
    return {
        view.case_id: (
            view.applicant.name if view.applicant else "",
            view.item_name,
            view.state.value,
            json.dumps(view.materials),
        )
        for _owner, view in _case_views(session)
    }


def test_a_last_release_centre_with_unsent_pushes_keeps_whole_views_and_files_lean_ones(
    settings: CentralSettings,
) -> None:
    keys = [new_progress_key() for _ in range(3)]
    app = create_app(settings)
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village = enroll_station(client, session)
            other = enroll_station(client, session, division="640522100202", name="另一站")
            first = _case(village, "张三", keys[0], "640522195001011234")
            second = _case(village, "李四", keys[1], "64052219500101201X")
            assert [r["status"] for r in village.push([*first, second[0]])] == ["applied"] * 4
            unsent = second[1:]  # written at the station, not yet pushed
            lean = _stored(session)
            assert all(seq is not None and "applicant" not in v for v, seq in lean.values())
            before = _applicants(session)
            assert before[first[0].case_id] == (
                "张三",
                "城乡居民养老保险参保登记",
                "submitted",
                '{"id_card": "provided"}',
            )
    finally:
        app.state.engine.dispose()

    with downgraded(settings, LAST_RELEASE) as connection:
        rows = connection.execute(text("SELECT CAST(view AS TEXT) FROM case_state")).all()
        whole = [json.loads(row[0]) for row in rows]
        assert sorted(view["applicant"]["name"] for view in whole) == ["张三", "李四"]
        assert all(view["item_name"] == "城乡居民养老保险参保登记" for view in whole)
        assert all(view["promised_days"] == 10 for view in whole)
        columns = connection.execute(text("SELECT * FROM case_state")).keys()
        assert "created_seq" not in columns

    app = create_app(settings)  # upgrades to the head at start-up
    try:
        with TestClient(app) as client, Session(app.state.engine) as session:
            village.client = other.client = client
            held = _stored(session)
            assert all(seq is None and "applicant" in v for v, seq in held.values())
            assert _applicants(session) == before
            assert full_check(session.connection(), settings).ok

            results = village.push(unsent)
            again = village.push([second[0], *unsent])  # a retry of the same push

            assert [r["status"] for r in results] == ["applied"] * 2
            assert [r["status"] for r in again] == ["duplicate"] * 3
            assert [r["central_seq"] for r in again[1:]] == [r["central_seq"] for r in results]
            stored = _stored(session)
            view, seq = stored[second[0].case_id]
            assert seq is None and view["applicant"]["name"] == "李四"  # stays whole
            # a case filed after the upgrade, by another village, for the same person
            third = _case(other, "李四", keys[2], "64052219500101201x")
            assert [r["status"] for r in other.push(third)] == ["applied"] * 3
            view, seq = _stored(session)[third[0].case_id]
            assert seq is not None and not {"applicant", "item_name", "materials"} & set(view)

            read = _applicants(session)
            assert read[first[0].case_id] == before[first[0].case_id]
            assert read[second[0].case_id][:3] == ("李四", "城乡居民养老保险参保登记", "submitted")
            assert read[third[0].case_id][:3] == ("李四", "城乡居民养老保险参保登记", "submitted")
            page = find_progress(session=session, key=keys[2])
            assert page is not None
            assert (page.name, page.item_name) == ("李*", "城乡居民养老保险参保登记")
            duplicates = duplicate_applications(session=session)
            assert [len(d.cases) for d in duplicates] == [2]  # 李四 at both villages
            names = item_names(session, None)
            assert names["pension-enrollment"] == "城乡居民养老保险参保登记"
            cards = card_rows(session=session, county=VILLAGE, today=date(2026, 12, 7))
            assert {row.case_id for row in cards} >= {third[0].case_id}
            assert full_check(session.connection(), settings).ok
    finally:
        app.state.engine.dispose()
