"""An item's fee (收费标准) is structured data: free, a fixed amount, or a sum that varies."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from forms.catalog import SHIPPED_CATALOG, load_catalog
from forms.catalog.lint import lint_item_text
from forms.catalog.model import Fee, canonical_json
from forms.catalog.render import item_json
from forms.publish import publish, verify_published

ELDERLY = SHIPPED_CATALOG / "items" / "06-old-age-allowance.toml"
FREE_TABLE = "[fee]\nfree = true\n"


def _with_fee(table: str) -> str:
    original = ELDERLY.read_text(encoding="utf-8")
    assert FREE_TABLE in original
    return original.replace(FREE_TABLE, table)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[fee]\nfree = true\namount = 20\n",
            "收费须且只能填写以下一项：free = true（免费）、amount = 金额（元）或 varies = true（金额不固定）",
        ),
        ('[fee]\nnote = "按规定"\n', "收费须且只能填写以下一项"),
        ("[fee]\nvaries = true\n", "金额不固定的收费须在 note 中说明如何缴纳"),
        ("[fee]\namount = 0\n", "应大于0"),
        ("[fee]\namount = 1.255\n", "最多2位小数"),
        ('[fee]\namount = "二十元"\n', "应为数字"),
        ("[fee]\nfree = true\nprice = 20\n", "未知的键"),
    ],
)
def test_lint_rejects_a_bad_fee_at_its_line(table: str, message: str) -> None:
    text = _with_fee(table)
    item, issues = lint_item_text(text, "county.toml")
    assert item is None
    errors = [issue for issue in issues if issue.severity == "error"]
    assert len(errors) == 1, errors
    assert errors[0].message.startswith(message), errors[0].message
    assert errors[0].where.startswith("fee")
    fee_line = text.splitlines().index("[fee]") + 1
    assert errors[0].line is not None and errors[0].line >= fee_line


def test_a_fixed_amount_and_a_fee_that_varies() -> None:
    fixed, _issues = lint_item_text(_with_fee("[fee]\namount = 12.5\n"), "county.toml")
    assert fixed is not None and fixed.fee.amount == Decimal("12.5")
    assert fixed.fee.kind == "fixed" and fixed.fee.text() == "12.50元"
    varies = '[fee]\nvaries = true\nnote = "按年度缴费档次自选，由税务部门收取"\nbasis = "国发〔2014〕8号"\n'
    item, _issues = lint_item_text(_with_fee(varies), "county.toml")
    assert item is not None and item.fee.kind == "varies"
    assert item.fee.text() == "按年度缴费档次自选，由税务部门收取"
    assert item.fee.basis == "国发〔2014〕8号"


def test_an_older_item_file_with_fee_text_still_loads_with_a_warning() -> None:
    old = 'version = 1\nfee = "不收费（评残体检费按县规定减免）"\n'
    text = _with_fee("").replace("version = 1\n", old, 1)
    item, issues = lint_item_text(text, "county.toml")
    assert item is not None
    assert item.fee == Fee(free=True, note="评残体检费按县规定减免")
    assert [issue.severity for issue in issues] == ["warning"]
    assert "[fee]" in issues[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不收费", Fee(free=True)),
        ("免费", Fee(free=True)),
        ("", Fee(free=True)),
        (
            "首次申领免费；补领、换领工本费每张20元（县自定）",
            Fee(varies=True, note="首次申领免费；补领、换领工本费每张20元（县自定）"),
        ),
        (
            "不收费（参保缴费按当年度个人缴费标准另行缴纳，2026年度暂按每人每年400元）",
            Fee(free=True, note="参保缴费按当年度个人缴费标准另行缴纳，2026年度暂按每人每年400元"),
        ),
    ],
)
def test_fee_text_of_an_older_catalog_never_becomes_an_amount(text: str, expected: Fee) -> None:
    assert Fee.from_text(text) == expected
    assert Fee.from_text(text).amount is None


def test_a_published_catalog_with_fee_text_still_verifies_and_loads() -> None:
    document = json.loads(publish(load_catalog()))
    for raw in document["catalog"]["items"]:
        raw["fee"] = "不收费" if raw["fee"].get("free") else "按规定标准缴纳"
    document["sha256"] = hashlib.sha256(canonical_json(document["catalog"])).hexdigest()
    catalog = verify_published(canonical_json(document))
    assert catalog.get("640522-MZ-001").fee == Fee(free=True)
    assert catalog.get("640522-YB-001").fee == Fee(varies=True, note="按规定标准缴纳")
    # A free item of the old catalog is the same item version as the new one.
    assert catalog.get("640522-MZ-001") == load_catalog().get("640522-MZ-001")


def test_catalog_show_json_gives_the_fee_as_data_and_words() -> None:
    data = item_json(load_catalog().get("640522-GA-001"))
    assert data["fee"]["free"] is True
    assert data["fee_text"].startswith("免费（首次申领免收工本费")
