"""What the township's papers must carry (DOMAIN's list), read off the page: the 受理通知书's
limits, materials, address and phone, and who completes the case; the 补正告知书's owed
容缺 materials and its closing words."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from printing import documents
from printing.model import MaterialLine, MaterialStatus
from printing.sample import sample_acceptance, sample_correction
from tests.unit.printing.conftest import pdf_text

TOWNSHIP_ITEM = dataclasses.replace(sample_acceptance(), decider="", legal_days=20, promised_days=3)
"""An item the township decides itself: legal 20 working days, promised 3."""


def _flat(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def _raw(pdf: bytes) -> str:
    import subprocess

    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return "".join(done.stdout.decode("utf-8").split())


def test_the_acceptance_gives_the_legal_limit_beside_the_promised_one() -> None:
    text = _flat(documents.render_acceptance(TOWNSHIP_ITEM).pdf)
    assert (
        "本事项法定办结时限为20个工作日，本机关承诺自受理之日起3个工作日内（2026年12月16日前）办结。"
        in text
    )
    assert "本机关于2026年11月25日决定予以受理。" in text
    unset = dataclasses.replace(TOWNSHIP_ITEM, legal_days=0)
    assert "本事项法律、法规未规定办结时限，本机关承诺" in _flat(
        documents.render_acceptance(unset).pdf
    )


def test_the_acceptance_lists_the_materials_received_and_the_applicants_address_and_phone() -> None:
    pdf = documents.render_acceptance(TOWNSHIP_ITEM).pdf
    text = _flat(pdf)
    assert "联系电话：0954-4012345（代办人13895401122）" in text
    assert "住址：海原县海城镇某某村三组18号" in text
    rows = _raw(pdf).split("收到的申请材料：")[1]
    assert "序号材料名称份数及形式收取情况" in rows
    assert "1高龄津贴申请表原件1份已收取" in rows
    assert "2居民身份证原件核验后退还，留存复印件1份原件已退还" in rows
    assert "3居民户口簿—数据共享免提交" in rows
    assert "4社会保障卡或银行存折复印件1份容缺后补（2026年12月4日前）" in rows


def test_an_acceptance_of_what_the_county_decides_names_the_department_and_promises_nothing() -> (
    None
):
    county = dataclasses.replace(TOWNSHIP_ITEM, decider="海原县社会保险事业管理中心")
    text = _flat(documents.render_acceptance(county).pdf)
    assert "本事项由海原县社会保险事业管理中心办结，本机关受理后报送该单位办理。" in text
    assert (
        "本事项法定办结时限为20个工作日，承诺办结时限为3个工作日，预计于2026年12月16日前办结。"
        in text
    )
    assert "本机关承诺" not in text and "属于本机关受理范围" in text
    spot = dataclasses.replace(county, legal_days=0, promised_days=0, due_date=county.decided_at)
    text = _flat(documents.render_acceptance(spot).pdf)
    assert "本事项为即办件，该单位收到后即时办理，预计于2026年11月25日办结。" in text
    assert "本机关于受理当日" not in text and "本机关承诺" not in text


def test_the_correction_notice_lists_owed_deferred_materials_with_their_days() -> None:
    notice = sample_correction()
    card = MaterialLine(
        "银行卡复印件", 1, False, MaterialStatus.deferred, date(2026, 12, 8), "本人名下"
    )
    case = dataclasses.replace(notice.case, materials=(*notice.case.materials, card))
    pdf = documents.render_correction(dataclasses.replace(notice, case=case)).pdf
    table = _raw(pdf).split("应符合的标准或要求")[1].split("以上为需补正的全部内容")[0]
    # the passbook, owed and asked for again, is listed once; the bank card copy is added
    assert table.count("社会保障卡或银行存折") == 1, table
    assert table.endswith(
        "3银行卡复印件复印件1份容缺受理，尚未补交，请于2026年12月8日前补交；本人名下"
    )
    text = _flat(pdf)
    assert "请于2026年12月4日前补正（容缺材料按表中所列期限补交）" in text


def test_the_correction_notice_threatens_no_withdrawal_the_law_does_not_give() -> None:
    text = _flat(documents.render_correction(sample_correction()).pdf)
    assert "视为撤回" not in text
    assert (
        "办理时限自收到齐全的补正材料之次日起重新计算。请在规定期限内补正；逾期未补正的，可能影响办理结果。"
        in text
    )
    assert not re.search("（容缺材料按表中所列期限补交）", text)  # none owed beyond the table
