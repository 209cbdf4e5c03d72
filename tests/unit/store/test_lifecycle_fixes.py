"""Issue 9, points 5-8 at the station: correction corrects, the result and the people,
好差评 once, 办不成事 as its own record."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.catalog import Catalog
from station.services.application import Application
from station.services.cases import ActionRefused, CaseService
from station.services.timeline import annotate, people, result_text, timeline
from station.store import NewEvent, StationStore
from sync.events import EventKind, Role
from sync.protocol import AccountRecord
from tests.unit.store.conftest import id_number

ALLOWANCE = "640522-MZ-001"
"""高龄津贴: has a bank account (Luhn-checked) among its fields."""
WRONG_ACCOUNT = "6228480012345678903"
RIGHT_ACCOUNT = "6228480098765432103"
TODAY = date(2026, 12, 1)
"""The intake day (容缺 deadlines are judged against it)."""


def allowance() -> Application:
    return Application(
        item_code=ALLOWANCE,
        applicant={
            "name": "马兰花",
            "id_number": id_number("64052219400101001"),
            "phone": "13800000000",
        },
        fields={
            "hukou_address": "杨郎村一组",
            "living_situation": "与子女同住",
            "bank_name": "中国农业银行",
            "bank_account": WRONG_ACCOUNT,
        },
        materials={
            "id_card": "provided",
            "hukou": "provided",
            "application_form": "provided",
            "bank_card": "deferred",
        },
        supply_by={"bank_card": "2026-12-03"},
    )


def township(store: StationStore, number: str, kind: EventKind, **payload: Any) -> None:
    """What a township reviewer did (pulled or typed at a township desk)."""
    event = NewEvent(kind=kind, actor_id="u-wangfang", actor_role=Role.reviewer, payload=payload)
    store.append(number, [event])


def returned(
    service: CaseService, store: StationStore, *, allow_more: bool = False, **named: Any
) -> str:
    case = service.take_in(allowance(), today=TODAY)
    service.act(case.case_number, EventKind.submitted)
    payload = {"reason": "银行账号有误", "fields": ["bank_account"], "allow_more": allow_more}
    township(store, case.case_number, EventKind.returned, **(payload | named))
    return case.case_number


# 5. correction ------------------------------------------------------------------------


def test_a_correction_changes_the_named_field_and_records_old_and_new(
    service: CaseService, store: StationStore, catalog: Catalog
) -> None:
    number = returned(service, store)
    form = service.correction_form(number)
    assert [(c.path, c.label, c.current) for c in form] == [
        ("fields.bank_account", "社保卡金融账户或存折账号", WRONG_ACCOUNT)
    ]
    view = service.correct(number, {"fields.bank_account": RIGHT_ACCOUNT})
    assert view.fields["bank_account"] == RIGHT_ACCOUNT
    assert view.history[-1].kind is EventKind.corrected
    assert view.history[-1].summary["changes"] == {
        "fields.bank_account": {"old": WRONG_ACCOUNT, "new": RIGHT_ACCOUNT}
    }
    stored = store.get_case(number)
    assert stored is not None and stored.fields["bank_account"] == RIGHT_ACCOUNT
    line = timeline(stored, {}, catalog.get(ALLOWANCE))[-1]
    assert line.note == f"社保卡金融账户或存折账号: {WRONG_ACCOUNT} → {RIGHT_ACCOUNT}"
    # and it stays after 办结: resubmitted, accepted, completed
    service.resubmit(number)
    township(store, number, EventKind.accepted)
    township(store, number, EventKind.completed, result="approved")
    final = store.get_case(number)
    assert final is not None and final.fields["bank_account"] == RIGHT_ACCOUNT


def test_a_correction_is_checked_with_the_fields_rules(
    service: CaseService, store: StationStore
) -> None:
    number = returned(service, store)
    with pytest.raises(ActionRefused) as caught:
        service.correct(number, {"fields.bank_account": "6228 4800 12AB"})
    assert caught.value.message.startswith("社保卡金融账户或存折账号：")  # the field, named
    stored = store.get_case(number)
    assert stored is not None and stored.fields["bank_account"] == WRONG_ACCOUNT
    assert [h.kind for h in stored.history][-1] is EventKind.returned


def test_only_what_the_township_named_may_be_corrected(
    service: CaseService, store: StationStore
) -> None:
    number = returned(service, store)
    with pytest.raises(ActionRefused) as caught:
        service.correct(number, {"fields.hukou_address": "杨郎村二组"})
    assert caught.value.message == "户籍地址不在退回时指明的更正项中。"
    more = returned(service, store, allow_more=True)
    view = service.correct(more, {"fields.hukou_address": "杨郎村二组"})
    assert view.fields["hukou_address"] == "杨郎村二组"


def test_named_materials_are_corrected_too(service: CaseService, store: StationStore) -> None:
    number = returned(service, store, missing=["bank_card"])
    paths = [c.path for c in service.correction_form(number)]
    assert paths == ["fields.bank_account", "materials.bank_card"]
    view = service.correct(number, {"materials.bank_card": "provided"})
    assert view.materials["bank_card"] == "provided"


def test_a_correction_is_refused_unless_returned(service: CaseService) -> None:
    case = service.take_in(allowance(), today=TODAY)
    with pytest.raises(ActionRefused) as caught:
        service.correct(case.case_number, {"fields.bank_account": RIGHT_ACCOUNT})
    assert caught.value.message == "办件处于“已收件”状态，不能更正。"


# 6. the result and the people ---------------------------------------------------------


def test_the_timeline_names_the_person_and_the_result_is_shown(
    service: CaseService, store: StationStore
) -> None:
    store.upsert_accounts(
        [
            AccountRecord(
                user_id="u-wangfang",
                username="wangfang",
                display_name="王芳",
                role=Role.reviewer,
                division="640522100000",
                password_hash="x",
                updated_at="2026-12-01T08:00:00+08:00",
            )
        ]
    )
    number = returned(service, store)
    service.correct(number, {"fields.bank_account": RIGHT_ACCOUNT})
    service.resubmit(number)
    township(store, number, EventKind.accepted)
    township(store, number, EventKind.completed, result="approved_deferred", note="补交银行卡")
    view = store.get_case(number)
    assert view is not None
    names = people(store)
    lines = timeline(view, names)
    assert [line.who for line in lines if line.what == "受理"] == ["王芳"]
    assert lines[0].who == "村代办员"  # u-agent is not among the cached accounts
    assert result_text(view) == "办结结果：容缺通过 — 补交银行卡"
    data = annotate(view.model_dump(mode="json"), view, names)
    assert data["result_name"] == "容缺通过"
    assert data["history"][-1]["actor_name"] == "王芳"


# 7. 好差评 once ------------------------------------------------------------------------


def delivered(service: CaseService, store: StationStore) -> str:
    case = service.take_in(allowance(), today=TODAY)
    number = case.case_number
    service.act(number, EventKind.submitted)
    township(store, number, EventKind.accepted)
    township(store, number, EventKind.completed, result="approved")
    service.hand_over(number, how="当面", signed_by="马兰花")
    return number


def test_a_rating_is_saved_once_and_changed_only_by_an_audited_correction(
    service: CaseService, store: StationStore
) -> None:
    number = delivered(service, store)
    with pytest.raises(ActionRefused):
        service.rate(number, None)
    service.rate(number, 2, "等待时间太长")
    with pytest.raises(ActionRefused) as caught:
        service.rate(number, 5)
    assert caught.value.message == "该办件已评价；如需更改，请更正评价。"
    view = store.get_case(number)
    assert view is not None and (view.rating, view.rating_reason) == (2, "等待时间太长")
    with pytest.raises(ActionRefused) as kept:  # a 差评 is the county's to review
        service.correct_rating(number, 4, why="居民说当时误选")
    assert kept.value.message.startswith("差评不能在本站改为较好的评价")
    assert store.get_case(number).rating == 2  # type: ignore[union-attr]
    view = service.correct_rating(number, 1, why="居民说当时选轻了", reason="等了三次")
    assert view.rating == 1
    entry = view.history[-1]
    assert entry.kind is EventKind.rating_corrected
    assert (entry.actor_id, entry.summary["old"], entry.summary["new"]) == ("u-agent", 2, 1)
    assert timeline(view, {})[-1].note.startswith("不满意（2 分） → 非常不满意（1 分）")


# 8. 办不成事 -------------------------------------------------------------------------------


def test_an_unresolved_request_is_its_own_record_never_a_case(
    service: CaseService, store: StationStore
) -> None:
    record = service.record_unresolved(what="办理林权证", why="本站无此事项", contact="13900000000")
    assert record.number.startswith("BCS-640522100201-")
    assert record.number.endswith("-0001")
    assert record.state == "reported"
    assert store.outbox_depth() == 1
    assert store.count_cases() == 0
    assert store.list_cases() == []
    assert [r.number for r in store.list_records()] == [record.number]
    second = service.record_unresolved(what="办理残疾证", why="须本人到县残联", contact="")
    assert second.number.endswith("-0002")
    case = service.take_in(allowance(), today=TODAY)
    assert case.case_number.endswith("-0001")  # the case numbers are a series of their own


def test_an_unresolved_request_needs_what_and_why(service: CaseService) -> None:
    with pytest.raises(ActionRefused):
        service.record_unresolved(what=" ", why="本站无此事项", contact="")


def test_an_unresolved_requests_phone_is_checked_and_nothing_is_recorded(
    service: CaseService, store: StationStore
) -> None:
    """The walkthrough's 10-digit 1389512345 was saved and printed: nobody could call back."""
    with pytest.raises(ActionRefused) as refused:
        service.record_unresolved(what="办理林权证", why="本站无此事项", contact="马成 1389512345")
    assert refused.value.message.startswith("联系方式：1389512345 不是有效的电话号码")
    assert store.list_records(10) == []
    for contact in ("马成 13895123456", "马成 0954-4012345", "马成，住三组", ""):
        service.record_unresolved(what="办理林权证", why="本站无此事项", contact=contact)
    assert len(store.list_records(10)) == 4


def test_a_township_told_it_cannot_complete_a_forwarded_case_learns_where_it_went() -> None:
    """After 转办 the township's d and p said only 办理中的办件现在不能办结 (it is decided
    where it went)."""
    from station.services.cases import refusal
    from sync.events import EventKind as K
    from sync.events import Role
    from sync.reducer import apply_event, fold
    from tests.unit.sync.factory import CaseWriter

    w = CaseWriter()
    view = fold([w.event(K.created), w.event(K.received), w.event(K.submitted)])
    view = apply_event(view, w.event(K.accepted, Role.reviewer))
    view = apply_event(view, w.event(K.forwarded, Role.reviewer, {"to": "县民政局"}))
    for kind in (K.completed, K.paused):
        said = refusal(view, kind, Role.reviewer)
        assert said is not None and "已转办至县民政局" in said, kind
    assert refusal(view, K.completed, Role.admin) is None  # the county decides it
