"""The reducer: what a case looks like after its events."""

from __future__ import annotations

import json
from datetime import date

import pytest

from sync.events import EventKind as K
from sync.events import EventStatus, Role
from sync.lifecycle import CaseState
from sync.payloads import validate_payload
from sync.reducer import EntryStatus, apply_event, deadline_inputs, fold, judge, rebase

from .factory import CaseWriter, recorded

R = Role.reviewer


def test_the_happy_path_ends_delivered_and_rated() -> None:
    w = CaseWriter()
    events = [
        w.event(K.created),
        w.event(K.received),
        w.event(K.submitted),
        w.event(K.accepted, R, days=1),
        w.event(K.completed, R, days=2),
        w.event(K.handed_over, days=1),
        w.event(K.rated, payload={"rating": 2, "reason": "等了太久"}),
    ]
    view = fold(events)
    assert view.state is CaseState.delivered
    assert view.version == 7
    assert view.item_code == "NX-PENSION-01"
    assert view.applicant is not None and view.applicant.name == "马兰花"
    assert view.materials == {"id_card": "provided", "hukou": "deferred"}
    assert view.supply_by == {"hukou": date(2026, 12, 1)}
    assert view.promised_days == 3  # the township's acceptance sets the limit
    assert view.officer == "王审核"
    assert view.result == "approved"
    assert (view.rating, view.rating_reason) == (2, "等了太久")
    assert view.received_at == events[1].device_time
    assert view.delivered_at == events[5].device_time
    assert view.station_id == "st-village-1"
    assert [h.status for h in view.history] == [EntryStatus.applied] * 7


def test_view_is_json_and_history_never_holds_the_id_number() -> None:
    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received)])
    text = json.dumps(view.model_dump(mode="json"), ensure_ascii=False)
    history = json.dumps([h.model_dump(mode="json") for h in view.history], ensure_ascii=False)
    assert '"state": "received"' in text
    assert "640522195001011234" not in history
    assert view.history[0].summary["applicant"] == "马兰花"


def test_return_and_pause_stop_the_clock_and_resume_goes_back() -> None:
    w = CaseWriter()
    events = [
        w.event(K.created),
        w.event(K.received),
        w.event(K.submitted),
        w.event(K.returned, R, days=1),
        w.event(K.supplemented, days=2),
        w.event(K.resubmitted),
        w.event(K.accepted, R, days=1),
        w.event(K.forwarded, R),
        w.event(K.paused, Role.admin, days=1),
    ]
    view = fold(events)
    assert view.state is CaseState.paused
    assert view.paused_from is CaseState.processing
    assert view.forwarded_to == "县人社局"
    assert view.materials["hukou"] == "provided"
    assert view.pauses == [(date(2026, 11, 24), date(2026, 11, 26)), (date(2026, 11, 28), None)]
    resumed = apply_event(view, w.event(K.resumed, Role.admin, days=7))
    assert resumed.state is CaseState.processing
    start, days, pauses = deadline_inputs(resumed)
    assert (start, days) == (date(2026, 11, 27), 3)
    assert pauses == [(date(2026, 11, 28), date(2026, 12, 5))]  # the return was before 受理


def test_days_are_china_days() -> None:
    from datetime import UTC, datetime

    w = CaseWriter(start=datetime(2026, 11, 23, 17, 0, tzinfo=UTC))  # 01:01 on the 24th in China
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    view = apply_event(view, w.event(K.accepted, R))
    assert deadline_inputs(view)[0] == date(2026, 11, 24)


def test_edit_after_rejection_is_superseded_flagged_and_acknowledged() -> None:
    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    view = apply_event(view, w.event(K.rejected, R))
    late_edit = w.event(K.edited, payload={"fields": {"bank": "late"}})
    status, reason = judge(view, late_edit)
    assert status is EventStatus.superseded
    assert reason == "not allowed while the case is rejected"
    after = apply_event(view, late_edit, status=status, reason=reason)
    assert after.fields == view.fields and after.state is CaseState.rejected
    assert after.version == view.version
    assert "superseded" in after.flags
    assert after.last_reason == reason
    assert after.history[-1].status is EntryStatus.superseded
    assert after.history[-1].reason == reason
    acked = apply_event(after, w.event(K.acknowledged))
    assert "superseded" not in acked.flags
    assert acked.state is CaseState.rejected


def test_a_refusal_is_handed_over_once_and_the_case_stays_refused() -> None:
    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    view = apply_event(view, w.event(K.rejected, R, {"reason": "不属于本机关职权范围"}))
    handed = w.event(K.handed_over, payload={"how": "在服务站当面送达", "signed_by": "马占福"})
    assert judge(view, handed) == (EventStatus.applied, None)
    view = apply_event(view, handed)
    assert view.state is CaseState.rejected and view.last_reason == "不属于本机关职权范围"
    assert view.delivered_at is not None and view.signed_by == "马占福"
    again = w.event(K.handed_over, payload={"how": "上门送达", "signed_by": "马小花"})
    assert judge(view, again) == (EventStatus.superseded, "the case was already handed over")
    assert judge(view, w.event(K.handed_over, R, {"how": "上门送达"}))[0] is (
        EventStatus.superseded  # the village's agent hands it over, not the township
    )


def test_a_village_cannot_accept() -> None:
    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    status, reason = judge(view, w.event(K.accepted, Role.agent))
    assert status is EventStatus.superseded
    assert reason == "a agent may not do this while the case is submitted"


def test_an_invalid_payload_is_superseded_with_the_field_named() -> None:
    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    status, reason = judge(view, w.event(K.returned, R, payload={"reason": "  "}))
    assert status is EventStatus.superseded
    assert reason is not None and reason.startswith("invalid payload: returned payload: reason")


def test_applying_an_event_twice_changes_nothing() -> None:
    w = CaseWriter()
    created, received = w.event(K.created), w.event(K.received)
    view = fold([created, received])
    assert apply_event(view, created) is view
    assert apply_event(view, received, status="superseded", reason="x") is view


def test_an_event_before_its_case_exists_is_an_orphan_until_created() -> None:
    w = CaseWriter()
    created, received = w.event(K.created), w.event(K.received)
    orphan = apply_event(None, received)
    assert not orphan.exists and orphan.history[0].status is EntryStatus.superseded
    assert orphan.history[0].reason == "the case does not exist"
    view = apply_event(orphan, created)
    assert view.exists and view.state is CaseState.draft and "orphan" not in view.flags


def test_fold_refuses_nothing_and_mixed_cases() -> None:
    with pytest.raises(ValueError, match="no events"):
        fold([])
    a, b = CaseWriter(), CaseWriter()
    with pytest.raises(ValueError, match="belongs to case"):
        fold([a.event(K.created), b.event(K.created)])


def test_recorded_status_is_honoured_by_fold() -> None:
    w = CaseWriter()
    events = [w.event(K.created), w.event(K.received), w.event(K.edited)]
    view = fold(
        [
            recorded(events[0], 1),
            recorded(events[1], 2),
            recorded(events[2], 3, "superseded", "why"),
        ]
    )
    assert view.fields == {"bank": "黄河农商银行"}
    assert view.history[2].reason == "why" and view.history[2].central_seq == 3


def test_rebase_shows_pending_events_and_their_likely_fate() -> None:
    w = CaseWriter()
    created, received, submitted = w.event(K.created), w.event(K.received), w.event(K.submitted)
    withdraw = w.event(K.withdrawn)
    confirmed = [recorded(created, 1), recorded(received, 2), recorded(submitted, 3)]
    view = rebase(confirmed, [created, withdraw])
    assert view.state is CaseState.withdrawn
    assert view.history[-1].status is EntryStatus.pending
    rejected = recorded(w.event(K.rejected, R), 4)
    view = rebase([*confirmed, rejected], [withdraw])
    assert view.state is CaseState.rejected
    assert view.history[-1].status is EntryStatus.pending
    assert view.history[-1].reason == "not allowed while the case is rejected"


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        (K.rated, {"rating": 1}, "rated payload: a rating of 2 or less needs a reason"),
        (K.rated, {"rating": 6}, "rated payload: rating: Input should be less than or equal to 5"),
        (K.rejected, {}, "rejected payload: reason: Field required"),
        (K.completed, {"result": "ok"}, "rated"),
        (K.created, {"kind": "unresolved", "what": "办低保"}, "needs what was asked and why"),
        (K.created, {"applicant": {"name": "x"}}, "needs a service item code"),
        ("exploded", {}, "unknown event kind 'exploded'"),
    ],
)
def test_validate_payload_says_what_is_wrong(
    kind: str, payload: dict[str, object], message: str
) -> None:
    if message == "rated":
        message = (
            "completed payload: result: Input should be 'approved', 'denied' or 'approved_deferred'"
        )
    with pytest.raises(ValueError) as error:
        validate_payload(kind, payload)
    assert message in str(error.value)


def test_an_unresolved_record_is_a_case() -> None:
    w = CaseWriter()
    payload = {"kind": "unresolved", "what": "办理低保", "why": "需到县民政局", "contact": "139"}
    view = fold([w.event(K.created, payload=payload), w.event(K.received)])
    assert (view.kind, view.what, view.why, view.state) == (
        "unresolved",
        "办理低保",
        "需到县民政局",
        CaseState.received,
    )


def test_a_history_entry_is_the_model_pydantic_would_build_and_round_trips() -> None:
    """Entries are made without ``model_construct`` (the reducer's largest cost): each must
    still be the very model pydantic builds from the same values, dump the same JSON, read
    back equal, and copy with an update like any other."""
    from sync.views import HistoryEntry, history_entry

    w = CaseWriter()
    event = w.event(K.created)
    entry = history_entry(event, EntryStatus.applied, "why", 7, {"applicant": "马兰花"})
    built = HistoryEntry(
        event_id=event.id,
        kind=event.kind,
        actor_id=event.actor_id,
        actor_role=event.actor_role,
        station_id=event.station_id,
        station_seq=event.station_seq,
        device_time=event.device_time,
        status=EntryStatus.applied,
        reason="why",
        central_seq=7,
        summary={"applicant": "马兰花"},
    )
    assert entry == built
    assert entry.model_dump_json() == built.model_dump_json()
    assert entry.model_fields_set == built.model_fields_set
    assert HistoryEntry.model_validate_json(entry.model_dump_json()) == entry
    assert entry.model_copy(update={"central_seq": 8}).central_seq == 8
    assert entry.central_seq == 7
    with pytest.raises(ValueError, match="frozen"):
        entry.central_seq = 9  # type: ignore[misc]


def test_a_material_the_return_named_and_nobody_brought_is_kept_as_not_brought() -> None:
    """补正未补: the township asked for two materials; the village brought one (a scan of
    it), corrected a field, and sent the case back. The view said nothing of the other:
    the township saw it 已提供 and its 受理通知书 said 材料齐全."""
    w = CaseWriter()
    named = {"reason": "材料不清", "missing": ["hukou", "id_card"], "allow_more": True}
    scan = {"name": "hukou.jpg", "sha256": "ab" * 32, "size": 10, "material_key": "hukou"}
    events = [
        w.event(K.created),
        w.event(K.received),
        w.event(K.submitted),
        w.event(K.returned, R, payload=named),
        w.event(K.supplemented, payload={"attachments": [scan]}),
        w.event(K.resubmitted),
    ]
    view = fold(events)
    assert view.state is CaseState.submitted
    assert view.unanswered == ["id_card"] and view.answered is None
    brought = apply_event(
        view, w.event(K.supplemented, payload={"materials": {"id_card": "provided"}})
    )
    assert brought.unanswered == []
    # returned again: a new 补正, counted afresh
    again = apply_event(
        view, w.event(K.returned, R, payload={"reason": "再补", "missing": ["id_card"]})
    )
    assert again.unanswered == [] and again.answered == []
    deferred = apply_event(
        again,
        w.event(
            K.corrected,
            payload={"changes": {"materials.id_card": {"old": "provided", "new": "deferred"}}},
        ),
    )
    assert deferred.answered == []  # set to 容缺, it is not brought
    assert apply_event(deferred, w.event(K.resubmitted)).unanswered == ["id_card"]
    corrected = apply_event(
        deferred,
        w.event(
            K.corrected,
            payload={"changes": {"materials.id_card": {"old": "deferred", "new": "provided"}}},
        ),
    )
    assert corrected.answered == ["id_card"]  # then brought after all
    assert apply_event(corrected, w.event(K.resubmitted)).unanswered == []


def test_a_case_returned_before_the_fields_were_kept_is_never_said_not_brought() -> None:
    """A case returned (and its material brought) by the last release, resubmitted after
    the upgrade: its view never followed what was brought, so nothing is guessed."""
    w = CaseWriter()
    named = {"reason": "材料不清", "missing": ["hukou"]}
    events = [w.event(K.created), w.event(K.received), w.event(K.submitted)]
    returned = apply_event(fold(events), w.event(K.returned, R, payload=named))
    as_stored_then = returned.model_copy(update={"answered": None})  # the last release's view
    resubmitted = apply_event(as_stored_then, w.event(K.resubmitted))
    assert resubmitted.unanswered == []
