"""Reconciliation that sees both sides: what the station reported, silent stations, and the
same resident's open applications for one item at two stations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from central.models import Station
from central.services.reconcile import duplicate_applications, reconcile, reconciliation_json
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from tests.central.conftest import COUNTY, OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2

RESIDENT = "640522195001011234"


def _apply(station: Any, item: str, id_number: str = RESIDENT) -> Any:
    payload = {"item_code": item, "applicant": {"name": "张三", "id_number": id_number}}
    created = station.event(EventKind.created, payload=payload)
    events = [created, station.event(EventKind.received, created.case_id)]
    assert {r["status"] for r in station.push(events)} == {"applied"}
    return created


def test_the_same_resident_and_item_open_at_two_stations_is_listed_once_masked(
    enroll: Any, session: Session
) -> None:
    one, two, three = enroll(VILLAGE), enroll(VILLAGE_2), enroll(OTHER_TOWN_VILLAGE)
    first = _apply(one, "640522-MZ-004")
    second = _apply(two, "640522-MZ-004")
    _apply(one, "640522-MZ-001")  # another item: not a duplicate
    _apply(three, "640522-MZ-001", "640522195001011250")  # another resident
    again = _apply(one, "640522-YB-001")
    _apply(one, "640522-YB-001")  # twice at the same station: the station's own queue shows it
    withdrawn = _apply(three, "640522-YB-001")
    three.push([three.event(EventKind.withdrawn, withdrawn.case_id, payload={"reason": "撤回"})])

    [pair] = duplicate_applications(session=session, prefix=COUNTY[:6])
    assert pair.item_code == "640522-MZ-004" and pair.id_masked == "640522********1234"
    assert [(c["case_number"], c["station"]) for c in pair.cases] == sorted(
        [(first.case_number, one.id), (second.case_number, two.id)]
    )
    assert RESIDENT not in str(reconciliation_json([], [pair]))
    assert again.case_number not in str(pair)


def test_a_silent_station_is_flagged_and_reported_holdings_are_none_until_reported(
    enroll: Any, session: Session
) -> None:
    talking, quiet = enroll(VILLAGE), enroll(VILLAGE_2)
    talking.push(talking.new_case())
    session.connection().execute(
        update(Station)
        .where(Station.id == quiet.id)
        .values(last_seen=datetime(2026, 11, 18, 2, tzinfo=UTC))  # type: ignore[arg-type]
    )
    session.connection().execute(
        update(Station)
        .where(Station.id == talking.id)
        .values(last_seen=datetime(2026, 11, 23, 2, tzinfo=UTC))  # type: ignore[arg-type]
    )
    session.commit()
    report = {e.station: e for e in reconcile(session=session, today=date(2026, 11, 23))}
    assert (report[quiet.id].stalled, report[quiet.id].silent_days) == ("silent", 3)
    assert (report[talking.id].stalled, report[talking.id].silent_days) == ("", 0)
    data = reconciliation_json(list(report.values()), [])
    assert data["silent"] == [quiet.id]
    entry = next(s for s in data["stations"] if s["station"] == talking.id)
    assert entry["cases"] == 1 and entry["silent"] is False
    assert (entry["outbox_depth"], entry["oldest_unsent"], entry["cases_held"]) == (
        None,
        None,
        None,
    )
    assert set(entry) >= {
        "station",
        "division",
        "cases",
        "events",
        "gaps",
        "duplicates",
        "last_seen",
    }


def test_admin_reconcile_returns_both_sides_and_duplicates(
    client: TestClient, enroll: Any, sign_in: Any
) -> None:
    one, two = enroll(VILLAGE), enroll(OTHER_TOWN_VILLAGE)
    county = enroll(COUNTY, "county", "县级工作站")
    _apply(one, "640522-MZ-004")
    _apply(two, "640522-MZ-004")
    answer = client.get(f"{API_PREFIX}/admin/reconcile", headers=sign_in(county))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {s["station"] for s in body["stations"]} == {one.id, two.id, county.id}
    [pair] = body["duplicate_applications"]
    assert {c["station"] for c in pair["cases"]} == {one.id, two.id}
    assert body["silent"] == []
    township = enroll(TOWNSHIP, "township")
    refused = client.get(
        f"{API_PREFIX}/admin/reconcile", headers=sign_in(township, "rev", Role.reviewer.value)
    )
    assert refused.status_code == 403


def test_an_application_granted_at_one_station_and_open_at_another_is_listed(
    enroll: Any, session: Session
) -> None:
    """The demo's resident applied for 医保参保 at two villages; the first was granted and
    delivered, so the pair was never listed (only open applications were compared)."""
    from datetime import date

    from tests.central.dashboard_seed import Seeded, Writer

    one, two, three = enroll(VILLAGE), enroll(VILLAGE_2), enroll(OTHER_TOWN_VILLAGE)
    town = enroll(TOWNSHIP, "township")
    writer = Writer(Seeded())
    day = date(2026, 11, 20)
    granted = writer.case("granted", one, "640522-MZ-004", day, id_number=RESIDENT)
    writer.by_township(town, one, granted, EventKind.accepted, day)
    writer.by_township(town, one, granted, EventKind.completed, day, result="approved")
    refused_id = "640522195001011250"
    refused = writer.case("refused", one, "640522-MZ-004", day, id_number=refused_id)
    writer.by_township(town, one, refused, EventKind.accepted, day)
    writer.by_township(town, one, refused, EventKind.completed, day, result="denied", note="不符")
    again = _apply(two, "640522-MZ-004")  # the granted resident, at another village
    _apply(three, "640522-MZ-004", refused_id)  # refused before: may apply again

    [pair] = duplicate_applications(session=session, prefix=COUNTY[:6])
    assert pair.id_masked == "640522********1234"
    assert {(c["station"], c["state"]) for c in pair.cases} == {
        (one.id, "completed"),
        (two.id, "received"),
    }
    assert again.case_number in str(pair)
