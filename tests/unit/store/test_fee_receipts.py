"""The fee a receipt prints comes from the item's ``[fee]``, never from a figure in its text.

Cases of 医保参保, 社保卡 and 居住证 are taken in through the desk's core, their
receipts printed, and poppler reads back what the resident holds.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import pytest

from printing import documents
from station.documents.case import case_document
from station.services.cases import Application, CaseService, today_in_china
from station.store import StationStore
from tests.unit.store.conftest import application, id_number

AMOUNT = re.compile(r"收费：?[\d,]+\.\d\d元")
"""A fee printing a sum of money (``收费 2,026.00元``)."""


def flat_text(pdf: bytes) -> str:
    """The PDF's text in content order (a wrapped cell stays together), without whitespace."""
    done = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def _social_security_card() -> Application:
    return Application(
        item_code="640522-RS-004",
        applicant={
            "name": "马桂兰",
            "id_number": id_number("64052219620305002"),
            "phone": "13800000001",
        },
        fields={
            "reason": "补领（遗失）",
            "ethnicity": "回族",
            "bank": "中国农业银行",
            "collection_point": "村便民服务站代领",
        },
        materials={"id_card": "provided", "photo": "provided"},
    )


def _residence_permit() -> Application:
    return Application(
        item_code="640522-GA-001",
        applicant={
            "name": "李强",
            "id_number": id_number("62042219900712003"),
            "phone": "13800000002",
        },
        fields={
            "hukou_address": "甘肃省白银市会宁县某某村",
            "current_address": "海原县海城镇山门村二组",
            "residence_since": "2025-03-01",
            "reason": "居住",
        },
        materials={"id_card": "provided", "photo": "provided", "residence_proof": "provided"},
    )


def _receipt_text(service: CaseService, store: StationStore, filed: Application, fmt: Any) -> str:
    view = service.take_in(filed)
    item = service.catalog.get(view.item_code, int(view.item_version))
    doc = case_document(
        view,
        item,
        store.require_identity(),
        agent_name="王代办",
        agent_phone="13900000000",
        today=today_in_china(),
    )
    return flat_text(documents.render_receipt(doc, fmt).pdf)


@pytest.mark.parametrize("fmt", ["a4", "80mm"])
def test_medical_insurance_receipt_says_who_collects_the_contribution(
    service: CaseService, store: StationStore, fmt: str
) -> None:
    text = _receipt_text(service, store, application(), fmt)
    assert re.search(r"收费：?参保登记不收费；个人缴费按当年度标准由税务部门收取", text), text
    assert "2,026" not in text and "2026.00" not in text
    assert AMOUNT.search(text) is None


@pytest.mark.parametrize("fmt", ["a4", "80mm"])
def test_social_security_card_and_residence_permit_receipts_say_free(
    service: CaseService, store: StationStore, fmt: str
) -> None:
    for filed in (_social_security_card(), _residence_permit()):
        text = _receipt_text(service, store, filed, fmt)
        assert re.search(r"收费：?免费", text), text
        assert "20.00元" not in text
        assert AMOUNT.search(text) is None
