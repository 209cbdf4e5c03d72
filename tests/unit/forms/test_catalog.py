"""The shipped catalog, the loader and the line-numbered checks a county runs on its files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from forms.catalog import (
    FIELD_TYPES,
    ITEM_TYPES,
    SHIPPED_CATALOG,
    CatalogError,
    ServiceItem,
    lint_catalog_dir,
    load_catalog,
)
from forms.catalog.check import check_path
from forms.catalog.lint import lint_item_text

HIGH_FREQUENCY = [
    "城乡居民基本养老保险参保登记",
    "城乡居民基本养老保险待遇申领",
    "城乡居民基本养老保险注销登记及丧葬补助金申领",
    "城乡居民基本医疗保险参保登记",
    "社会保障卡申领、补领、换领",
    "80周岁以上高龄津贴申领",
    "困难残疾人生活补贴申领",
    "重度残疾人护理补贴申领",
    "中华人民共和国残疾人证新办、换领、补办",
    "最低生活保障审核确认",
    "特困人员救助供养审核确认",
    "临时救助申请",
    "生育登记",
    "农村部分计划生育家庭奖励扶助金申领",
    "计划生育家庭特别扶助金申领",
    "农村村民宅基地和建房（规划许可）审批",
    "居住证申领",
    "老年人优待证申领",
    "城乡居民基本养老保险待遇领取资格认证",
    "基本医疗保险异地就医备案",
    "户口迁移（迁入）",
]


def test_the_shipped_catalog_has_the_high_frequency_rural_items() -> None:
    catalog = load_catalog()
    assert [item.name for item in catalog.items] == HIGH_FREQUENCY
    assert catalog.division == "640522"
    assert len(set(catalog.codes)) == len(catalog.codes)


@pytest.mark.parametrize("item", load_catalog().items, ids=lambda item: item.code)
def test_every_shipped_item_is_complete(item: ServiceItem) -> None:
    assert item.fields and item.materials
    assert item.item_type in ITEM_TYPES
    assert all(spec.type in FIELD_TYPES for spec in item.fields)
    assert item.basis.startswith("《")
    assert item.county_set, "figures that vary by place must be marked as the county's to set"
    assert set(item.county_set) <= set(ServiceItem.model_fields)
    assert item.legal_days == 0 or item.promised_days <= item.legal_days


def test_the_shipped_catalog_validates_without_issues() -> None:
    catalog, issues = lint_catalog_dir(SHIPPED_CATALOG)
    assert catalog is not None
    assert issues == []


def test_items_are_frozen() -> None:
    item = load_catalog().get("640522-MZ-001")
    with pytest.raises(Exception, match="frozen"):
        item.promised_days = 1  # type: ignore[misc]


def test_get_unknown_code() -> None:
    with pytest.raises(KeyError):
        load_catalog().get("NOPE-1")


def test_load_is_cached_and_notices_edits(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    first = load_catalog(copy)
    assert load_catalog(copy) is first
    item_file = copy / "items" / "18-senior-card.toml"
    item_file.write_text(
        item_file.read_text(encoding="utf-8").replace("version = 1", "version = 2")
    )
    assert load_catalog(copy).get("640522-MZ-005").version == 2


def test_a_broken_catalog_is_refused_whole(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    item_file = copy / "items" / "18-senior-card.toml"
    item_file.write_text(item_file.read_text(encoding="utf-8").replace("years = 60", "years = -1"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(copy)
    assert "18-senior-card.toml" in str(caught.value)
    assert "不能小于0" in str(caught.value)


def planted(original: str) -> str:
    """The 高龄津贴 file with three mistakes: a wrong type, zero copies, a rule naming no field."""
    text = original.replace('type = "phone"', 'type = "telephone"', 1)
    text = text.replace(
        'key = "photo"\nname = "近期一寸免冠照片"\ncopies = 1',
        'key = "photo"\nname = "近期一寸免冠照片"\ncopies = 0',
    )
    return text.replace('field = "carer_phone"', 'field = "carer_mobile"')


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def test_three_planted_mistakes_are_all_reported_with_item_field_and_line() -> None:
    original = (SHIPPED_CATALOG / "items" / "06-old-age-allowance.toml").read_text(encoding="utf-8")
    text = planted(original)
    item, issues = lint_item_text(text, "county.toml")
    assert item is None
    assert [(issue.line, issue.where) for issue in issues] == [
        (line_of(text, 'type = "telephone"'), "字段“carer_phone” › type"),
        (line_of(text, "copies = 0"), "材料“photo” › copies"),
        (line_of(text, 'field = "carer_mobile"'), "规则“carer_phone” › field"),
    ]
    assert all(issue.item == "640522-MZ-001 80周岁以上高龄津贴申领" for issue in issues)
    assert issues[0].message.startswith("“telephone”不是允许的取值，应为以下之一：")
    assert issues[1].message == "不能小于1"
    assert issues[2].message == "没有键为“carer_mobile”的字段"
    assert (
        str(issues[1])
        == f"county.toml:{line_of(text, 'copies = 0')}: 640522-MZ-001 80周岁以上高龄津贴申领: 材料“photo” › 份数(copies): 不能小于1"
    )


def test_cross_checks(tmp_path: Path) -> None:
    text = """
code = "640522-XX-001"
name = "测试事项"
item_type = "行政审批"
legal_days = 5
promised_days = 10
basis = "《测试办法》"

[[fields]]
key = "a"
label = "甲"
type = "choice"

[[fields]]
key = "a"
label = "乙"
type = "text"
unknown = 1

[[materials]]
key = "m"
name = "材料"

[[rules]]
id = "r"
kind = "material_when"
title = "规则"
material = "n"
when = { field = "zz", op = "true" }
"""
    _item, issues = lint_item_text(text, "x.toml")
    found = {(issue.line, issue.message) for issue in issues}
    assert found == {
        (18, "未知的键（是否拼写有误？）"),
        (
            4,
            "取值必须是以下之一：行政许可、行政确认、行政给付、行政奖励、行政裁决、其他行政权力、公共服务",
        ),
        (6, "承诺时限（10个工作日）超过了法定时限（5个工作日）"),
        (15, "“a”重复使用"),
        (12, "choice类型的字段必须列出可选项（options）"),
        (28, "没有键为“n”的材料"),
        (29, "条件引用了不存在的字段“zz”"),
    }


def test_toml_syntax_error_has_its_line() -> None:
    _item, issues = lint_item_text('code = "A-1"\nname = 测试\n', "x.toml")
    assert len(issues) == 1
    assert issues[0].line == 2
    assert issues[0].message.startswith("TOML 语法错误")


def test_missing_keys_point_at_their_block() -> None:
    text = 'code = "640522-XX-002"\nname = "测试"\nitem_type = "公共服务"\nlegal_days = 1\npromised_days = 1\nbasis = "《法》"\n\n[[fields]]\nkey = "a"\ntype = "text"\n\n[[materials]]\nkey = "m"\nname = "材料"\n'
    _item, issues = lint_item_text(text, "x.toml")
    assert [(i.line, i.where, i.message) for i in issues] == [
        (8, "字段“a” › label", "缺少必填的键")
    ]


def test_check_path_on_a_catalog_folder_with_a_bad_holiday_table(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    header = copy / "catalog.toml"
    header.write_text(header.read_text(encoding="utf-8").replace("2027-09-26", "2026-09-26"))
    issues, count = check_path(copy)
    assert count == 0
    text = header.read_text(encoding="utf-8")
    workdays_line = next(line for line in text.splitlines() if line.startswith("workdays"))
    assert [(i.message, i.line) for i in issues] == [
        ("2026-09-26不在2027年内", line_of(text, workdays_line))
    ]


def test_duplicate_item_codes(tmp_path: Path) -> None:
    copy = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(copy / "items" / "13-birth-registration.toml", copy / "items" / "99-copy.toml")
    issues, _count = check_path(copy)
    assert [i.message for i in issues] == [
        "事项编码640522-WJ-001已被13-birth-registration.toml使用"
    ]


def test_age_rule_field_must_be_an_id_number_field() -> None:
    original = (SHIPPED_CATALOG / "items" / "15-family-planning-special.toml").read_text(
        encoding="utf-8"
    )
    text = original.replace('field = "spouse_id_number"', 'field = "spouse_name"')
    _item, issues = lint_item_text(text, "x.toml")
    assert [(i.line, i.message) for i in issues] == [
        (
            line_of(text, 'field = "spouse_name"'),
            "年龄规则的 field 必须是身份证号码类型的字段，而不是“spouse_name”",
        )
    ]
