"""Honest dates on the receipt: 即办件 in words, travel days counted, provisional calendars told.

Cases are taken in through the desk's core, their receipt is built from the
store's view as ``daiban print`` builds it, and poppler reads the paper back.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, date, datetime

import pytest

from forms.workdays import due_date
from printing import documents
from printing.fmt import cn_date
from station.documents.case import case_document
from station.services.cases import CaseService
from station.store import StationStore
from sync.views import CaseView
from tests.unit.store.conftest import application

MONDAY = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in China, Monday 23 Nov 2026
LATE_DECEMBER = datetime(2026, 12, 21, 2, 0, tzinfo=UTC)


def _flat(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True)
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def _taken_in(service: CaseService, received: datetime) -> CaseView:
    view = service.take_in(application())  # 城乡居民医保参保登记: a 即办件, forwarded in 1 day
    return view.model_copy(update={"received_at": received})


def _paper(service: CaseService, store: StationStore, view: CaseView, fmt: str) -> str:
    item = service.catalog.get(view.item_code, int(view.item_version))
    doc = case_document(
        view,
        item,
        store.require_identity(),
        agent_name="王代办",
        agent_phone="13900000000",
        today=date(2026, 11, 23),
    )
    return _flat(documents.render_receipt(doc, fmt).pdf)  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["a4", "80mm"])
def test_an_immediate_item_says_so_and_counts_the_day_it_travels(
    service: CaseService, store: StationStore, fmt: str
) -> None:
    text = _paper(service, store, _taken_in(service, MONDAY), fmt)
    assert "0个工作日" not in text
    assert "即办件" in text
    # It reaches the township the next working day and is done there: not today.
    assert cn_date(date(2026, 11, 24)) in text
    assert cn_date(date(2026, 11, 23)) + "前" not in text


def test_a_promised_item_counts_the_travel_days_before_its_limit(
    service: CaseService, store: StationStore
) -> None:
    view = _taken_in(service, MONDAY)
    item = service.catalog.get("640522-RS-004")  # 社保卡: 30 working days, forwarded in 3
    filed = view.model_copy(update={"item_code": item.code, "promised_days": None})
    text = _paper(service, store, filed, "a4")
    expected = due_date(date(2026, 11, 23), item.path.forward_days + item.promised_days).date
    assert f"预计办结日期{cn_date(expected)}" in text
    assert f"{item.promised_days}个工作日" in text


@pytest.mark.parametrize("fmt", ["a4", "80mm"])
def test_a_date_counted_on_the_provisional_2027_table_says_it_may_move(
    service: CaseService, store: StationStore, fmt: str
) -> None:
    view = _taken_in(service, LATE_DECEMBER)
    item = service.catalog.get("640522-RS-004")
    filed = view.model_copy(update={"item_code": item.code, "promised_days": None})
    text = _paper(service, store, filed, fmt)
    assert "2027年节假日安排为县级暂定（待国务院公布），预计日期可能调整" in text
    within_2026 = _paper(service, store, _taken_in(service, MONDAY), fmt)
    assert "节假日安排" not in within_2026


def test_the_receipt_gives_the_hukou_address_when_no_other_was_given(
    service: CaseService, store: StationStore
) -> None:
    text = _paper(service, store, _taken_in(service, MONDAY), "a4")
    assert "住址杨郎村一组" in text  # the form's 户籍地址, not a blank


def test_an_address_typed_from_the_village_is_printed_from_the_county(
    service: CaseService, store: StationStore
) -> None:
    """住址：山门村一组 on a township's notice left the county and the township out."""
    from station.documents.prepare import document_for

    typed = application()
    typed = typed.model_copy(update={"fields": {**typed.fields, "hukou_address": "山门村一组"}})
    view = service.take_in(typed)
    doc = document_for(
        store, service.catalog, "receipt", view.case_number, today=date(2026, 11, 23)
    )
    text = _flat(documents.render_receipt(doc, "a4").pdf)  # type: ignore[arg-type]
    assert "住址海原县海城镇山门村一组" in text
