"""The document inputs: JSON in, the same dataclasses out; Chinese dates and numbers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from printing.fmt import cn_date, cn_datetime, fee_text, mask_id, money, sex_from_id
from printing.model import (
    CaseDocument,
    DecisionDocument,
    LedgerDocument,
    MaterialStatus,
    from_dict,
    to_dict,
)
from printing.sample import sample_case, sample_correction, sample_ledger_rows, sample_rejection
from tests.unit.printing.conftest import load_example


def test_the_shipped_example_is_the_sample_case() -> None:
    case = from_dict(CaseDocument, load_example("case.json"))
    assert case == sample_case()
    assert case.item_name == "80周岁以上高龄津贴申领"
    assert case.station_division == "640522100201"
    assert [m.name for m in case.deferred] == ["社会保障卡或银行存折"]
    assert case.supply_deadline == date(2026, 12, 4)


def test_decisions_and_ledger_examples_load() -> None:
    assert from_dict(DecisionDocument, load_example("rejection.json")) == sample_rejection()
    assert from_dict(DecisionDocument, load_example("correction.json")) == sample_correction()
    ledger = from_dict(LedgerDocument, load_example("ledger.json"))
    assert len(ledger.rows) == 6 and ledger.rows[0].received_on == date(2026, 11, 16)


def test_round_trip_and_types() -> None:
    case = sample_case()
    again = from_dict(CaseDocument, to_dict(case))
    assert again == case
    assert isinstance(again.received_at, datetime)
    assert again.materials[3].status is MaterialStatus.deferred
    assert isinstance(again.fee, Decimal)


def test_unknown_or_malformed_fields_are_refused() -> None:
    data = to_dict(sample_case())
    with pytest.raises(ValueError, match="colour"):
        from_dict(CaseDocument, {**data, "colour": "red"})
    with pytest.raises(ValueError):
        from_dict(CaseDocument, {**data, "due_date": "next week"})
    material = {**data["materials"][0], "original": "false"}
    with pytest.raises(ValueError, match="original"):
        from_dict(CaseDocument, {**data, "materials": [material]})
    del data["case_number"]
    with pytest.raises(ValueError, match="missing field.*case_number"):
        from_dict(CaseDocument, data)


def test_id_numbers_are_masked_the_official_way() -> None:
    assert mask_id("640522194302080011") == "640522********0011"
    assert mask_id("64052219430208001X") == "640522********001X"
    assert mask_id("640522430208001") == "640522*****8001"  # old 15-digit number
    assert mask_id("") == ""
    assert mask_id("1234") == "1234"


def test_sex_from_the_id_number() -> None:
    assert sex_from_id("640522194302080011") == "男"
    assert sex_from_id("640522198803150020") == "女"
    assert sex_from_id("") == ""


def test_dates_and_money_the_chinese_way() -> None:
    assert cn_date(date(2026, 11, 22)) == "2026年11月22日"
    assert cn_datetime(datetime(2026, 11, 22, 9, 5)) == "2026年11月22日 09:05"
    assert cn_date(None) == ""
    assert money(Decimal("1234.5")) == "1,234.50"
    assert money(20) == "20.00"
    assert fee_text(Decimal("0")) == "免费"
    assert fee_text(Decimal("20")) == "20.00元"
    assert fee_text(Decimal("0"), "free", "首次申领免收工本费") == "免费（首次申领免收工本费）"
    assert fee_text(Decimal("0"), "varies", "按年度缴费档次自选") == "按年度缴费档次自选"


def test_sample_ledger_ids_have_valid_check_characters() -> None:
    from stdnum.iso7064 import mod_11_2

    assert all(mod_11_2.is_valid(row.resident.id_number) for row in sample_ledger_rows(50))
