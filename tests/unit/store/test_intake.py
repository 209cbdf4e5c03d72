"""Take-in (收件) through CaseService and ``case import``: all or nothing, once per draft.

Each test here stands for a defect seen on main: a take-in the centre then
refused, a 容缺 deadline dropped without a word, a draft filed twice.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from forms.catalog import Catalog
from forms.validation import Problem
from station.services.cases import (
    Application,
    CaseService,
    ValidationFailed,
    duplicate_warning,
)
from station.services.importer import import_lines
from station.store import NewEvent, RefusedByCentreRules, StationStore, projection
from sync.events import EventKind, Role
from sync.ids import new_id
from tests.unit.store.conftest import id_number, last_release_search

TODAY = date(2026, 11, 23)  # a Monday
OLD_AGE = "640522-MZ-001"  # 高龄津贴: bank_card may be deferred (容缺), 5 working days
DEFAULT_SUPPLY_BY = date(2026, 11, 30)
RELATIVE = {
    "name": "马小兰",
    "id_number": id_number("64052219700505224"),
    "phone": "13995500002",
}


def old_age(**overrides: Any) -> dict[str, Any]:
    """An 高龄津贴 application as a dict (an import line's shape)."""
    line: dict[str, Any] = {
        "item_code": OLD_AGE,
        "applicant": {
            "name": "马福贵",
            "id_number": id_number("64052219400101123"),
            "phone": "13995512345",
        },
        "fields": {
            "hukou_address": "海原县关桥乡关桥村三组",
            "living_situation": "与子女同住",
            "bank_name": "宁夏黄河农村商业银行",
            "bank_account": "6228480402564890018",
        },
        "materials": {
            "id_card": "provided",
            "hukou": "shared",
            "bank_card": "deferred",
            "application_form": "provided",
        },
    }
    line.update(overrides)
    return line


def elder(serial: int) -> dict[str, str]:
    """Another 1940-born applicant (ID number ending in ``serial``, three digits)."""
    names = {124: "马福来", 125: "马福全", 126: "马福顺"}
    return {
        "name": names[serial],
        "id_number": id_number(f"64052219400101{serial}"),
        "phone": f"13995512{serial}",
    }


WITH_AGENT_ID = old_age()["materials"] | {"agent_id": "provided"}
"""A relative filing for 高龄津贴 shows their own ID card (代办人居民身份证)."""


def messages(caught: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.message for p in caught.value.problems}


# principal required whenever someone files for the applicant ------------------------


@pytest.mark.parametrize("relation", ["relative", "agent"])
@pytest.mark.parametrize("principal", [None, {}, {"name": " ", "id_number": "", "phone": ""}])
def test_filed_by_someone_else_without_their_details_stores_nothing(
    service: CaseService, store: StationStore, relation: str, principal: Any
) -> None:
    """On main this was stored, and the centre refused it (``principal.name: Field required``)."""
    bad = Application(**old_age(relation=relation, principal=principal, materials=WITH_AGENT_ID))
    with pytest.raises(ValidationFailed) as caught:
        service.take_in(bad, today=TODAY)
    assert messages(caught) == {
        "principal.name": "代办人姓名：必填",
        "principal.id_number": "代办人身份证号码：必填",
        "principal.phone": "代办人联系电话：必填",
    }
    assert store.count_cases() == 0
    assert store.outbox_depth() == 0


def test_import_refuses_a_line_filed_by_an_agent_without_their_details(
    service: CaseService, store: StationStore
) -> None:
    lines = [
        json.dumps(old_age(relation="agent"), ensure_ascii=False),
        json.dumps(
            old_age(relation="relative", principal=RELATIVE, materials=WITH_AGENT_ID),
            ensure_ascii=False,
        ),
    ]
    report = import_lines(service, lines, today=TODAY)
    assert report.imported == 1
    assert {(f.line, f.field, f.error) for f in report.failed} == {
        (1, "principal.name", "代办人姓名：必填"),
        (1, "principal.id_number", "代办人身份证号码：必填"),
        (1, "principal.phone", "代办人联系电话：必填"),
    }
    case = store.get_case(report.case_numbers[0])
    assert case is not None and case.principal is not None
    assert case.principal.name == "马小兰"


# the centre's own rules run before anything is stored -----------------------------


def test_the_centres_payload_schema_runs_before_anything_is_stored(
    service: CaseService, store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if the desk's checks let something through, the centre's schema stops it here."""
    monkeypatch.setattr(CaseService, "check", lambda self, application, today=None: [])
    bad = Application(**old_age(relation="agent", principal={"phone": "13995500002"}))
    with pytest.raises(ValidationFailed) as caught:
        service.take_in(bad, today=TODAY)
    problem = caught.value.problems[0]
    assert problem.field == "principal.name"
    assert problem.message.startswith("principal.name：中心会拒收此办件")
    assert store.count_cases() == 0
    assert store.outbox_depth() == 0


def test_the_store_judges_new_events_by_the_centres_rule(store: StationStore) -> None:
    """``sync.reducer.judge`` (what the centre applies) refuses; the transaction writes nothing."""
    orphan = NewEvent(kind=EventKind.received, actor_id="u-agent", actor_role=Role.agent)
    with pytest.raises(RefusedByCentreRules) as caught:
        store.create_cases([[orphan]], TODAY)
    assert caught.value.kind == "received"
    assert store.count_cases() == 0
    assert store.outbox_depth() == 0


def test_values_are_stored_as_the_centre_and_paper_need_them(service: CaseService) -> None:
    line = old_age()
    line["applicant"] = line["applicant"] | {"id_number": "64052219400101108x"}
    line["fields"] = line["fields"] | {"bank_account": "6228 4804 0256 4890 018"}
    case = service.take_in(Application(**line), today=TODAY)
    assert case.applicant is not None
    assert case.applicant.id_number == "64052219400101108X"
    assert case.fields["bank_account"] == "6228480402564890018"


# 容缺 deadlines ---------------------------------------------------------------------


def test_a_deferred_material_gets_the_items_default_deadline(service: CaseService) -> None:
    case = service.take_in(Application(**old_age()), today=TODAY)
    assert case.supply_by == {"bank_card": DEFAULT_SUPPLY_BY}


def test_a_given_deadline_is_kept(service: CaseService) -> None:
    line = old_age(supply_by={"bank_card": "2026-11-27"})
    case = service.take_in(Application(**line), today=TODAY)
    assert case.supply_by == {"bank_card": date(2026, 11, 27)}


def test_a_deadline_typed_wrong_is_refused_naming_the_material(
    service: CaseService, store: StationStore
) -> None:
    """On main ``2026-13-45`` was dropped without a message and the receipt's 补交期限 was blank."""
    with pytest.raises(ValidationFailed) as caught:
        service.take_in(Application(**old_age(supply_by={"bank_card": "2026-13-45"})), today=TODAY)
    assert messages(caught) == {
        "materials.bank_card": (
            "社会保障卡或存折复印件：补交期限“2026-13-45”不是有效日期（格式：年-月-日，如 2026-01-31）"
        )
    }
    assert store.count_cases() == 0


def test_import_fills_or_checks_every_deadline(service: CaseService, store: StationStore) -> None:
    """On main ``case import`` left every 容缺 deadline empty."""
    lines = [
        json.dumps(old_age(), ensure_ascii=False),
        json.dumps(
            old_age(applicant=elder(124), supply_by={"bank_card": "2026-11-26"}),
            ensure_ascii=False,
        ),
        json.dumps(
            old_age(applicant=elder(125), supply_by={"bank_card": "2026-12-24"}),
            ensure_ascii=False,
        ),
    ]
    report = import_lines(service, lines, today=TODAY)
    assert report.imported == 2
    deadlines = [store.get_case(n).supply_by for n in report.case_numbers]  # type: ignore[union-attr]
    assert deadlines == [{"bank_card": DEFAULT_SUPPLY_BY}, {"bank_card": date(2026, 11, 26)}]
    assert [(f.line, f.field, f.error) for f in report.failed] == [
        (
            3,
            "materials.bank_card",
            "社会保障卡或存折复印件：补交期限不能晚于2026-11-30（本事项容缺材料须在5个工作日内补交）",
        )
    ]


def test_an_import_takes_one_case_per_applicant_and_item(
    service: CaseService, store: StationStore
) -> None:
    """A line repeating an open case (重复申请), in the file or at the station, is skipped."""
    withdrawn = service.take_in(Application(**old_age(applicant=elder(126))), today=TODAY)
    service.withdraw(withdrawn.case_number, "申请人改日再办")
    lines = [
        json.dumps(old_age(), ensure_ascii=False),
        json.dumps(old_age(applicant=elder(124)), ensure_ascii=False),
        json.dumps(
            old_age(fields=old_age()["fields"] | {"bank_name": "中国邮政储蓄银行"}),
            ensure_ascii=False,
        ),
        json.dumps(old_age(applicant=elder(126)), ensure_ascii=False),  # its case was withdrawn
    ]
    report = import_lines(service, lines, today=TODAY)
    assert (report.imported, report.failed) == (3, [])
    assert [(f.line, f.field, f.error) for f in report.skipped] == [
        (3, "applicant.id_number", "重复申请：与第 1 行的申请人和事项相同，未再导入")
    ]
    again = import_lines(service, lines, today=TODAY)
    assert again.imported == 0
    held = [report.case_numbers[n] for n in (0, 1, 0, 2)]  # line 3 repeats line 1's case
    assert [(f.line, f.error) for f in again.skipped] == [
        (line, f"重复申请：该申请人此事项已有未办结的办件（{number}），未再导入")
        for line, number in zip((1, 2, 3, 4), held, strict=True)
    ]
    assert store.count_cases() == 4


def test_the_desk_warns_of_an_open_case_of_the_same_item(
    service: CaseService, store: StationStore
) -> None:
    first = service.take_in(Application(**old_age()), today=TODAY)
    applicant = old_age()["applicant"]
    lower = applicant["id_number"].lower()
    assert duplicate_warning(store, OLD_AGE, lower) == [
        Problem(
            "applicant.id_number",
            f"重复申请：该申请人此事项已有未办结的办件（{first.case_number}）",
            "warning",
            rule="duplicate",
        )
    ]
    assert duplicate_warning(store, "640522-MZ-002", applicant["id_number"]) == []
    assert duplicate_warning(store, OLD_AGE, "") == []


def test_an_import_line_of_the_wrong_shape_says_so_in_chinese(service: CaseService) -> None:
    report = import_lines(service, [json.dumps(old_age(relation="friend"))], today=TODAY)
    assert report.imported == 0
    assert report.failed[0].field == "relation"
    assert report.failed[0].error.startswith("relation：不符合收件数据的格式")


# one draft, at most one case ----------------------------------------------------------


def test_taking_a_draft_in_twice_makes_one_case(service: CaseService, store: StationStore) -> None:
    draft_id = str(new_id())
    store.save_draft(draft_id, {"item_code": OLD_AGE})
    application = Application(**old_age())
    first = service.take_in(application, draft_id=draft_id, today=TODAY)
    outbox = store.outbox_depth()
    second = service.take_in(application, draft_id=draft_id, today=TODAY)
    assert second.case_id == first.case_id
    assert str(first.case_id) == draft_id  # the case id IS the draft id
    assert second.case_number == first.case_number
    assert store.count_cases() == 1
    assert [h.kind for h in store.case_history(first.case_id)] == ["created", "received"]
    assert store.outbox_depth() == outbox == 2
    assert store.list_drafts() == []


def test_a_retake_after_a_crash_past_the_commit_returns_the_same_case(
    service: CaseService, store: StationStore
) -> None:
    """The case committed; the draft came back (a late autosave, or a crash before the screen
    knew): taking it in again returns that case and files nothing."""
    draft_id = str(new_id())
    application = Application(**old_age())
    made = service.take_in(application, draft_id=draft_id, today=TODAY)
    store.save_draft(draft_id, {"item_code": OLD_AGE})
    again = service.take_in(application, draft_id=draft_id, today=date(2026, 11, 24))
    assert again.case_number == made.case_number
    assert store.count_cases() == 1
    assert store.outbox_depth() == 2
    assert store.list_drafts() == []


def test_a_crash_inside_the_write_keeps_the_draft_and_files_nothing(
    service: CaseService, store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft_id = str(new_id())
    store.save_draft(draft_id, {"item_code": OLD_AGE})

    def power_cut(*_args: Any) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(projection, "insert_new", power_cut)
    with pytest.raises(OSError):
        service.take_in(Application(**old_age()), draft_id=draft_id, today=TODAY)
    monkeypatch.undo()
    assert store.count_cases() == 0
    assert store.outbox_depth() == 0
    assert [d.draft_id for d in store.list_drafts()] == [draft_id]
    case = service.take_in(Application(**old_age()), draft_id=draft_id, today=TODAY)
    assert str(case.case_id) == draft_id
    assert store.list_drafts() == []


def test_a_refused_draft_stays(service: CaseService, store: StationStore) -> None:
    draft_id = str(new_id())
    store.save_draft(draft_id, {"item_code": OLD_AGE})
    with pytest.raises(ValidationFailed):
        service.take_in(Application(**old_age(relation="agent")), draft_id=draft_id, today=TODAY)
    assert [d.draft_id for d in store.list_drafts()] == [draft_id]


def test_catalog_item_used_here_defers_five_days(catalog: Catalog) -> None:
    """The dates above rest on the shipped item's 容缺 period."""
    item = catalog.get(OLD_AGE)
    assert item.defer_days == 5
    assert item.material("bank_card").deferrable


def test_a_case_is_found_by_its_daibanren_name_pinyin_and_phone(
    service: CaseService, store: StationStore
) -> None:
    """A son who applied for his father asks after the case by his own name or number."""
    filed = service.take_in(
        Application(**old_age(relation="relative", principal=RELATIVE, materials=WITH_AGENT_ID)),
        today=TODAY,
    )
    service.take_in(Application(**old_age(applicant=elder(124))), today=TODAY)
    for query in ("马小兰", "mxl", "maxiaolan", "13995500002", "1399550", "马小兰 0002"):
        found = [case.case_number for case in store.list_cases(query)]
        assert found == [filed.case_number], query
    assert len(store.list_cases("马福")) == 2  # the applicants, as before


def test_an_upgraded_station_finds_its_earlier_cases_by_their_daibanren(
    service: CaseService, store: StationStore
) -> None:
    """The cases taken in before the upgrade are indexed again when it opens (0011)."""
    filed = service.take_in(
        Application(**old_age(relation="relative", principal=RELATIVE, materials=WITH_AGENT_ID)),
        today=TODAY,
    )
    pending = store.outbox_depth()
    # the last release's database, unsent events in it; its search terms without the 代办人
    last_release_search(store, "0010_sslim", filed.case_id.hex, filed.case_number + " 马福贵")
    assert store.list_cases("马小兰") == []
    data_dir = store.data_dir
    store.close()
    upgraded = StationStore.open(data_dir)
    try:
        assert [c.case_number for c in upgraded.list_cases("马小兰")] == [filed.case_number]
        assert [c.case_number for c in upgraded.list_cases("马福贵")] == [filed.case_number]
        assert upgraded.outbox_depth() == pending  # nothing sent, nothing lost
    finally:
        upgraded.close()


def test_a_case_is_found_by_the_applicant_s_own_phone_also_after_an_upgrade(
    service: CaseService, store: StationStore
) -> None:
    """The search box says 电话; the applicant's own phone found nothing (only a 代办人's).
    A station upgraded from the last release (0011) finds its earlier cases by it too."""
    from station.store.search import terms

    filed = service.take_in(
        Application(**old_age(relation="relative", principal=RELATIVE, materials=WITH_AGENT_ID)),
        today=TODAY,
    )
    for query in ("13995512345", "2345", "13995500002"):  # the applicant's, its tail, 代办人's
        assert [c.case_number for c in store.list_cases(query)] == [filed.case_number], query
    pending = store.outbox_depth()
    # the last release's database, unsent events in it; its terms: the 代办人's phone only
    last_release = terms(filed.case_number, "马福贵", "", "马小兰", "13995500002")
    last_release_search(store, "0011_search_principal", filed.case_id.hex, last_release)
    assert store.list_cases("13995512345") == []
    data_dir = store.data_dir
    store.close()
    upgraded = StationStore.open(data_dir)
    try:
        found = [c.case_number for c in upgraded.list_cases("13995512345")]
        assert found == [filed.case_number]
        assert upgraded.outbox_depth() == pending  # nothing sent, nothing lost
    finally:
        upgraded.close()


def test_an_upgraded_station_lists_what_its_earlier_cases_owe(
    service: CaseService, store: StationStore
) -> None:
    """容缺待补交 reads an indexed column (migration 0013), filled for the cases a station of
    the last release (0012) already held, with unsent events in its outbox."""
    from alembic import command

    from station.store import migrate

    owing = service.take_in(Application(**old_age()), today=TODAY)  # bank_card 容缺
    materials = old_age()["materials"] | {"bank_card": "provided"}  # owes nothing
    service.take_in(Application(**old_age(applicant=elder(124), materials=materials)), today=TODAY)
    assert [v.case_number for v in store.owing_cases(20)] == [owing.case_number]
    pending = store.outbox_depth()
    config = migrate.alembic_config()
    with store.engine.connect() as conn:  # the last release's database, unsent events in it
        config.attributes["connection"] = conn
        command.downgrade(config, "0012_search_applicant_phone")
        conn.commit()
    data_dir = store.data_dir
    store.close()
    upgraded = StationStore.open(data_dir)
    try:
        (listed,) = upgraded.owing_cases(20)
        assert listed.case_number == owing.case_number
        assert listed.supply_by == {"bank_card": DEFAULT_SUPPLY_BY}
        assert upgraded.outbox_depth() == pending  # nothing sent, nothing lost
    finally:
        upgraded.close()
