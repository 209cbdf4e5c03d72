"""Every field type: good values pass, bad values get a Chinese message naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from forms import i18n
from forms.catalog import FieldSpec
from forms.catalog.model import FieldType
from forms.fieldtypes import normalise
from forms.identity import uscc_check_char
from forms.validation import validate_field
from tests.unit.forms.helpers import TODAY, id_number, wrong_check

N_CODE = "N2640522MA7654321" + uscc_check_char("N2640522MA7654321")


def spec(kind: FieldType, label: str = "测试项", **extra: Any) -> FieldSpec:
    return FieldSpec(**{"key": "probe", "label": label, "type": kind, **extra})


GOOD: list[tuple[FieldSpec, Any]] = [
    (spec("text"), "海原县关桥乡"),
    (spec("long_text"), "第一行\n第二行"),
    (spec("integer", min=1, max=20), 5),
    (spec("integer", min=1, max=20), "20"),
    (spec("money"), "1200.50"),
    (spec("money"), Decimal("0")),
    (spec("money"), 300),
    (spec("date", past_only=True), "2026-11-23"),
    (spec("date"), date(2027, 3, 1)),
    (spec("choice", options=["汉族", "回族"]), "回族"),
    (spec("multi_choice", options=["视力", "肢体", "智力"]), ["视力", "智力"]),
    (spec("multi_choice", options=["视力", "肢体", "智力"]), "视力、肢体"),
    (spec("boolean"), True),
    (spec("boolean"), "否"),
    (spec("phone"), "13995512345"),
    (spec("phone"), "0954-1234567"),
    (spec("phone"), "09554012345"),
    (spec("id_number"), id_number()),
    (spec("id_number"), "11010519491231002x"),
    (spec("uscc"), N_CODE),
    (spec("bank_account"), "6228 4804 0256 4890 018"),
    (spec("bank_account"), "６２２８４８０４０２５６４８９００１８"),
    (spec("money"), "１２３"),
    (spec("money"), "1,234.50"),
    (spec("money"), "¥1,234.50"),
    (spec("money"), "￥１２００元"),
    (spec("money"), "1200.5元"),
    (spec("integer", min=1, max=20), "１２"),
    (spec("date"), "2026/1/5"),
    (spec("date"), "２０２６-０１-０５"),
    (spec("date", past_only=True), "1900-01-01"),
    (spec("date"), "2028-11-23"),
    (spec("text", "申请人姓名"), "马福贵"),
    (spec("text", "姓名", key="name"), "阿卜杜·热合曼"),
    (spec("text", "家庭住址"), "三组12号"),
    (spec("phone"), "139 9551 2345"),
    (spec("phone"), "(0954)4012345"),
    (spec("id_number"), "11010519491231002X"),
]


@pytest.mark.parametrize(("field", "value"), GOOD, ids=lambda v: str(v)[:20])
def test_good_values_pass(field: FieldSpec, value: Any) -> None:
    assert validate_field(field, value, today=TODAY) is None


BAD: list[tuple[FieldSpec, Any, str]] = [
    (spec("text", "姓名"), "x" * 101, "姓名：最多100个字"),
    (spec("text", "姓名"), "张\n三", "姓名：只能填写一行"),
    (spec("text", "姓名", max_length=4), "欧阳娜娜娜", "姓名：最多4个字"),
    (spec("long_text", "申请理由"), 12, "申请理由：应为文字"),
    (spec("integer", "家庭人口", min=1, max=20), "3.5", "家庭人口：应为整数"),
    (spec("integer", "家庭人口", min=1, max=20), 0, "家庭人口：不能小于1"),
    (spec("integer", "家庭人口", min=1, max=20), 21, "家庭人口：不能大于20"),
    (spec("integer", "家庭人口"), True, "家庭人口：应为整数"),
    (spec("money", "年收入"), "-1", "年收入：不能为负数"),
    (spec("money", "年收入"), "12.345", "年收入：最多保留两位小数"),
    (spec("money", "年收入"), "一千", "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "年收入"), 12.5, "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "申请金额", max=50000), "50000.01", "申请金额：不能大于50000"),
    (spec("date", "死亡日期"), "2026-02-30", "死亡日期：日期无效（格式：年-月-日，如 2026-01-31）"),
    (spec("date", "死亡日期", past_only=True), "2026-11-24", "死亡日期：不能晚于今天"),
    (
        spec("choice", "民族", options=["汉族", "回族"]),
        "苗族",
        "民族：“苗族”不在可选项中（汉族、回族）",
    ),
    (
        spec("multi_choice", "残疾类别", options=["视力", "肢体"]),
        ["视力", "听力"],
        "残疾类别：“听力”不在可选项中（视力、肢体）",
    ),
    (spec("multi_choice", "残疾类别", options=["视力"]), 3, "残疾类别：应为可选项的列表"),
    (spec("boolean", "是否独居"), "也许", "是否独居：应为“是”或“否”"),
    (spec("phone", "联系电话"), "1399551234", "联系电话：手机号码应为以13—19开头的11位数字"),
    (spec("phone", "联系电话"), "12995512345", "联系电话：手机号码应为以13—19开头的11位数字"),
    (spec("phone", "联系电话"), "5551234", "联系电话：固定电话须带区号，如 0954-1234567"),
    # a mobile cut short (no local landline starts with 1): not told to add an area code
    (spec("phone", "联系电话"), "1381234", "联系电话：手机号码应为以13—19开头的11位数字"),
    (spec("phone", "联系电话"), "4012345", "联系电话：固定电话须带区号，如 0954-1234567"),
    (
        spec("phone", "联系电话"),
        "0954-76543",
        "联系电话：不是有效的电话号码（手机为11位数字；固定电话须带区号，如 0954-1234567）",
    ),
    (spec("id_number", "身份证号码"), "64052219600101123", "身份证号码：身份证号码应为18位"),
    (
        spec("id_number", "身份证号码"),
        "6405221960010112AX",
        "身份证号码：前17位应为数字，最后一位为数字或X",
    ),
    (
        spec("id_number", "身份证号码"),
        wrong_check(id_number()),
        "身份证号码：最后一位（校验码）对不上，请逐位核对",
    ),
    (
        spec("id_number", "身份证号码"),
        id_number(born="19610229"),
        "身份证号码：号码中的出生日期不存在",
    ),
    (
        spec("id_number", "身份证号码"),
        id_number(born="20261124"),
        "身份证号码：号码中的出生日期晚于今天",
    ),
    (spec("uscc", "信用代码"), N_CODE[:17], "信用代码：统一社会信用代码应为18位"),
    (
        spec("uscc", "信用代码"),
        N_CODE[:17] + "Z",
        "信用代码：含有统一社会信用代码不允许的字符（不使用I、O、S、V、Z）",
    ),
    (
        spec("uscc", "信用代码"),
        N_CODE[:17] + ("0" if N_CODE[17] != "0" else "1"),
        "信用代码：最后一位（校验码）对不上，请逐位核对",
    ),
    (spec("bank_account", "银行账号"), "6228-4804-02A", "银行账号：只能是数字"),
    (spec("bank_account", "银行账号"), "62284804021", "银行账号：应为12至19位数字"),
    (spec("bank_account", "银行账号"), "62284804025648900181", "银行账号：应为12至19位数字"),
    (
        spec("bank_account", "银行账号"),
        "6228 4804 0256 4890 019",
        "银行账号：卡号有误（校验位不对），请对照银行卡重新填写",
    ),
    (spec("money", "年收入"), "1,23", "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "年收入"), "12,34.5", "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "年收入"), "1.2.3", "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "年收入"), "NaN", "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "年收入"), "Infinity", "年收入：应为以元为单位的金额，例如 1200.50"),
    (spec("money", "年收入"), "１２.３４５", "年收入：最多保留两位小数"),
    (spec("date", "结婚日期"), "2026-13-45", "结婚日期：日期无效（格式：年-月-日，如 2026-01-31）"),
    (spec("date", "结婚日期"), "26-1-5", "结婚日期：日期无效（格式：年-月-日，如 2026-01-31）"),
    (spec("date", "结婚日期", past_only=True), "1899-12-31", "结婚日期：不能早于1900-01-01"),
    (spec("date", "预产期"), "2028-11-24", "预产期：不能晚于2028-11-23"),
    (spec("text", "申请人姓名"), "马福贵2", "申请人姓名：姓名中不能有数字"),
    (spec("text", "姓名", key="name"), "张３", "姓名：姓名中不能有数字"),
    (
        spec("id_number", "身份证号码"),
        "640522600101123",
        "身份证号码：这是15位的旧身份证号码，请填写18位身份证号码",
    ),
    (spec("phone", "联系电话"), "1399551234５6", "联系电话：手机号码应为以13—19开头的11位数字"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD, ids=lambda v: str(v)[:20])
def test_bad_values_are_errors_naming_the_field(field: FieldSpec, value: Any, message: str) -> None:
    problem = validate_field(field, value, today=TODAY)
    assert problem is not None
    assert problem.severity == "error"
    assert problem.message == message
    assert problem.field == f"fields.{field.key}"


def test_every_field_type_has_good_and_bad_cases() -> None:
    from forms.catalog import FIELD_TYPES

    assert {case[0].type for case in GOOD} == set(FIELD_TYPES)
    assert {case[0].type for case in BAD} == set(FIELD_TYPES)


def test_required_field_left_empty() -> None:
    problem = validate_field(spec("text", "户籍地址", required=True), "  ", today=TODAY)
    assert problem is not None and problem.message == "户籍地址：必填"
    assert validate_field(spec("text", "户籍地址"), None, today=TODAY) is None


def test_unknown_birthplace_is_only_a_warning() -> None:
    problem = validate_field(
        spec("id_number", "身份证号码"), id_number("999999", "19800101"), today=TODAY
    )
    assert problem is not None
    assert problem.severity == "warning"
    assert problem.message == "身份证号码：地址码999999不在行政区划代码表中，请核对"


def test_a_bank_card_failing_luhn_is_refused() -> None:
    """A UnionPay card (62..., 16-19 digits) always passes Luhn: a failure is a misread digit."""
    problem = validate_field(spec("bank_account", "银行账号"), "6228480402564890019", today=TODAY)
    assert problem is not None
    assert problem.severity == "error"
    assert problem.message == "银行账号：卡号有误（校验位不对），请对照银行卡重新填写"


def test_a_passbook_number_failing_luhn_is_only_a_warning() -> None:
    """存折 account numbers need not pass Luhn (the labels say 社保卡金融账户或存折账号)."""
    problem = validate_field(spec("bank_account", "银行账号"), "2900123456782", today=TODAY)
    assert problem is not None
    assert problem.severity == "warning"
    assert problem.message == "银行账号：卡号校验不通过，请再核对一遍"


def test_messages_in_english() -> None:
    i18n.set_language("en")
    problem = validate_field(spec("id_number", "ID number"), wrong_check(id_number()), today=TODAY)
    assert problem is not None and problem.message == "ID number: the check code is wrong"


NORMALISED: list[tuple[FieldSpec, Any, Any]] = [
    (spec("money"), "１２３", "123"),
    (spec("money"), "1,234.50", "1234.50"),
    (spec("money"), "¥1,234.50", "1234.50"),
    (spec("money"), "￥１２００元", "1200"),
    (spec("money"), "一千", "一千"),  # unreadable: kept for the check to refuse
    (spec("integer"), "１２", 12),
    (spec("date"), "2026/1/5", "2026-01-05"),
    (spec("date"), "2026年1月5日", "2026-01-05"),
    (spec("date"), "2026-13-45", "2026-13-45"),
    (spec("id_number"), "11010519491231002x", "11010519491231002X"),
    (spec("id_number"), "110105 19491231 002x", "11010519491231002X"),
    (spec("phone"), "139 9551 2345", "13995512345"),
    (spec("phone"), "（0954）4012345", "09544012345"),
    (spec("bank_account"), "6228-4804-0256-4890-018", "6228480402564890018"),
    (spec("boolean"), "是", True),
    (spec("multi_choice", options=["视力", "肢体"]), "视力、肢体", ["视力", "肢体"]),
    (spec("text"), "  关桥村 ", "关桥村"),
    (spec("uscc"), "n2640522ma7654321x", "N2640522MA7654321X"),
]


@pytest.mark.parametrize(("field", "typed", "stored"), NORMALISED, ids=lambda v: str(v)[:20])
def test_values_are_stored_normalised(field: FieldSpec, typed: Any, stored: Any) -> None:
    assert normalise(field, typed) == stored


def test_an_id_ending_in_lowercase_x_is_accepted() -> None:
    assert validate_field(spec("id_number"), "11010519491231002x", today=TODAY) is None


def test_path_can_be_given() -> None:
    problem = validate_field(spec("phone", "电话"), "123", path="applicant.phone", today=TODAY)
    assert problem is not None and problem.field == "applicant.phone"


WAN_READ = [
    ("3.5万", "35000"),
    ("1.2万元", "12000"),
    ("3万", "30000"),
    ("0.5万", "5000"),
    ("３.５万", "35000"),
    ("￥１万元", "10000"),
    ("1.23456万", "12345.6"),
]


@pytest.mark.parametrize(("typed", "stored"), WAN_READ)
def test_an_amount_in_wan_is_stored_as_the_plain_number(typed: str, stored: str) -> None:
    """3.5万 is how an amount is said at the desk: it is 35000 yuan, stored as 35000."""
    field = spec("money", "申请救助金额（元）")
    assert normalise(field, typed) == stored
    assert validate_field(field, typed, today=TODAY) is None


@pytest.mark.parametrize("typed", ["3万5", "万", "3.5万万", "万3", "3.5千"])
def test_an_amount_in_wan_that_is_no_number_is_refused(typed: str) -> None:
    problem = validate_field(spec("money", "年收入"), typed, today=TODAY)
    assert problem is not None
    assert problem.message == "年收入：应为以元为单位的金额，例如 1200.50"


def test_wan_is_refused_where_the_field_counts_another_unit() -> None:
    """In a field of 万元 (or 平方米) 3.5万 may mean 3.5 or 35000: the field says which to type."""
    for label, unit in (("项目金额（万元）", "万元"), ("建筑面积（平方米）", "平方米")):
        field = spec("money", label)
        problem = validate_field(field, "3.5万", today=TODAY)
        assert (
            problem is not None and problem.message == f"{label}：请填以{unit}为单位的数，不带“万”"
        )
        assert normalise(field, "3.5万") == "3.5万"  # kept as typed for the check to refuse
        assert validate_field(field, "3.5", today=TODAY) is None


def test_wan_does_not_pass_the_bounds_or_the_two_places() -> None:
    assert validate_field(spec("money", "申请金额", max=50000), "6万", today=TODAY) is not None
    problem = validate_field(spec("money", "年收入"), "1.2345678万", today=TODAY)
    assert problem is not None and problem.message == "年收入：最多保留两位小数"
