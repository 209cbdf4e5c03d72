"""Who is who on paper: the resident is the 申请人, the person acting the 代办人 (issue 12)."""

from __future__ import annotations

import dataclasses

import pytest

from printing import documents
from printing.model import Party
from printing.sample import sample_case
from tests.unit.printing.conftest import pdf_text

CASE = sample_case()  # 马占福 (the resident), his son 马建国 acts for him
DRAFT_ID = "0192f5c4-7a8e-7c3b-9d41-5e2f8a6b1c0d"


def _line_with(text: str, label: str) -> str:
    """The first printed line that starts with ``label`` (a field of the form)."""
    return next(line for line in text.splitlines() if line.strip().startswith(label))


@pytest.mark.parametrize("fmt", ["a4", "80mm"])
def test_the_receipt_calls_the_resident_applicant_and_the_son_the_acting_person(fmt: str) -> None:
    text = pdf_text(documents.render_receipt(CASE, fmt).pdf)  # type: ignore[arg-type]
    assert "马占福" in _line_with(text, "申请人") and "马建国" not in _line_with(text, "申请人")
    assert "马建国" in _line_with(text, "代办人")
    assert "委托人" not in text  # the receipt is not the 授权委托书
    # The son is at the desk: he signs as the acting person, never as the applicant.
    assert "代办人" in text and "申请人（签字" not in text and "申请人签" not in text


def test_a_resident_who_comes_in_person_signs_as_the_applicant() -> None:
    own = dataclasses.replace(CASE, principal=None, relation="self")
    text = pdf_text(documents.render_receipt(own, "a4").pdf)
    assert "马建国" in _line_with(text, "申请人")
    assert "申请人（签字并捺印）" in text and "代办人（签字" not in text


def test_the_notice_asks_the_acting_person_to_sign() -> None:
    text = pdf_text(documents.render_notice(CASE, "a4").pdf)
    assert "代办人签收" in text and "申请人签收" not in text


def test_an_agent_acting_for_the_resident_is_authorised_with_id_and_phone() -> None:
    agent = Party("马丽", "64052219900101002x", "13995401234")
    by_agent = dataclasses.replace(CASE, relation="agent", applicant=agent, agent_id_number="")
    text = pdf_text(documents.render_authorization(by_agent).pdf)
    trustee = _line_with(text, "受托人")
    assert "马丽" in trustee and "13995401234" in trustee
    assert "64052219900101002X" in text and "002x" not in text  # the check x in capitals
    assert "640522194302080011" in text and "0954-4012345" in text  # the resident in full


def test_an_authorization_printed_from_a_draft_never_shows_the_draft_id() -> None:
    draft = dataclasses.replace(CASE, case_number=DRAFT_ID)
    text = "".join(pdf_text(documents.render_authorization(draft).pdf).split())
    assert DRAFT_ID not in text and "0192f5c4" not in text
    assert "办件编号____________________，收件后填写）" in text
    full = "".join(pdf_text(documents.render_authorization(CASE).pdf).split())
    assert f"办件编号{CASE.case_number}" in full


def test_an_unknown_phone_leaves_a_line_to_write_it_on() -> None:
    silent = dataclasses.replace(CASE, principal=dataclasses.replace(CASE.represented, phone=""))
    text = pdf_text(documents.render_authorization(silent).pdf)
    assert "联系电话 ____________" in " ".join(_line_with(text, "委托人").split())


def test_masked_numbers_print_the_check_character_in_capitals() -> None:
    lower = dataclasses.replace(
        CASE, principal=dataclasses.replace(CASE.represented, id_number="64052219430208001x")
    )
    text = pdf_text(documents.render_receipt(lower, "a4").pdf)
    assert "640522********001X" in text and "001x" not in text


def test_the_township_notices_are_signed_for_by_who_came() -> None:
    from printing.sample import sample_acceptance

    by_son = documents.render_acceptance(sample_acceptance()).pdf
    assert "代办人签收" in "".join(pdf_text(by_son).split())
    assert CASE.principal is not None
    alone = dataclasses.replace(
        CASE,
        applicant=CASE.principal,
        principal=None,
        relation="self",
        materials=tuple(m for m in CASE.materials if "代办人" not in m.name),  # no one's ID
    )
    in_person = documents.render_acceptance(dataclasses.replace(sample_acceptance(), case=alone))
    text = "".join(pdf_text(in_person.pdf).split())
    assert "申请人签收" in text and "代办人" not in text


def test_a_person_the_resident_entrusted_is_not_printed_as_the_station_agent() -> None:
    """受托人: the resident sent their son (not the station's 代办员): the receipt and the
    authorization say so, never 代办员代办 (the walkthrough's receipt did)."""
    son = Party("马建华", "640522197001010016", "13995409999")
    sent = dataclasses.replace(CASE, relation="agent", applicant=son)
    assert sent.agent_name != son.name
    for fmt in ("a4", "a4-large", "80mm"):
        text = "".join(pdf_text(documents.render_receipt(sent, fmt).pdf).split())
        assert "受托人代办" in text and "代办员代办" not in text, fmt
    warrant = pdf_text(documents.render_authorization(sent).pdf)
    assert "马建华" in _line_with(warrant, "受托人") and "代办员" not in _line_with(warrant, "住址")
    agent = Party(CASE.agent_name, "64052219900101002x", "13995401234")  # the 代办员 herself
    by_agent = dataclasses.replace(CASE, relation="agent", applicant=agent)
    text = "".join(pdf_text(documents.render_receipt(by_agent, "a4").pdf).split())
    assert "代办员代办" in text and "受托人代办" not in text


def test_a_guardian_on_the_receipt_is_the_guardian_not_a_trustee() -> None:
    """A guardian acts by law (法定代理): the receipt said 代办人（受托人）."""
    by_guardian = dataclasses.replace(CASE, relation="guardian")
    text = pdf_text(documents.render_receipt(by_guardian, "a4").pdf)
    assert "马建国" in _line_with(text, "监护人") and "受托人" not in text
    assert "监护人代办" in text
