"""Every document, read back from the PDF as a clerk or an auditor would read it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from printing import documents
from printing.model import CaseDocument, MaterialStatus, Party
from printing.pages import RenderedDocument
from printing.sample import (
    sample_acceptance,
    sample_case,
    sample_correction,
    sample_ledger_rows,
    sample_rejection,
)
from tests.unit.printing.conftest import (
    overlapping_words,
    page_size,
    pdf_fonts,
    pdf_info,
    pdf_text,
    render_png,
    word_boxes,
)

CASE = sample_case()
FULL_IDS = (CASE.applicant.id_number, CASE.represented.id_number, CASE.agent_id_number)
MASKED_APPLICANT = "640522********0033"
MASKED_PRINCIPAL = "640522********0011"
MM = 72 / 25.4


def _ledger() -> RenderedDocument:
    rows = sample_ledger_rows(60, date(2026, 11, 1))
    return documents.render_ledger(
        rows, date(2026, 11, 1), date(2026, 11, 30), "某某村便民服务站", "640522100201"
    )


RENDERERS: dict[str, Callable[[], RenderedDocument]] = {
    "receipt-a4": lambda: documents.render_receipt(CASE, "a4"),
    "receipt-80mm": lambda: documents.render_receipt(CASE, "80mm"),
    "notice-a4": lambda: documents.render_notice(CASE, "a4"),
    "notice-80mm": lambda: documents.render_notice(CASE, "80mm"),
    "authorization": lambda: documents.render_authorization(CASE),
    "ledger": _ledger,
    "rejection": lambda: documents.render_rejection(sample_rejection()),
    "correction": lambda: documents.render_correction(sample_correction()),
    "acceptance": lambda: documents.render_acceptance(sample_acceptance()),
}
TITLES = {
    "receipt-a4": "帮代办收件回执",
    "receipt-80mm": "帮代办收件回执",
    "notice-a4": "一次性告知书",
    "notice-80mm": "一次性告知书",
    "authorization": "授权委托书",
    "ledger": "帮代办登记台账",
    "rejection": "不予受理通知书",
    "correction": "补正告知书",
    "acceptance": "受理通知书",
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, RenderedDocument]:
    return {name: render() for name, render in RENDERERS.items()}


@pytest.mark.parametrize("name", list(RENDERERS))
def test_every_document_has_its_title_embedded_fonts_and_renders(
    name: str, rendered: dict[str, RenderedDocument], tmp_path: Path
) -> None:
    document = rendered[name]
    text = pdf_text(document.pdf)
    assert TITLES[name] in text
    assert document.warnings == []
    fonts = pdf_fonts(document.pdf, tmp_path)
    assert fonts, "no font in the PDF"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert render_png(document.pdf, tmp_path)
    assert pdf_info(document.pdf)["Title"] == TITLES[name]


@pytest.mark.parametrize("name", [n for n in RENDERERS if n != "ledger"])
def test_case_documents_carry_the_case_number(
    name: str, rendered: dict[str, RenderedDocument]
) -> None:
    assert CASE.case_number in pdf_text(rendered[name].pdf).replace("\n", "")


@pytest.mark.parametrize("name", [n for n in RENDERERS if n != "authorization"])
def test_no_full_id_number_except_on_the_authorization(
    name: str, rendered: dict[str, RenderedDocument]
) -> None:
    text = pdf_text(rendered[name].pdf)
    for full in FULL_IDS:
        assert full not in text
    assert "********" in text


@pytest.mark.parametrize("name", ["receipt-a4", "receipt-80mm"])
def test_receipt_shows_masked_ids_deferred_material_and_dates(
    name: str, rendered: dict[str, RenderedDocument]
) -> None:
    text = pdf_text(rendered[name].pdf)
    assert MASKED_APPLICANT in text and MASKED_PRINCIPAL in text
    assert "社会保障卡或银行存折" in text and "容缺后补" in text
    assert "2026年12月4日" in text  # the date to supply the deferred material
    assert "2026年12月14日" in text  # the expected completion date
    assert "15个工作日" in text
    assert "李秀兰" in text and "13909541234" in text
    assert "亲属代办" in text
    assert "海原县海城镇便民服务中心" in text  # where it goes next
    assert "不是受理通知书" in "".join(text.split())  # the station takes in, not accepts


def test_a4_receipt_is_one_page_with_a_cut_off_stub(rendered: dict[str, RenderedDocument]) -> None:
    pdf = rendered["receipt-a4"].pdf
    text = pdf_text(pdf)
    assert pdf_info(pdf)["Pages"] == "1"
    assert text.index("申请人留存") < text.index("沿虚线剪开") < text.index("（存根）")
    assert "便民服务站留存" in text
    assert text.count(CASE.case_number) >= 2  # on the resident's part and on the stub


def test_80mm_receipt_is_as_wide_as_the_roll(rendered: dict[str, RenderedDocument]) -> None:
    width, height = page_size(rendered["receipt-80mm"].pdf)
    assert width == pytest.approx(80 * MM, abs=0.5)
    assert height > width
    assert pdf_info(rendered["receipt-80mm"].pdf)["Pages"] == "1"


def test_notice_tells_each_missing_material_with_standard_and_deadline(
    rendered: dict[str, RenderedDocument],
) -> None:
    for name in ("notice-a4", "notice-80mm"):
        text = pdf_text(rendered[name].pdf).replace(" ", "")
        assert "社会保障卡或银行存折" in text
        assert "已激活" in text  # part of the standard it must meet
        assert "2026年12月4日" in text
        assert "居民户口簿" not in text  # shared by data: not asked for
        assert "13909541234" in text


def test_notice_with_nothing_missing_says_so() -> None:
    complete = dataclasses.replace(
        CASE,
        materials=tuple(
            dataclasses.replace(m, status=MaterialStatus.provided, supply_by=None)
            for m in CASE.materials
        ),
    )
    assert "材料齐全" in pdf_text(documents.render_notice(complete).pdf)


def test_authorization_names_item_powers_period_and_needs_a_thumbprint(
    rendered: dict[str, RenderedDocument],
) -> None:
    text = pdf_text(rendered["authorization"].pdf)
    assert CASE.principal is not None
    assert CASE.principal.id_number in text  # the law needs the full number here
    assert CASE.applicant.id_number in text  # the son who acts for his father (亲属代办)
    assert "马占福" in text and "马建国" in text
    assert "80周岁以上高龄津贴申领" in text and "仅限本事项" in text
    for power in ("填写", "提交申请材料", "领取办理结果"):
        assert power in text
    assert "无转委托权" in text
    assert "委托期限：自2026年11月22日起" in text
    assert "捺印" in text
    assert "男" in text  # sex read from the principal's ID number


def test_ledger_is_landscape_masked_numbered_and_paged(
    rendered: dict[str, RenderedDocument],
) -> None:
    pdf = rendered["ledger"].pdf
    width, height = page_size(pdf)
    assert width > height
    pages = int(pdf_info(pdf)["Pages"])
    assert pages >= 3
    text = pdf_text(pdf)
    compact = "".join(text.split())
    assert f"第1页共{pages}页" in compact
    assert f"第{pages}页共{pages}页" in compact
    assert text.count("办理事项") == pages  # the header row repeats on every page
    assert "2026年11月1日至2026年11月30日" in text
    assert "640522********" in text
    for column in (
        "收件日期",
        "群众姓名",
        "报送单位",
        "承诺",
        "实际",
        "送达情况",
        "评价",
        "代办员",
    ):
        assert column in text


def test_rejection_gives_reason_alternative_and_rights_of_review(
    rendered: dict[str, RenderedDocument],
) -> None:
    text = pdf_text(rendered["rejection"].pdf).replace("\n", "").replace(" ", "")
    assert "未满80周岁" in text
    assert "老年人优待证" in text  # where to apply instead
    assert "六十日内向海原县人民政府申请行政复议" in text
    assert "六个月内向海原县人民法院提起行政诉讼" in text
    assert "海原县海城镇便民服务中心（盖章）" in text  # the township decides, not the station
    assert "海城便民不受〔2026〕3号" in text


def test_correction_lists_what_to_supply_by_when(rendered: dict[str, RenderedDocument]) -> None:
    text = pdf_text(rendered["correction"].pdf).replace(" ", "")
    assert "社会保障卡或银行存折" in text and "高龄津贴申请表" in text
    assert "委托人本人捺印" in text
    assert "2026年12月4日前补正" in text


@pytest.mark.parametrize("render", [documents.render_receipt, documents.render_notice])
def test_a_reprint_is_marked_with_its_date(render: Callable[..., RenderedDocument]) -> None:
    reprint = dataclasses.replace(CASE, reprinted_on=date(2026, 11, 23))
    for fmt in ("a4", "80mm"):
        assert "补打 2026年11月23日" in pdf_text(render(reprint, fmt).pdf)
    assert "补打" not in pdf_text(render(CASE, "a4").pdf)


def test_a_character_the_font_lacks_is_reported_and_noted_on_the_page() -> None:
    rare = dataclasses.replace(
        CASE, principal=Party("马𠮷福", "640522194302080011", "0954-4012345")
    )
    for fmt in ("a4", "80mm"):
        result = documents.render_receipt(rare, fmt)
        assert any("U+20BB7" in w for w in result.warnings), result.warnings
        text = pdf_text(result.pdf)
        assert "马□福" in text
        assert "U+20BB7" in text and "手工补写" in text
    auth = documents.render_authorization(rare)
    assert any("U+20BB7" in w for w in auth.warnings)


def test_qr_code_content_is_ascii_only() -> None:
    from printing.flowables import qr_code

    with pytest.raises(ValueError):
        qr_code("640522100201-20261122-0007 马占福", 50)
    assert qr_code(CASE.verify_url or "", 50) is not None


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        documents.render_receipt(CASE, "a5")  # type: ignore[arg-type]


def test_a_case_without_principal_prints_the_applicant_as_the_resident() -> None:
    own: CaseDocument = dataclasses.replace(CASE, principal=None, relation="self")
    text = pdf_text(documents.render_receipt(own, "a4").pdf)
    assert "本人" in text and "委托人电话" not in text
    assert MASKED_APPLICANT in text
    # the resident's half and the station's stub say it in the same words (本人 / 本人办理)
    flat = "".join(text.split())
    assert "代办关系本人办理" in flat and "代办人本人办理" in flat


def test_a_long_receipt_flows_on_instead_of_shrinking_and_keeps_its_stub() -> None:
    many = tuple(
        dataclasses.replace(
            CASE.materials[1], name=f"家庭成员{i}的收入证明或村委会出具的家庭经济状况说明材料"
        )
        for i in range(12)
    )
    pdf = documents.render_receipt(dataclasses.replace(CASE, materials=many), "a4").pdf
    assert pdf_info(pdf)["Pages"] == "2"
    pages = pdf_text(pdf).split("\f")
    assert "家庭成员11" in pages[0]  # every material on the resident's part, full size
    assert "（存根）" in pages[1] and "沿虚线剪开" in pages[1]
    assert f"编号：{CASE.case_number}（第2页）" in "".join(pages[1].split())


def test_when_the_agent_acts_the_agent_is_authorised() -> None:
    # The village agent acting for the resident is entered as the acting person.
    agent = Party("李秀兰", CASE.agent_id_number, CASE.agent_phone)
    by_agent = dataclasses.replace(CASE, relation="agent", applicant=agent)
    text = pdf_text(documents.render_authorization(by_agent).pdf)
    assert CASE.agent_id_number in text and "李秀兰" in text and "代办员" in text
    own = dataclasses.replace(CASE, principal=None, relation="self")
    text = pdf_text(documents.render_authorization(own).pdf)
    assert CASE.applicant.id_number in text and CASE.agent_id_number in text


@pytest.mark.parametrize("name", list(RENDERERS))
def test_no_text_overlaps_or_leaves_the_page(
    name: str, rendered: dict[str, RenderedDocument]
) -> None:
    pdf = rendered[name].pdf
    assert overlapping_words(pdf) == []
    width, height = page_size(pdf)
    for words in word_boxes(pdf):
        for x0, y0, x1, y1, text in words:
            assert 0 <= x0 and x1 <= width and 0 <= y0 and y1 <= height, text


def test_the_overlap_check_sees_overlapping_text() -> None:
    import io

    from reportlab.pdfgen.canvas import Canvas

    from printing.fonts import find_cjk_font

    font = find_cjk_font(None).name
    buffer = io.BytesIO()
    canvas = Canvas(buffer, initialFontName=font)
    canvas.setFont(font, 12)
    canvas.drawString(100, 700, "申请人马建国")
    canvas.drawString(110, 703, "身份证号")
    canvas.save()
    assert overlapping_words(buffer.getvalue()) == [("身份证号", "申请人马建国")]
