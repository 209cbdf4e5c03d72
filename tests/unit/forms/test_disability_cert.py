"""A 残疾人证号 is read as the card is made: the holder's ID, then category and grade."""

from __future__ import annotations

from datetime import date

from forms.catalog.loader import load_catalog
from forms.validation import check_application

HOLDER = "640522194311204522"
SUBSIDY = load_catalog().get(
    next(i.code for i in load_catalog().items if i.name.startswith("困难残疾人生活补贴"))
)


def _said(cert: str, category: str = "视力", grade: str = "一级") -> list[str]:
    problems = check_application(
        SUBSIDY,
        applicant={"name": "马秀兰", "id_number": HOLDER, "phone": "13895401122"},
        fields={
            "disability_cert_number": cert,
            "disability_category": category,
            "disability_grade": grade,
        },
        materials={},
        today=date(2026, 12, 5),
    )
    return [p.message for p in problems if p.field == "fields.disability_cert_number"]


def test_a_number_that_says_another_category_and_grade_is_said() -> None:
    """It ended 42 (肢体二级) with 视力一级 chosen, and nothing was said."""
    said = _said(HOLDER + "42")
    assert "残疾人证号：残疾类别位为 4，即“肢体”，与所选“视力”不符" in said
    assert "残疾人证号：残疾等级位为 2，即“二级”，与所选“一级”不符" in said


def test_a_number_that_matches_the_form_and_the_applicant_passes() -> None:
    assert _said(HOLDER + "11") == []
    assert _said(HOLDER + "42", "肢体", "二级") == []


def test_another_holder_or_an_old_card_is_a_warning_not_a_refusal() -> None:
    other = check_application(
        SUBSIDY,
        applicant={"name": "马秀兰", "id_number": HOLDER},
        fields={"disability_cert_number": "64052219400101010111"},
        materials={},
        today=date(2026, 12, 5),
    )
    warned = [p for p in other if p.field == "fields.disability_cert_number"]
    assert [p.severity for p in warned] == ["warning"]
    assert "前 18 位与申请人身份证号不一致" in warned[0].message
    assert any("第二代残疾人证号为 20 位" in m for m in _said("12345"))
