"""Dates on paper say what they mean: 即办件 in words, calendar notes printed (issue 12)."""

from __future__ import annotations

import dataclasses
import re

from printing import documents
from printing.sample import sample_acceptance, sample_case
from tests.unit.printing.conftest import pdf_text

CASE = sample_case()
NOTE = "2027年节假日安排为县级暂定（待国务院公布），预计日期可能调整"


def _flat(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def test_an_acceptance_of_an_immediate_item_says_it_is_done_that_day() -> None:
    decision = sample_acceptance()
    immediate = dataclasses.replace(decision, promised_days=0, due_date=decision.decided_at)
    text = _flat(documents.render_acceptance(immediate).pdf)
    assert not re.search(r"(?<![0-9])0个工作日", text) and "为即办件" in text


def test_an_immediate_item_decided_at_the_station_is_done_on_the_spot() -> None:
    spot = dataclasses.replace(CASE, promised_days=0, due_date=CASE.received_at.date())
    text = _flat(documents.render_receipt(spot, "a4").pdf)
    assert "0个工作日" not in text and "当场办结" in text and "即办件" in text


def test_calendar_notes_reach_both_receipts() -> None:
    noted = dataclasses.replace(CASE, date_notes=(NOTE,))
    for fmt in ("a4", "80mm"):
        assert NOTE + "。" in _flat(documents.render_receipt(noted, fmt).pdf)  # type: ignore[arg-type]
    assert "节假日" not in _flat(documents.render_receipt(CASE, "a4").pdf)


def test_an_immediate_item_accepted_on_a_rest_day_is_done_on_the_next_working_day() -> None:
    """On main a Saturday's 受理通知书 (dated 12月5日) promised it done 受理当日（12月7日）."""
    from datetime import date

    saturday = dataclasses.replace(
        sample_acceptance(), decided_at=date(2026, 12, 5), promised_days=0,
        due_date=date(2026, 12, 7), decider="", legal_days=None,
    )  # fmt: skip
    text = _flat(documents.render_acceptance(saturday).pdf)
    assert "本事项为即办件，本机关于受理后的第一个工作日（2026年12月7日）办结" in text
    assert "受理当日" not in text


def test_an_acceptance_with_a_material_owed_says_so_not_that_all_is_there() -> None:
    """On main the 受理通知书 said 申请材料齐全 of a case accepted with its passbook owed."""
    decision = sample_acceptance()
    owed = [m.name for m in decision.case.materials if m.status == "deferred"]
    assert owed == ["社会保障卡或银行存折"]
    text = _flat(documents.render_acceptance(decision).pdf)
    assert "申请材料齐全" not in text
    assert "申请材料基本齐全、符合法定形式，其中社会保障卡或银行存折实行容缺受理，请于" in text
    whole = dataclasses.replace(decision, case=dataclasses.replace(decision.case, materials=()))
    assert "申请材料齐全、符合法定形式" in _flat(documents.render_acceptance(whole).pdf)


def test_materials_owed_on_different_days_each_keep_their_own_and_a_past_day_is_not_a_deadline() -> (
    None
):
    """On main the 受理通知书 gave every 容缺 material the earliest day, even one already
    past on the day of the decision."""
    from datetime import date

    from printing.model import MaterialLine, MaterialStatus

    decision = dataclasses.replace(sample_acceptance(), decided_at=date(2026, 12, 14))
    owed = (
        MaterialLine(
            "村民小组会议记录", 1, True, MaterialStatus.deferred, supply_by=date(2026, 12, 11)
        ),
        MaterialLine(
            "村委会审查意见", 1, True, MaterialStatus.deferred, supply_by=date(2026, 12, 16)
        ),
        MaterialLine(
            "相邻权利人意见", 1, True, MaterialStatus.deferred, supply_by=date(2026, 12, 16)
        ),
    )
    case = dataclasses.replace(decision.case, materials=owed)
    text = _flat(documents.render_acceptance(dataclasses.replace(decision, case=case)).pdf)
    assert (
        "其中村民小组会议记录、村委会审查意见、相邻权利人意见实行容缺受理："
        "村民小组会议记录原定2026年12月11日前补交，已逾期，请尽快补交，"
        "村委会审查意见、相邻权利人意见请于2026年12月16日前补交；"
    ) in text
    assert "请于2026年12月11日前" not in text


def test_a_refused_permit_is_a_decision_not_to_permit_with_its_reasons_and_rights() -> None:
    """行政许可法 §38: a refusal of a 行政许可 in writing, its reasons, 复议 and 诉讼."""
    refusal = dataclasses.replace(
        sample_acceptance(), permit=True, reason="拟建房位置位于基本农田保护范围内。",
        legal_basis="",
    )  # fmt: skip
    text = _flat(documents.render_denial(refusal).pdf)
    assert "不予行政许可决定书" in text and "不予批准" not in text
    assert "经审查，拟建房位置位于基本农田保护范围内。" in text
    assert (
        "根据《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。" in text
    )
    assert "可以自收到本决定书之日起六十日内" in text
