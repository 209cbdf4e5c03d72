"""Dates on paper say what they mean: 即办件 in words, calendar notes printed (issue 12)."""

from __future__ import annotations

import dataclasses

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
    assert "0个工作日" not in text and "本事项为即办件" in text


def test_an_immediate_item_decided_at_the_station_is_done_on_the_spot() -> None:
    spot = dataclasses.replace(CASE, promised_days=0, due_date=CASE.received_at.date())
    text = _flat(documents.render_receipt(spot, "a4").pdf)
    assert "0个工作日" not in text and "当场办结" in text and "即办件" in text


def test_calendar_notes_reach_both_receipts() -> None:
    noted = dataclasses.replace(CASE, date_notes=(NOTE,))
    for fmt in ("a4", "80mm"):
        assert NOTE + "。" in _flat(documents.render_receipt(noted, fmt).pdf)  # type: ignore[arg-type]
    assert "节假日" not in _flat(documents.render_receipt(CASE, "a4").pdf)
