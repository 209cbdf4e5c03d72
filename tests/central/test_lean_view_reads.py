"""The centre's readers of a lean case view (``stored_view`` leaves out what the case's
``created`` payload holds) see the case as it is, not as some payload said: the payload
named is the one the view was made from, and a value equal in Python but not in JSON is
stored, so the SQL readers (deadline cards, the 重复申请 check) read it right."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from central.models import CASE_TABLE, CASES_WITH_BODY, view_value
from central.services.dashboard_data import card_rows
from central.services.reconcile import duplicate_applications
from sync.events import Event, EventKind
from tests.central.conftest import VILLAGE, StationClient

ITEM = "pension-enrollment"


def _filed(station: StationClient, created: Event) -> list[Event]:
    return [
        created,
        station.event(EventKind.received, created.case_id),
        station.event(EventKind.submitted, created.case_id),
    ]


def _payload(id_number: str, **more: Any) -> dict[str, Any]:
    return {"item_code": ITEM, "applicant": {"name": "张三", "id_number": id_number}} | more


def test_the_payload_named_is_the_created_event_that_made_the_case(
    enroll: Any, session: Session
) -> None:
    """A first ``created`` refused (superseded: a negative number of days), a second one
    applied, in one push: the view is the second's, and so is the payload named."""
    village, other = enroll(), enroll("640522100202")
    refused = village.event(EventKind.created, payload=_payload("OLD", promised_days=-1))
    applied = village.event(
        EventKind.created, refused.case_id, payload=_payload("64052219500101123X")
    )
    results = village.push([refused, *_filed(village, applied)[0:3]])
    assert [r["status"] for r in results] == ["superseded", "applied", "applied", "applied"]
    row = session.connection().execute(select(CASE_TABLE.c.created_seq)).one()
    assert row.created_seq == results[1]["central_seq"]

    assert other.push(_filed(other, other.event(EventKind.created, payload=_payload("OLD"))))
    assert duplicate_applications(session=session) == []  # no case of ID "OLD" but one
    read = select(CASE_TABLE.c.case_id, view_value(("applicant", "id_number")))
    numbers = dict(session.connection().execute(read.select_from(CASES_WITH_BODY)).all())
    assert numbers[applied.case_id] == "64052219500101123X"


def test_days_promised_as_a_float_read_as_days(enroll: Any, session: Session) -> None:
    """``promised_days`` 10.0 in the payload is 10 in the view: stored as 10, so the deadline
    cards' integer read works on PostgreSQL (a cast of "10.0" to integer fails there)."""
    village = enroll()
    created = village.event(EventKind.created, payload=_payload("X", promised_days=10.0))
    assert [r["status"] for r in village.push(_filed(village, created))] == ["applied"] * 3

    cards = card_rows(session=session, county=VILLAGE, today=date(2026, 12, 7))

    assert [card.case_id for card in cards] == [created.case_id]
    assert cards[0].deadline is not None
