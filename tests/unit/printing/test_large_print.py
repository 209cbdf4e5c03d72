"""The large-print (大字版) A4 receipt for an elderly resident, and the QR codes read back
by a decoder the way a phone reads them (issue 12)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from forms.catalog.loader import load_catalog
from forms.catalog.model import ServiceItem
from printing import documents
from printing.jobs import FORMATS, render
from printing.sample import sample_acceptance, sample_case, sample_correction
from tests.unit.printing.conftest import (
    pdf_info,
    pdf_text,
    render_png,
    word_boxes,
    word_sizes,
)
from tests.unit.printing.test_legible import _with_representative

CASE = sample_case()  # a relative acts for an 83-year-old; the passbook deferred
LARGE_FLOOR = 12 - 0.1


def test_the_large_print_receipt_is_12_points_or_more_with_the_date_first() -> None:
    pdf = documents.render_receipt(CASE, "a4-large").pdf
    pages = word_boxes(pdf)
    resident = [(y1 - y0, text) for _x0, y0, _x1, y1, text in pages[0]]
    assert "（存根）" not in "".join(text for _size, text in resident)  # the stub is on page 2
    small = [(round(size, 1), text) for size, text in resident if size < LARGE_FLOOR]
    assert small == []
    lead = {text: size for size, text in resident if text.startswith(("预计办结：", "下一步："))}
    assert any("2026年12月14日" in text for text in lead)
    assert min(lead.values()) >= 18 - 0.1  # the expected date and the next step: 18 pt
    words = "".join(text for _size, text in resident)
    assert "请于2026年12月4日前补交：社会保障卡或银行存折" in words
    assert "申请人：马占福" in words and "代办人：马建国（亲属代办）" in words


def test_the_large_print_receipt_says_less_than_the_ordinary_one() -> None:
    large = "".join(pdf_text(documents.render_receipt(CASE, "a4-large").pdf).split())
    ordinary = "".join(pdf_text(documents.render_receipt(CASE, "a4").pdf).split())
    resident_large = large.split("（存根）")[0]
    resident_ordinary = ordinary.split("（存根）")[0]
    assert len(resident_large) < len(resident_ordinary) * 0.8
    for must in ("马占福", "马建国", "80周岁以上高龄津贴申领", "免费", "手机扫码查进度"):
        assert must in resident_large
    # without a smartphone she asks by phone, and knows the promise (both were left out)
    assert f"电话查进度：{''.join(CASE.enquiry.split())}" in resident_large
    assert "承诺时限：15个工作日" in resident_large
    assert "事项编码" not in resident_large  # codes and versions are for the office, not her
    assert "代办人（签字捺印）" in resident_large


@pytest.mark.parametrize("item", load_catalog().items, ids=lambda item: item.code)
def test_large_print_breaks_cleanly_for_every_shipped_item(item: ServiceItem) -> None:
    pdf = documents.render_receipt(_with_representative(item), "a4-large").pdf
    pages = pdf_text(pdf).split("\f")
    assert int(pdf_info(pdf)["Pages"]) <= 3
    stub = next(i for i, page in enumerate(pages) if "（存根）" in page)
    for part in ("第二联", "办件编号", "预计办结", "代办人签收（签字并捺印）"):
        assert part in pages[stub]
    assert "代办人（签字捺印）" in "".join(pages[: stub + 1])  # the resident's part, then the stub
    assert "请注意" not in pages[stub].split("（存根）")[1]
    # a cut line only where there is something above it to cut off
    alone = "代办人（签字捺印）" not in pages[stub]
    assert ("沿虚线剪开" in pages[stub]) is not alone


def test_a_stub_on_a_page_of_its_own_has_no_cut_line_on_top() -> None:
    """On main page 2 of the 大字版 opened with 沿虚线剪开 上联交申请人 over a blank page."""
    pdf = documents.render_receipt(CASE, "a4-large").pdf
    pages = pdf_text(pdf).split("\f")
    assert pdf_info(pdf)["Pages"] == "2"
    assert "（存根）" not in pages[0] and "代办人（签字捺印）" in pages[0]
    assert "沿虚线剪开" not in pages[1]
    assert "".join(pages[1].split()).index("帮代办收件回执（存根）第二联便民服务站留存") >= 0


def test_large_print_is_offered_for_receipts_and_notices_only() -> None:
    assert "a4-large" in FORMATS["receipt"] and "a4-large" in FORMATS["notice"]
    with pytest.raises(ValueError, match="a4-large"):
        render("authorization", CASE, "a4-large")
    notice = render("notice", CASE, "a4-large").pdf
    assert min(size for size, _text in word_sizes(notice)) >= LARGE_FLOOR


def _decoded(pdf: bytes, tmp_path: Path) -> list[str]:
    texts = []
    for page in render_png(pdf, tmp_path, resolution=150):
        texts += [found.text for found in zxingcpp.read_barcodes(Image.open(page))]
    return texts


@pytest.mark.parametrize("fmt", ["a4", "a4-large", "80mm"])
def test_the_receipt_qr_decodes_to_the_progress_page(fmt: str, tmp_path: Path) -> None:
    url = "https://zwfw.haiyuan.gov.cn/p/8f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5"
    case = dataclasses.replace(CASE, verify_url=url)
    assert _decoded(documents.render_receipt(case, fmt).pdf, tmp_path) == [url]


def test_decision_notices_carry_the_progress_qr_and_say_so(tmp_path: Path) -> None:
    url = "https://zwfw.haiyuan.gov.cn/p/00112233445566778899aabbccddeeff"
    for make, render_it in (
        (sample_acceptance, documents.render_acceptance),
        (sample_correction, documents.render_correction),
    ):
        decision = make()
        decision = dataclasses.replace(
            decision, case=dataclasses.replace(decision.case, verify_url=url)
        )
        pdf = render_it(decision).pdf
        assert _decoded(pdf, tmp_path) == [url]
        assert "扫码查询进度" in "".join(pdf_text(pdf).split())
    without = dataclasses.replace(
        sample_acceptance(), case=dataclasses.replace(CASE, verify_url=None)
    )
    pdf = documents.render_acceptance(without).pdf
    assert _decoded(pdf, tmp_path) == []
    assert "凭办件编号查询" in "".join(pdf_text(pdf).split())
