"""Every paper says how the station handled each material (issue 12): an ID card shown and
handed back is never printed as an original the station kept."""

from __future__ import annotations

import re
import subprocess

import pytest

from forms.catalog import Catalog
from printing import documents
from station.documents.case import case_document
from station.services.cases import CaseService, today_in_china
from station.store import StationStore
from tests.unit.store.conftest import application


def _flat(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-raw", "-", "-"], input=pdf, capture_output=True)
    return re.sub(r"\s+", "", done.stdout.decode("utf-8"))


def test_the_catalog_says_how_each_material_is_handled(catalog: Catalog) -> None:
    handled = {
        m.handled
        for item in catalog.items
        for m in item.materials
        if m.original and "身份证" in m.name
    }
    assert handled == {"returned"}  # a station never keeps a resident's ID card
    forms = [m for m in catalog.get("640522-MZ-001").materials if m.key == "application_form"]
    assert forms[0].handled == "kept"  # the signed application form is kept


@pytest.mark.parametrize("fmt", ["a4", "80mm"])
def test_the_id_card_is_printed_as_checked_and_returned(
    service: CaseService, store: StationStore, fmt: str
) -> None:
    view = service.take_in(application())  # 医保参保: 居民身份证, original checked and returned
    item = service.catalog.get(view.item_code, int(view.item_version))
    doc = case_document(
        view,
        item,
        store.require_identity(),
        agent_name="王代办",
        agent_phone="13900000000",
        today=today_in_china(),
    )
    text = _flat(documents.render_receipt(doc, fmt).pdf)  # type: ignore[arg-type]
    assert "居民身份证原件核验后退还，留存复印件1份" in text
    assert "原件已退还" in text
    assert "居民身份证原件1份已收取" not in text


@pytest.mark.parametrize("fmt", ["a4", "a4-large", "80mm"])
def test_a_material_brought_after_intake_is_printed_as_brought_not_as_owed(
    service: CaseService, store: StationStore, fmt: str
) -> None:
    """Reprinted after a 容缺 material was brought, the receipt said 已收取，…前补交 (the
    大字版) or 已收取 with the old day under 补交期限: brought, and still owed."""
    from printing.fmt import cn_date

    owing = application().model_copy(
        update={"materials": {"id_card": "provided", "birth_certificate": "deferred"}}
    )
    view = service.take_in(owing)
    owed = cn_date(view.supply_by["birth_certificate"])
    item = service.catalog.get(view.item_code, int(view.item_version))

    def printed() -> str:
        case = store.get_case(view.case_number)
        assert case is not None
        doc = case_document(
            case,
            item,
            store.require_identity(),
            agent_name="王代办",
            agent_phone="13900000000",
            today=today_in_china(),
        )
        return _flat(documents.render_receipt(doc, fmt).pdf)  # type: ignore[arg-type]

    assert owed in printed()  # still owed: its day is on the paper
    service.supplement(view.case_number, {"birth_certificate": "provided"})
    text = printed()
    assert re.search(f"已补交（?{cn_date(today_in_china())}", text)  # the day it was brought
    assert owed not in text and "前补交" not in text and "容缺" not in text
