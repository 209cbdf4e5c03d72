"""An empty box says what it takes, never a value that looks typed in."""

from __future__ import annotations

from forms.catalog import load_catalog
from forms.catalog.model import FieldSpec
from station.widgets.fields import placeholder


def test_an_empty_box_hints_without_looking_filled_in() -> None:
    """参保年度 showed 0, amounts 0.00 and every phone 13800000000, a number that looked real."""
    year = load_catalog().get("640522-YB-001").field("insured_year")
    assert placeholder(year) == "2024–2035"
    phone = FieldSpec(key="phone", label="联系电话", type="phone")
    assert placeholder(phone) == "手机或座机号码"
    money = FieldSpec(key="amount", label="申请金额", type="money")
    assert placeholder(money) == "金额（元）"
    area = FieldSpec(key="area", label="占地面积（平方米）", type="money")
    assert placeholder(area) == "数值（平方米）"  # an area is no amount
    count = FieldSpec(key="n", label="家庭人口", type="integer")
    assert placeholder(count) == "整数"
    for spec in (year, phone, money, count):
        assert placeholder(spec) not in ("0", "0.00", "13800000000")
