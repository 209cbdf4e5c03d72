"""The receipt says how its expected date was counted when days to report the case were added
to the promised limit: a resident counting 20 working days reached 1月4日, the paper said 1月7日."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from printing import documents
from printing.sample import sample_case
from tests.unit.printing.conftest import pdf_text

BASIS = "预计办结日期按报送3个工作日加承诺时限20个工作日计算"
FORMATS = ("a4", "a4-large", "80mm")


def _flat(doc: object, fmt: str) -> str:
    pdf = documents.render_receipt(doc, fmt).pdf  # type: ignore[arg-type]
    return "".join(pdf_text(pdf).split())


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_date_past_the_limit_says_it_adds_the_days_to_report_the_case(fmt: str) -> None:
    doc = replace(sample_case(), promised_days=20, forward_days=3, due_date=date(2027, 1, 7))
    text = _flat(doc, fmt)
    assert BASIS in text
    assert "2027年1月7日" in text


def test_the_a4_date_says_beside_the_limit_that_it_includes_the_days_to_report() -> None:
    doc = replace(sample_case(), promised_days=20, forward_days=3, due_date=date(2027, 1, 7))
    text = _flat(doc, "a4")
    assert "承诺时限20个工作日预计办结日期2027年1月7日（含报送3个工作日）" in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_immediate_item_says_its_date_is_the_days_to_report_it(fmt: str) -> None:
    doc = replace(sample_case(), promised_days=0, forward_days=1, due_date=date(2026, 11, 24))
    text = _flat(doc, fmt)
    assert "预计办结日期按报送1个工作日计算" in text and "加承诺时限" not in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_days_added_no_word_about_them(fmt: str) -> None:
    text = _flat(replace(sample_case(), forward_days=0), fmt)
    assert "按报送" not in text and "含报送" not in text
