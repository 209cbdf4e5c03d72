"""check_application: applicant, fields, groups, materials and every kind of eligibility rule."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms.catalog import load_catalog
from forms.catalog.model import ServiceItem
from forms.validation import Problem, check_application, deferred_deadlines, has_errors
from tests.unit.forms.helpers import TODAY, id_number, wrong_check

OLD_AGE = "640522-MZ-001"  # 高龄津贴
PENSION_CLAIM = "640522-RS-002"
CANCELLATION = "640522-RS-003"
DIBAO = "640522-MZ-002"
CARE = "640522-CL-002"
EXTREME = "640522-MZ-003"
MEDICAL = "640522-YB-001"


def item(code: str) -> ServiceItem:
    return load_catalog().get(code)


def applicant(born: str = "19400101", seq: str = "123") -> dict[str, Any]:
    return {
        "name": "马福贵",
        "id_number": id_number("640522", born, seq),
        "phone": "13995512345",
        "address": "海原县关桥乡关桥村三组",
    }


OLD_AGE_FIELDS = {
    "hukou_address": "海原县关桥乡关桥村三组",
    "living_situation": "与子女同住",
    "bank_name": "宁夏黄河农村商业银行",
    "bank_account": "6228480402564890018",
}
OLD_AGE_MATERIALS = {
    "id_card": "provided",
    "hukou": "shared",
    "bank_card": "deferred",
    "application_form": "provided",
}


def check(code: str, **overrides: Any) -> list[Problem]:
    arguments: dict[str, Any] = {
        "applicant": applicant(),
        "fields": dict(OLD_AGE_FIELDS),
        "materials": dict(OLD_AGE_MATERIALS),
        "relation": "self",
        "principal": None,
        "today": TODAY,
    }
    arguments.update(overrides)
    return check_application(item(code), **arguments)


def by_field(problems: list[Problem]) -> dict[str, str]:
    return {problem.field: problem.message for problem in problems}


def test_a_complete_old_age_allowance_application_passes() -> None:
    assert check(OLD_AGE) == []


def test_min_age_80_refuses_a_79_year_old_and_says_why() -> None:
    problems = check(OLD_AGE, applicant=applicant(born="19461124"))  # 80 tomorrow
    assert problems == [
        Problem(
            "rule:min_age",
            "年满80周岁：申请人现年79周岁，本事项要求年满80周岁",
            "error",
            "min_age",
        )
    ]
    assert check(OLD_AGE, applicant=applicant(born="19461123")) == []  # 80 today


def test_min_age_60_for_the_pension_claim() -> None:
    fields = {
        "hukou_address": "关桥村",
        "years_paid": 15,
        "other_pension": False,
        "bank_name": "中国农业银行",
        "bank_account": "6228480402564890018",
    }
    materials = {
        "id_card": "provided",
        "hukou": "provided",
        "ss_card": "provided",
        "claim_form": "provided",
    }
    problems = check(
        PENSION_CLAIM, applicant=applicant(born="19670101"), fields=fields, materials=materials
    )
    assert by_field(problems) == {
        "rule:min_age": "年满60周岁：申请人现年59周岁，本事项要求年满60周岁"
    }
    assert (
        check(
            PENSION_CLAIM, applicant=applicant(born="19660101"), fields=fields, materials=materials
        )
        == []
    )


def test_max_age_rule() -> None:
    base = item(OLD_AGE)
    rule = {"id": "max_age", "kind": "max_age", "title": "不超过90周岁", "years": 90}
    capped = ServiceItem.model_validate({**base.model_dump(), "rules": [rule]})
    problems = check_application(
        capped,
        applicant=applicant(born="19300101"),
        fields=OLD_AGE_FIELDS,
        materials=OLD_AGE_MATERIALS,
        relation="self",
        principal=None,
        today=TODAY,
    )
    assert by_field(problems) == {
        "rule:max_age": "不超过90周岁：申请人现年96周岁，本事项限90周岁及以下"
    }


def test_applicant_problems_name_the_applicant_field() -> None:
    person = applicant() | {"id_number": "640522194001011230", "phone": "12345"}
    problems = by_field(check(OLD_AGE, applicant=person))
    assert (
        problems["applicant.id_number"] == "申请人身份证号码：最后一位（校验码）对不上，请逐位核对"
    )
    assert problems["applicant.phone"] == "申请人联系电话：手机号码应为以13—19开头的11位数字"
    assert "rule:min_age" not in problems  # no age without a valid number


def test_required_when() -> None:
    fields = OLD_AGE_FIELDS | {"living_situation": "独居"}
    problems = check(OLD_AGE, fields=fields)
    assert problems == [
        Problem(
            "fields.carer_phone",
            "独居老人须登记赡养人联系电话：此情形下须填写赡养人（照料人）电话",
            "error",
            "carer_phone",
        )
    ]
    assert check(OLD_AGE, fields=fields | {"carer_phone": "13995500001"}) == []


def test_material_only_needed_when_a_relative_files() -> None:
    relative = {
        "name": "马小兰",
        "id_number": id_number(born="19700505", seq="224"),
        "phone": "13995500002",
    }
    problems = check(OLD_AGE, relation="relative", principal=relative)
    assert problems == [
        Problem("materials.agent_id", "代办人居民身份证：必须提交", "error", "agent_id"),
    ]
    materials = OLD_AGE_MATERIALS | {"agent_id": "provided"}
    assert check(OLD_AGE, relation="relative", principal=relative, materials=materials) == []
    # an entrusted agent (受托人) is recorded too, but needs no ID copy for this item
    assert check(OLD_AGE, relation="agent", principal=relative) == []


@pytest.mark.parametrize("relation", ["relative", "guardian", "agent"])
@pytest.mark.parametrize(
    "principal",
    [None, {}, {"name": "", "id_number": " ", "phone": ""}],
    ids=["none", "{}", "blank"],
)
def test_whoever_files_for_the_applicant_must_be_recorded(
    relation: str, principal: dict[str, str] | None
) -> None:
    """Seen on main: 'by a relative' with the 代办人 fields empty passed, and the centre refused it."""
    problems = by_field(check(OLD_AGE, relation=relation, principal=principal))
    assert problems["principal.name"] == "代办人姓名：必填"
    assert problems["principal.id_number"] == "代办人身份证号码：必填"
    assert problems["principal.phone"] == "代办人联系电话：必填"


def test_a_principal_is_checked_field_by_field() -> None:
    bad = {"name": "马小兰2", "id_number": "640522700505224", "phone": "12345"}
    problems = by_field(check(OLD_AGE, relation="agent", principal=bad))
    assert problems["principal.name"] == "代办人姓名：姓名中不能有数字"
    assert problems["principal.id_number"] == (
        "代办人身份证号码：这是15位的旧身份证号码，请填写18位身份证号码"
    )
    assert problems["principal.phone"] == "代办人联系电话：手机号码应为以13—19开头的11位数字"


def test_a_minor_cannot_file_for_someone() -> None:
    """The walkthrough's 11-year-old was accepted as 代办人 and named 受托人 on paper."""
    child = {
        "name": "马小明",
        "id_number": id_number(born="20150101", seq="001"),
        "phone": "13995500002",
    }
    materials = OLD_AGE_MATERIALS | {"agent_id": "provided"}
    for relation in ("relative", "agent"):
        problems = by_field(check(OLD_AGE, relation=relation, principal=child, materials=materials))
        assert problems["principal.id_number"] == (
            "代办人身份证号码：代办人11周岁，未满18周岁，未成年人不能代为办理"
        )
    grown = child | {"id_number": id_number(born="20080101", seq="001")}  # 18 on TODAY
    assert check(OLD_AGE, relation="relative", principal=grown, materials=materials) == []


def test_in_person_takes_no_principal() -> None:
    assert check(OLD_AGE, relation="self", principal={"name": "", "phone": ""}) == []
    problems = by_field(check(OLD_AGE, relation="self", principal={"name": "马小兰"}))
    assert (
        problems["principal"]
        == "代办人：申请人本人办理，无需填写代办人；如由他人代办，请先选择办理方式"
    )


def test_a_guardian_files_as_a_relative_does_and_brings_the_same_id() -> None:
    """监护人 (a newborn's parent, the guardian of a person without capacity): recorded like
    a relative, and a rule asking a relative for 代办人身份证 asks the guardian too."""
    guardian = {
        "name": "马小兰",
        "id_number": id_number(born="19700505", seq="224"),
        "phone": "13995500002",
    }
    problems = check(OLD_AGE, relation="guardian", principal=guardian)
    assert problems == [
        Problem("materials.agent_id", "代办人居民身份证：必须提交", "error", "agent_id"),
    ]
    materials = OLD_AGE_MATERIALS | {"agent_id": "provided"}
    assert check(OLD_AGE, relation="guardian", principal=guardian, materials=materials) == []


@pytest.mark.parametrize(
    ("relation", "needed"), [("guardian", True), ("relative", False), ("self", False)]
)
def test_a_guardian_proves_the_guardianship(relation: str, needed: bool) -> None:
    """残疾人证: a guardian filing brings 监护关系证明, whatever the category."""
    from forms.validation import needed_materials

    asked = needed_materials(
        item("640522-CL-003"),
        applicant=applicant(),
        fields={"disability_category": "肢体"},
        relation=relation,
        today=TODAY,
    )
    assert ("guardianship_proof" in asked) is needed


def test_shipped_rules_for_a_relative_name_the_guardian_too() -> None:
    """A rule on 亲属代办 that left the guardian out would let a guardian file without an ID."""
    for entry in load_catalog().items:
        for rule in entry.rules:
            for condition in (rule.when, rule.unless):
                if condition is None or condition.field != "relation":
                    continue
                values = condition.value if isinstance(condition.value, list) else [condition.value]
                if "relative" in values and rule.material != "proxy_authorization":
                    assert "guardian" in values, (entry.code, rule.id)


def test_relation_must_be_known() -> None:
    assert by_field(check(OLD_AGE, relation="friend"))["relation"] == (
        "办理方式：“friend”应为本人办理、亲属代办、监护人代办或代办员代办之一"
    )


def test_material_states() -> None:
    materials = {
        "id_card": "deferred",
        "hukou": "shared",
        "application_form": "missing",
        "photo": "shared",
    }
    problems = by_field(check(OLD_AGE, materials=materials))
    assert problems == {
        "materials.id_card": "居民身份证：本事项不允许容缺",
        "materials.bank_card": "社会保障卡或存折复印件：未提交；如后补，请标记为容缺",
        "materials.application_form": "《高龄津贴申请审批表》：必须提交",
        "materials.photo": "近期一寸免冠照片：无法通过数据共享获取，须提交",
    }


def test_unknown_keys_are_reported() -> None:
    problems = by_field(
        check(
            OLD_AGE,
            fields=OLD_AGE_FIELDS | {"shoe_size": 42},
            materials=OLD_AGE_MATERIALS | {"x": "provided"},
        )
    )
    assert problems == {
        "fields.shoe_size": "shoe_size：本事项没有这个字段",
        "materials.x": "x：本事项没有这项材料",
    }


CANCEL_FIELDS = {
    "reason": "死亡",
    "insured_name": "马老汉",
    "insured_id_number": id_number(born="19400101"),
    "death_date": "2026-10-02",
    "heir_relation": "子女",
    "bank_name": "中国农业银行",
    "bank_account": "6228480402564890018",
}
CANCEL_MATERIALS = {
    "cancel_form": "provided",
    "applicant_id": "provided",
    "kinship_proof": "deferred",
    "hukou_cancellation": "shared",
}


def test_any_material_rule() -> None:
    person = applicant(born="19700101")
    assert (
        check(CANCELLATION, applicant=person, fields=CANCEL_FIELDS, materials=CANCEL_MATERIALS)
        == []
    )
    without = {k: v for k, v in CANCEL_MATERIALS.items() if k != "hukou_cancellation"}
    problems = check(CANCELLATION, applicant=person, fields=CANCEL_FIELDS, materials=without)
    assert problems == [
        Problem(
            "rule:death_proof",
            "因死亡注销须提供死亡证明材料：居民死亡医学证明（推断）书、火化证明、户籍注销证明至少提交一项",
            "error",
            "death_proof",
        )
    ]


def test_a_date_before_everyone_on_the_form_was_born_is_a_warning() -> None:
    """A 死亡日期 of 1930 for an insured man born in 1940 went in without a word."""
    person = applicant(born="19700101")
    fields = CANCEL_FIELDS | {"death_date": "1930-01-01"}
    problems = check(CANCELLATION, applicant=person, fields=fields, materials=CANCEL_MATERIALS)
    assert problems == [
        Problem(
            "fields.death_date",
            "参保人死亡日期：1930-01-01 早于表上人员的出生日期（1940-01-01），请核对",
            "warning",
        )
    ]
    assert not has_errors(problems)  # said, not refused
    later = CANCEL_FIELDS | {"death_date": "1950-01-01"}  # after the insured man's birth
    assert check(CANCELLATION, applicant=person, fields=later, materials=CANCEL_MATERIALS) == []


def test_rules_with_when_do_not_apply_in_other_situations() -> None:
    person = applicant(born="19700101")
    fields = CANCEL_FIELDS | {"reason": "已参加职工基本养老保险", "death_date": ""}
    materials = {"cancel_form": "provided", "applicant_id": "provided"}
    assert check(CANCELLATION, applicant=person, fields=fields, materials=materials) == []
    problems = by_field(
        check(
            CANCELLATION,
            applicant=person,
            fields=CANCEL_FIELDS | {"death_date": ""},
            materials=CANCEL_MATERIALS,
        )
    )
    assert problems == {
        "fields.death_date": "因死亡注销须填写死亡日期：此情形下须填写参保人死亡日期"
    }


CARE_FIELDS = {
    "disability_cert_number": id_number(born="19700101") + "43",
    "disability_category": "肢体",
    "disability_grade": "三级",
    "care_mode": "机构托养",
    "institution": "海原县社会福利中心",
    "bank_account": "6228480402564890018",
}
CARE_MATERIALS = {
    "application_form": "provided",
    "id_card": "provided",
    "hukou": "shared",
    "disability_cert": "shared",
    "bank_card": "provided",
}


@pytest.mark.parametrize(
    ("category", "grade", "refused"),
    [
        ("肢体", "三级", True),
        ("智力", "三级", False),
        ("精神", "四级", False),
        ("肢体", "一级", False),
    ],
)
def test_refuse_when_unless(category: str, grade: str, refused: bool) -> None:
    codes = {"肢体": "4", "智力": "5", "精神": "6", "一级": "1", "三级": "3", "四级": "4"}
    cert = id_number(born="19700101") + codes[category] + codes[grade]  # as the card says
    fields = CARE_FIELDS | {
        "disability_cert_number": cert,
        "disability_category": category,
        "disability_grade": grade,
    }
    problems = check(
        CARE, applicant=applicant(born="19700101"), fields=fields, materials=CARE_MATERIALS
    )
    expected = [
        Problem("rule:grade", "三级、四级仅限智力、精神残疾人：不符合受理条件", "error", "grade")
    ]
    assert problems == (expected if refused else [])


def test_age_condition_in_unless() -> None:
    fields = {
        "hukou_address": "关桥村",
        "has_work_capacity": True,
        "self_care": "具备生活自理能力",
        "income_annual": "1200",
        "property_note": "土坯房一间",
        "has_supporters": False,
        "care_mode": "分散供养",
        "bank_account": "6228480402564890018",
    }
    materials = {"application": "provided", "id_hukou": "shared", "authorization": "provided"}
    young = check(EXTREME, applicant=applicant(born="19800101"), fields=fields, materials=materials)
    assert by_field(young) == {"rule:work_capacity": "有劳动能力的不属于特困人员：不符合受理条件"}
    assert (
        check(EXTREME, applicant=applicant(born="19600101"), fields=fields, materials=materials)
        == []
    )


def dibao_fields(members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "hukou_address": "关桥村三组",
        "household_size": len(members),
        "reason": "户主患病，缺乏劳动力",
        "annual_income": "8000",
        "savings": "0",
        "housing": "自有住房一套",
        "owns_vehicle": False,
        "has_serious_illness": True,
        "has_disabled_member": False,
        "bank_name": "宁夏黄河农村商业银行",
        "bank_account": "6228480402564890018",
        "authorization_signed": True,
        "members": members,
    }


def member(name: str, relation: str, born: str, seq: str) -> dict[str, Any]:
    return {
        "name": name,
        "relation": relation,
        "id_number": id_number(born=born, seq=seq),
        "work_capacity": "部分丧失劳动能力",
        "health": "重病",
        "monthly_income": "300",
    }


DIBAO_MATERIALS = {
    "application": "provided",
    "id_hukou": "shared",
    "authorization": "provided",
    "commitment": "provided",
    "illness_proof": "deferred",
}


def test_dibao_with_family_members() -> None:
    members = [
        member("马福贵", "户主", "19700101", "123"),
        member("李秀英", "配偶", "19720303", "224"),
    ]
    assert check(DIBAO, fields=dibao_fields(members), materials=DIBAO_MATERIALS) == []
    members[1]["id_number"] = wrong_check(members[1]["id_number"])
    problems = by_field(check(DIBAO, fields=dibao_fields(members), materials=DIBAO_MATERIALS))
    assert problems == {
        "fields.members[1].id_number": "家庭成员第2行·身份证号码：最后一位（校验码）对不上，请逐位核对"
    }


def test_dibao_needs_at_least_one_member_and_illness_proof() -> None:
    materials = {k: v for k, v in DIBAO_MATERIALS.items() if k != "illness_proof"}
    fields = dibao_fields([]) | {"household_size": 1}
    problems = by_field(check(DIBAO, fields=fields, materials=materials))
    assert problems == {
        "fields.members": "家庭成员：应填写1至20行，现有0行",
        "materials.illness_proof": "重病、慢性病诊断证明或病历：未提交；如后补，请标记为容缺",
    }
    rules = [p.rule for p in check(DIBAO, fields=fields, materials=materials) if p.rule]
    assert rules == ["illness_proof"]


def test_in_condition_and_any_material_for_medical_insurance() -> None:
    fields = {"hukou_address": "关桥村", "category": "低保对象", "insured_year": 2027}
    problems = by_field(check(MEDICAL, fields=fields, materials={"hukou": "shared"}))
    assert problems == {"materials.status_proof": "困难群体身份证明：必须提交"}
    problems = by_field(check(MEDICAL, fields=fields | {"category": "普通居民"}, materials={}))
    assert problems == {"rule:identity": "须提供身份证或户口簿：居民身份证、户口簿至少提交一项"}


def test_has_errors_ignores_warnings() -> None:
    person = applicant() | {"id_number": id_number("999999", "19400101")}
    problems = check(OLD_AGE, applicant=person)
    assert [p.severity for p in problems] == ["warning"]
    assert not has_errors(problems)


SPECIAL = "640522-WJ-003"  # 计划生育家庭特别扶助金


def special_case(
    applicant_born: str, applicant_seq: str, spouse_born: str, spouse_seq: str
) -> list[Problem]:
    fields = {
        "support_type": "独生子女死亡",
        "spouse_name": "配偶",
        "spouse_id_number": id_number(born=spouse_born, seq=spouse_seq),
        "child_name": "马强",
        "child_death_date": "2020-05-01",
        "remarried_or_adopted": False,
        "bank_account": "6228480402564890018",
    }
    materials = {
        "application_form": "provided",
        "id_hukou": "shared",
        "marriage_proof": "shared",
        "only_child_proof": "deferred",
        "death_certificate": "shared",
    }
    return check(
        SPECIAL,
        applicant=applicant(born=applicant_born, seq=applicant_seq),
        fields=fields,
        materials=materials,
    )


def test_age_rule_on_a_form_id_field_and_a_sex_condition() -> None:
    # The wife applies: her own age counts.
    assert by_field(special_case("19800101", "222", "19700101", "111")) == {
        "rule:min_age": "女方年满49周岁：申请人现年46周岁，本事项要求年满49周岁"
    }
    # The husband applies: his wife's age (from the spouse's ID field) counts.
    assert by_field(special_case("19700101", "111", "19800101", "222")) == {
        "rule:wife_min_age": "女方年满49周岁：按配偶身份证号码计算年龄为46周岁，本事项要求年满49周岁"
    }
    assert special_case("19700101", "111", "19760101", "222") == []


# 容缺 deadlines -------------------------------------------------------------------------


def test_a_deferred_material_without_a_date_gets_the_items_default() -> None:
    assert check(OLD_AGE) == []
    deadlines = deferred_deadlines(item(OLD_AGE), OLD_AGE_MATERIALS, {}, TODAY)
    # 5 working days after Monday 23 November 2026
    assert deadlines == {"bank_card": date(2026, 11, 30)}
    given = deferred_deadlines(item(OLD_AGE), OLD_AGE_MATERIALS, {"bank_card": "2026-11-27"}, TODAY)
    assert given == {"bank_card": date(2026, 11, 27)}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "2026-13-45",
            "社会保障卡或存折复印件：补交期限“2026-13-45”不是有效日期（格式：年-月-日，如 2026-01-31）",
        ),
        (
            "下周",
            "社会保障卡或存折复印件：补交期限“下周”不是有效日期（格式：年-月-日，如 2026-01-31）",
        ),
        ("2026-11-23", "社会保障卡或存折复印件：补交期限应晚于今天"),
        ("2026-11-01", "社会保障卡或存折复印件：补交期限应晚于今天"),
        (
            "2026-12-01",
            "社会保障卡或存折复印件：补交期限不能晚于2026-11-30（本事项容缺材料须在5个工作日内补交）",
        ),
    ],
)
def test_a_wrong_supply_by_date_is_refused_naming_the_material(typed: str, message: str) -> None:
    """Seen on main: 2026-13-45 was dropped without a word and the receipt's 补交期限 was blank."""
    problems = check(OLD_AGE, supply_by={"bank_card": typed})
    assert problems == [Problem("materials.bank_card", message)]


def test_a_supply_by_date_only_for_a_deferred_material() -> None:
    problems = by_field(
        check(OLD_AGE, supply_by={"id_card": "2026-11-27", "nothing": "2026-11-27"})
    )
    assert problems == {
        "materials.id_card": "居民身份证：只有容缺材料才填写补交期限",
        "materials.nothing": "nothing：本事项没有这项材料",
    }


def test_the_representative_cannot_be_the_applicant() -> None:
    """The walkthrough filed 王兰 as her own 代办人 (亲属代为办理), and it went through."""
    herself = {
        "name": "马福贵",
        "id_number": applicant()["id_number"].lower(),
        "phone": "13995512345",
    }
    materials = OLD_AGE_MATERIALS | {"agent_id": "provided"}
    problems = check(OLD_AGE, relation="relative", principal=herself, materials=materials)
    assert by_field(problems) == {
        "principal.id_number": "代办人身份证号码：与申请人的相同；申请人本人来办，"
        "请在“由谁来办理”选本人办理"
    }
    assert has_errors(problems)


def test_a_family_member_with_the_applicant_s_id_or_listed_twice_is_refused() -> None:
    """A 配偶 with the applicant's own ID number was taken in, and the reviewer saw no sign."""
    own = applicant()["id_number"]
    spouse = {"name": "马小花", "relation": "配偶", "id_number": own}
    fields = {"hukou_address": "关桥村", "category": "普通居民", "insured_year": 2027}
    fields["family_members"] = [spouse]
    materials = {"hukou": "shared", "id_card": "provided"}
    problems = check(MEDICAL, fields=fields, materials=materials)
    assert by_field(problems) == {
        "fields.family_members[0].id_number": "同时参保的家庭成员第1行·身份证号码："
        "这是申请人本人的身份证号码，这里只填其他人"
    }
    child = {"name": "马小军", "relation": "子女", "id_number": id_number(born="20100101")}
    fields["family_members"] = [child, dict(child, name="马小军 ")]
    problems = check(MEDICAL, fields=fields, materials=materials)
    assert by_field(problems) == {
        "fields.family_members[1].id_number": "同时参保的家庭成员第2行·身份证号码："
        "与第1行的身份证号码相同，同一人只填一行"
    }
    fields["family_members"] = [child]
    assert check(MEDICAL, fields=fields, materials=materials) == []


def test_a_household_head_who_is_the_applicant_is_only_a_warning() -> None:
    """A 低保 household lists its 户主, who is often the applicant: said, not refused."""
    own = applicant()
    members = [member("马福贵", "户主", "19400101", "123")]
    assert members[0]["id_number"] == own["id_number"]
    problems = check(DIBAO, fields=dibao_fields(members), materials=DIBAO_MATERIALS)
    assert [(p.field, p.severity) for p in problems] == [("fields.members[0].id_number", "warning")]
    assert problems[0].message == "家庭成员第1行·身份证号码：与申请人的身份证号码相同，请核对"
    assert not has_errors(problems)
