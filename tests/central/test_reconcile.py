"""Reconciliation (gaps, duplicates, sequence conflicts) and the audit chain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from central.models import EVENT_TABLE
from central.services.audit import verify_audit
from central.services.reconcile import case_statistics, reconcile
from sync.events import EventKind
from tests.central.conftest import VILLAGE_2


def _entry(session: Session, station_id: str) -> dict[str, Any]:
    [entry] = [e.as_json() for e in reconcile(session=session) if e.station == station_id]
    return entry


def test_reconcile_reports_cases_events_gaps_and_duplicates(enroll: Any, session: Session) -> None:
    village, quiet = enroll(), enroll(VILLAGE_2)
    first = village.new_case()  # seq 1..3
    village.push(first)
    village.seq += 2  # events 4 and 5 never arrive (still on a stick)
    second = village.new_case()  # seq 6..8
    village.push(second)
    village.push(first[:2])  # a retry: two duplicates
    clash = village.event(EventKind.created, station_seq=8)  # reused number
    village.push([clash])

    entry = _entry(session, village.id)
    assert entry["cases"] == 3 and entry["events"] == 7
    assert entry["gaps"] == [4, 5]
    assert entry["duplicate_pushes"] == 2 and entry["sequence_conflicts"] == 1
    assert entry["duplicates"] == 1  # the reused number; the retry changed nothing
    assert entry["last_seen"] is not None
    assert set(entry) >= {
        "station",
        "division",
        "cases",
        "events",
        "gaps",
        "duplicates",
        "last_seen",
    }

    idle = _entry(session, quiet.id)
    assert (idle["cases"], idle["events"], idle["gaps"], idle["duplicates"]) == (0, 0, [], 0)


def test_a_leading_gap_is_reported(enroll: Any, session: Session) -> None:
    village = enroll()
    village.seq = 2
    village.push([village.event(EventKind.created)])
    assert _entry(session, village.id)["gaps"] == [1, 2]


def test_the_audit_chain_verifies_and_detects_tampering(enroll: Any, session: Session) -> None:
    village = enroll()
    results = village.push(village.new_case() + village.new_case())
    check = verify_audit(session=session)
    assert check.ok and check.entries == 6

    victim = results[3]["central_seq"]
    session.connection().execute(
        update(EVENT_TABLE)
        .where(EVENT_TABLE.c.central_seq == victim)
        .values(actor_id="someone-else")
    )
    session.commit()
    broken = verify_audit(session=session)
    assert not broken.ok and broken.first_bad_seq == victim


def test_statistics_count_cases_by_state_and_item(enroll: Any, session: Session) -> None:
    from datetime import date

    village = enroll()
    village.push(village.new_case() + village.new_case()[:2])
    figures = case_statistics(session=session, today=date(2026, 11, 23))
    assert figures.cases == 2
    assert figures.by_state == {"submitted": 1, "received": 1}
    assert figures.by_item == {"pension-enrollment": 2}


def test_an_accepted_case_past_its_promised_date_is_overdue(enroll: Any, session: Session) -> None:
    from datetime import UTC, date, datetime

    from sync.events import Role
    from tests.central.conftest import TOWNSHIP, VILLAGE

    village, township = enroll(), enroll(TOWNSHIP, "township")
    late, fresh = village.new_case(), village.new_case()
    village.push(late + fresh)
    monday = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    for events, when in ((late, monday), (fresh, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))):
        accept = township.event(
            EventKind.accepted,
            events[0].case_id,
            division=VILLAGE,
            role=Role.reviewer,
            payload={"promised_days": 5},
            device_time=when,
        )
        township.push([accept])
    figures = case_statistics(session=session, today=date(2026, 11, 23))
    assert figures.overdue == [late[0].case_number]
    assert figures.by_state == {"accepted": 2}
