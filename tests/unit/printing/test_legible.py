"""Paper an 80-year-old can read: nothing small on the roll, the deadline largest (issue 12)."""

from __future__ import annotations

import dataclasses

import pytest

from forms.catalog.loader import load_catalog
from forms.catalog.model import ServiceItem
from printing import documents
from printing.model import CaseDocument, MaterialLine, MaterialStatus
from printing.sample import sample_case
from station.documents.case import next_step
from tests.unit.printing.conftest import pdf_info, pdf_text, word_sizes

CASE = sample_case()  # a relative acts for the resident; one material deferred
SMALLEST = 10 - 0.1  # a box's height is its type size to within 0.1 pt


@pytest.mark.parametrize(
    "render",
    [
        lambda: documents.render_receipt(CASE, "80mm"),
        lambda: documents.render_notice(CASE, "80mm"),
        lambda: documents.render_notice(CASE, "a4"),
    ],
    ids=["receipt-80mm", "notice-80mm", "notice-a4"],
)
def test_nothing_is_printed_under_10_points(render: object) -> None:
    sizes = word_sizes(render().pdf)  # type: ignore[operator]
    small = [(round(size, 1), text) for size, text in sizes if size < SMALLEST]
    assert small == []


def test_the_deadline_and_the_next_step_are_the_largest_type_after_the_title() -> None:
    sizes = word_sizes(documents.render_receipt(CASE, "80mm").pdf)
    title = max(size for size, _text in sizes)
    lead = {
        text: size for size, text in sizes if text.startswith(("预计办结：", "请于", "下一步："))
    }
    assert any("2026年12月14日" in text for text in lead)  # the expected date
    assert any("2026年12月4日前补交" in text for text in lead)  # what to bring, by when
    assert any(text.startswith("下一步：") for text in lead)
    largest = min(lead.values())
    assert all(size <= largest + 0.1 for size, _text in sizes if size < title - 0.1)
    labels = {text: size for size, text in sizes if text in ("编号：", "收件时间：", "承诺时限：")}
    assert len(labels) == 3 and max(labels.values()) < largest - 2
    assert "1." in {text for _size, text in sizes}  # the numbered terms are there too


def _with_representative(item: ServiceItem) -> CaseDocument:
    materials = tuple(
        MaterialLine(m.name, m.copies, m.original, MaterialStatus.provided, None, m.standard)
        for m in item.materials
    )
    return dataclasses.replace(
        CASE,
        item_code=item.code,
        item_name=item.name,
        item_version=item.version,
        promised_days=item.promised_days,
        next_step=next_step(item, CASE.township_name),
        materials=materials,
    )


def test_every_shipped_items_a4_receipt_is_one_sheet_with_its_stub() -> None:
    """On main 8 of the 21 items' receipts put the stub alone on a second sheet."""
    two_sheets = [
        item.code
        for item in load_catalog().items
        if pdf_info(documents.render_receipt(_with_representative(item), "a4").pdf)["Pages"] != "1"
    ]
    assert two_sheets == []


@pytest.mark.parametrize("item", load_catalog().items, ids=lambda item: item.code)
def test_the_a4_receipt_fits_or_breaks_cleanly_with_the_stub_whole(item: ServiceItem) -> None:
    pdf = documents.render_receipt(_with_representative(item), "a4").pdf
    pages = pdf_text(pdf).split("\f")
    assert int(pdf_info(pdf)["Pages"]) <= 2
    stub = next(i for i, page in enumerate(pages) if "（存根）" in page)
    for part in ("沿虚线剪开", "办件编号", "预计办结", "代办人签收（签字并捺印）"):
        assert part in pages[stub]  # the stub is whole on one page
    first = pages[0]
    assert "代办人（签字并捺印）" in first  # the resident's part is whole on page 1
    assert all(m.name[:6] in "".join(first.split()) for m in item.materials)
    if stub == 1:  # a clean break: nothing of the resident's part spills onto page 2
        assert "收取材料" not in pages[1] and "须知" not in pages[1]


def test_the_a4_receipts_terms_are_9_points_not_8() -> None:
    sizes = word_sizes(documents.render_receipt(CASE, "a4").pdf)
    terms = [size for size, text in sizes if "不是受理通知书" in text or "妥善保管本回执" in text]
    assert len(terms) == 2 and min(terms) >= 9 - 0.1
