"""CaseService: the desk's rules, the same for a script."""

from __future__ import annotations

import pytest

from forms import i18n
from forms.catalog import Catalog
from station.services.cases import ActionRefused, Actor, CaseService, ValidationFailed
from station.store import StationStore
from sync.events import EventKind, Role
from sync.protocol import StationRole
from tests.unit.store.conftest import application, identity


def test_an_invalid_application_writes_nothing(service: CaseService, store: StationStore) -> None:
    bad = application().model_copy(update={"applicant": {"name": "张三", "id_number": "123"}})
    with pytest.raises(ValidationFailed) as caught:
        service.take_in(bad)
    assert any(p.field == "applicant.id_number" for p in caught.value.problems)
    assert store.count_cases() == 0
    assert store.outbox_depth() == 0


def test_an_unknown_item_is_a_validation_problem(service: CaseService) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.take_in(application().model_copy(update={"item_code": "NO-SUCH-ITEM"}))
    assert caught.value.problems[0].field == "item"
    assert "NO-SUCH-ITEM" in caught.value.problems[0].message


def test_take_in_records_created_and_received(service: CaseService) -> None:
    case = service.take_in(application())
    assert case.state == "received"
    assert [h.kind.value for h in case.history] == ["created", "received"]
    assert case.item_name == "城乡居民基本医疗保险参保登记"
    assert case.agent_name == "王代办"


def test_a_village_agent_cannot_accept(service: CaseService) -> None:
    case = service.take_in(application())
    service.act(case.case_number, EventKind.submitted)
    with pytest.raises(ActionRefused) as caught:
        service.act(case.case_number, EventKind.accepted)
    assert caught.value.message == "办件处于“已报送”状态，村代办员不能受理。"


def test_a_village_station_never_accepts_even_for_a_reviewer(
    store: StationStore, catalog: Catalog, service: CaseService
) -> None:
    case = service.take_in(application())
    service.act(case.case_number, EventKind.submitted)
    reviewer = CaseService(store, catalog, Actor("u-rev", Role.reviewer))
    with pytest.raises(ActionRefused) as caught:
        reviewer.act(case.case_number, EventKind.accepted)
    assert caught.value.message == "乡镇审核员不能在本站点受理。"


def test_a_reason_is_required_to_return_or_reject(
    store: StationStore, catalog: Catalog, service: CaseService
) -> None:
    case = service.take_in(application())
    service.act(case.case_number, EventKind.submitted)
    store.save_identity(identity(StationRole.township, "640522100000"))
    reviewer = CaseService(store, catalog, Actor("u-rev", Role.reviewer, "李审核"))
    for kind, word in ((EventKind.returned, "退回补正"), (EventKind.rejected, "不予受理")):
        with pytest.raises(ActionRefused) as caught:
            reviewer.act(case.case_number, kind, reason="  ")
        assert caught.value.message == f"{word}必须填写理由。"
    returned = reviewer.act(case.case_number, EventKind.returned, reason="户口簿复印件不清晰")
    assert returned.state == "returned" and returned.last_reason == "户口簿复印件不清晰"


def test_a_move_the_lifecycle_forbids_is_refused_in_chinese(service: CaseService) -> None:
    case = service.take_in(application())
    with pytest.raises(ActionRefused) as caught:
        service.hand_over(case.case_number, how="当面送达", signed_by="张三丰")
    assert caught.value.message == "办件处于“已收件”状态，不能送达。"


def test_refusals_are_in_english_when_the_language_is_english(service: CaseService) -> None:
    case = service.take_in(application())
    i18n.set_language("en")
    with pytest.raises(ActionRefused) as caught:
        service.hand_over(case.case_number, how="in person", signed_by="Zhang")
    assert caught.value.message == "Cannot hand over while the case is taken in."


def test_an_unknown_case_is_refused(service: CaseService) -> None:
    with pytest.raises(ActionRefused):
        service.act("640522100201-20991231-0001", EventKind.submitted)


def test_a_bad_rating_needs_a_reason(service: CaseService) -> None:
    case = service.take_in(application())
    with pytest.raises(ActionRefused) as caught:
        service.rate(case.case_number, 2, None)
    assert caught.value.message == "评价为 2 分及以下时须填写原因。"
