"""The centre checks issue 9's rules as the station does: correction while returned and
only what was named, a rating never overwritten, 办不成事 kept apart from cases."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from central.models import CaseRow, UnresolvedRecordRow
from central.services.reconcile import case_statistics, reconcile
from sync.events import EventKind, Role
from sync.reducer import BAD_RATING_KEPT
from sync.unresolved import unresolved_number
from tests.central.conftest import TOWNSHIP, VILLAGE
from tests.central.test_hot_path import centre_history

CHANGE = {"changes": {"fields.bank_account": {"old": "6228480012345678903", "new": "62284801"}}}


def _township_does(township: Any, case_id: Any, kind: EventKind, **payload: Any) -> str:
    event = township.event(
        kind, case_id, division=VILLAGE, role=Role.reviewer, payload=payload or None
    )
    status: str = township.push([event])[0]["status"]
    return status


def test_a_correction_is_applied_only_while_returned_and_only_for_named_fields(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    case_id = events[0].case_id
    too_early = village.push([village.event(EventKind.corrected, case_id, payload=CHANGE)])
    assert too_early[0]["status"] == "superseded"
    assert "submitted" in too_early[0]["reason"]
    returned = {"reason": "账号有误", "fields": ["bank_account"]}
    assert _township_does(township, case_id, EventKind.returned, **returned) == "applied"
    unnamed = {"changes": {"fields.hukou_address": {"old": "一组", "new": "二组"}}}
    refused = village.push([village.event(EventKind.corrected, case_id, payload=unnamed)])
    assert refused[0]["status"] == "superseded"
    assert refused[0]["reason"] == "fields.hukou_address was not named for correction"
    done = village.push([village.event(EventKind.corrected, case_id, payload=CHANGE)])
    assert done[0]["status"] == "applied"
    session.expire_all()
    view = session.get_one(CaseRow, case_id).view
    assert view["fields"]["bank_account"] == "62284801"
    summary = centre_history(village, case_id)[-1]["summary"]
    assert summary["changes"]["fields.bank_account"]["old"] == "6228480012345678903"


def test_a_second_rating_is_superseded_and_a_correction_is_audited(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    case_id = events[0].case_id
    _township_does(township, case_id, EventKind.accepted)
    _township_does(township, case_id, EventKind.completed, result="approved")
    village.push([village.event(EventKind.handed_over, case_id, payload={"how": "当面"})])
    bad = {"rating": 2, "reason": "等太久"}
    assert village.push([village.event(EventKind.rated, case_id, payload=bad)])[0]["status"] == (
        "applied"
    )
    again = village.push([village.event(EventKind.rated, case_id, payload={"rating": 5})])
    assert again[0]["status"] == "superseded"
    assert again[0]["reason"] == "the case is already rated; a change is a rating correction"
    wrong_old = {"old": 5, "new": 4, "why": "误选"}
    stale = village.push([village.event(EventKind.rating_corrected, case_id, payload=wrong_old)])
    assert stale[0]["status"] == "superseded"
    better = {"old": 2, "new": 4, "why": "居民说误选"}  # a 差评 is the county's to review
    kept = village.push([village.event(EventKind.rating_corrected, case_id, payload=better)])
    assert (kept[0]["status"], kept[0]["reason"]) == ("superseded", BAD_RATING_KEPT)
    fixed = {"old": 2, "new": 1, "why": "居民说选错了", "reason": "等了三次"}
    ok = village.push([village.event(EventKind.rating_corrected, case_id, payload=fixed)])
    assert ok[0]["status"] == "applied"
    session.expire_all()
    view = session.get_one(CaseRow, case_id).view
    assert view["rating"] == 1
    kinds = [(h["kind"], h["status"]) for h in centre_history(village, case_id)[-5:]]
    assert kinds == [
        ("rated", "applied"),
        ("rated", "superseded"),
        ("rating_corrected", "superseded"),
        ("rating_corrected", "superseded"),
        ("rating_corrected", "applied"),
    ]


def test_a_refusal_is_handed_over_once_by_the_village_and_stays_refused(
    enroll: Any, session: Session
) -> None:
    village, township = enroll(), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    case_id = events[0].case_id
    assert _township_does(township, case_id, EventKind.rejected, reason="材料不属实") == "applied"
    by_township = _township_does(township, case_id, EventKind.handed_over, how="当面")
    assert by_township == "superseded"  # the village's agent hands it to the resident
    handed = {"how": "在服务站当面送达", "signed_by": "马占福"}
    first = village.push([village.event(EventKind.handed_over, case_id, payload=handed)])
    assert first[0]["status"] == "applied"
    again = village.push([village.event(EventKind.handed_over, case_id, payload=handed)])
    assert (again[0]["status"], again[0]["reason"]) == (
        "superseded",
        "the case was already handed over",
    )
    session.expire_all()
    row = session.get_one(CaseRow, case_id)
    assert row.state == "rejected" and row.view["signed_by"] == "马占福"
    assert row.view["delivered_at"]


def test_an_unresolved_record_is_kept_apart_and_never_counted_as_a_case(
    enroll: Any, session: Session
) -> None:
    village = enroll()
    number = unresolved_number(VILLAGE, date(2026, 11, 23), 1)
    payload = {"what": "办理林权证", "why": "本站无此事项"}
    reported = village.event(EventKind.reported, payload=payload, case_number=number)
    legacy_payload = {"kind": "unresolved", "what": "办理房产证", "why": "须到县不动产中心"}
    legacy = village.event(EventKind.created, payload=legacy_payload)  # older software's record
    results = village.push([reported, legacy])
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert session.get(CaseRow, reported.case_id) is None
    assert session.get(CaseRow, legacy.case_id) is None
    record = session.get_one(UnresolvedRecordRow, reported.case_id)
    assert (record.number, record.state, record.owner_station) == (number, "reported", village.id)
    assert session.get_one(UnresolvedRecordRow, legacy.case_id).state == "reported"
    [entry] = [e for e in reconcile(session=session) if e.station == village.id]
    assert (entry.cases, entry.events, entry.unresolved, entry.gaps) == (0, 2, 2, [])
    stats = case_statistics(session=session, today=date(2026, 11, 23))
    assert (stats.cases, stats.by_state, stats.unresolved) == (0, {}, 2)
    # a case's action on a record is not a case's: superseded, nothing changes
    stray = village.push([village.event(EventKind.submitted, reported.case_id)])
    assert stray[0]["status"] == "superseded"
    assert session.get(CaseRow, reported.case_id) is None


def test_only_an_agent_records_what_could_not_be_done(enroll: Any, session: Session) -> None:
    township = enroll(TOWNSHIP, "township")
    payload = {"what": "办理林权证", "why": "本站无此事项"}
    event = township.event(EventKind.reported, role=Role.reviewer, payload=payload)
    result = township.push([event])[0]
    assert result["status"] == "superseded"
    assert session.get(UnresolvedRecordRow, event.case_id) is None
