"""``daiban catalog list|show|search|validate``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from daiban.cli import app
from forms.catalog import SHIPPED_CATALOG

runner = CliRunner()


def test_list_json() -> None:
    result = runner.invoke(app, ["catalog", "list", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["version"] == "2026.11.3"
    assert len(data["items"]) == 21


def test_show_json_has_fields_and_materials_in_the_agreed_shape() -> None:
    result = runner.invoke(app, ["catalog", "show", "640522-MZ-001", "--json"])
    assert result.exit_code == 0
    item = json.loads(result.stdout)
    assert item["name"] == "80周岁以上高龄津贴申领"
    living = next(field for field in item["fields"] if field["key"] == "living_situation")
    assert {"key", "label", "type", "required", "options"} <= set(living)
    assert living["type"] == "choice" and living["required"] is True
    account = next(field for field in item["fields"] if field["key"] == "bank_account")
    assert "options" not in account
    hukou = next(m for m in item["materials"] if m["key"] == "hukou")
    assert {
        "key": "hukou",
        "name": "户口簿首页及本人页复印件",
        "required": True,
        "deferrable": True,
    }.items() <= hukou.items()


def test_show_text_and_unknown_code() -> None:
    result = runner.invoke(app, ["catalog", "show", "640522-MZ-002"])
    assert result.exit_code == 0
    assert "家庭成员" in result.stdout
    missing = runner.invoke(app, ["catalog", "show", "NOPE-9"])
    assert missing.exit_code == 1
    assert "没有编码为NOPE-9的事项" in missing.stderr


def test_search_gljt_finds_the_old_age_allowance() -> None:
    result = runner.invoke(app, ["catalog", "search", "gljt"])
    assert result.exit_code == 0
    assert "80周岁以上高龄津贴申领" in result.stdout.splitlines()[0]
    data = json.loads(runner.invoke(app, ["catalog", "search", "gljt", "--json"]).stdout)
    assert data["items"][0]["short_name"] == "高龄津贴"


def test_validate_the_shipped_catalog() -> None:
    result = runner.invoke(app, ["catalog", "validate", str(SHIPPED_CATALOG)])
    assert result.exit_code == 0
    assert "未发现问题（共21个事项）" in result.stdout


def test_validate_reports_three_planted_mistakes_with_lines(tmp_path: Path) -> None:
    original = (SHIPPED_CATALOG / "items" / "06-old-age-allowance.toml").read_text(encoding="utf-8")
    bad = original.replace('type = "phone"', 'type = "telephone"', 1)
    bad = bad.replace("copies = 1\nrequired = false", "copies = 0\nrequired = false", 1)
    bad = bad.replace('field = "carer_phone"', 'field = "carer_mobile"')
    target = tmp_path / "county-item.toml"
    target.write_text(bad, encoding="utf-8")
    lines = bad.splitlines()
    type_line = lines.index('type = "telephone"') + 1
    copies_line = lines.index("copies = 0") + 1
    rule_line = lines.index('field = "carer_mobile"') + 1
    item = "640522-MZ-001 80周岁以上高龄津贴申领"
    result = runner.invoke(app, ["catalog", "validate", str(target)])
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith(
        f"{target}:{type_line}: {item}: 字段“carer_phone” › 类型(type): “telephone”"
    )
    assert out[1] == f"{target}:{copies_line}: {item}: 材料“photo” › 份数(copies): 不能小于1"
    assert (
        out[2]
        == f"{target}:{rule_line}: {item}: 规则“carer_phone” › field: 没有键为“carer_mobile”的字段"
    )
    assert out[3] == "3个错误，0个警告"
    data = json.loads(runner.invoke(app, ["catalog", "validate", str(target), "--json"]).stdout)
    assert data["ok"] is False
    assert [issue["line"] for issue in data["issues"]] == [type_line, copies_line, rule_line]


def test_validate_a_published_document(tmp_path: Path) -> None:
    from forms.catalog import load_catalog
    from forms.publish import publish

    target = tmp_path / "catalog.json"
    target.write_bytes(publish(load_catalog()))
    assert runner.invoke(app, ["catalog", "validate", str(target)]).exit_code == 0
    target.write_bytes(target.read_bytes().replace("高龄津贴".encode(), "高龄补助".encode(), 1))
    result = runner.invoke(app, ["catalog", "validate", str(target)])
    assert result.exit_code == 1
    assert "校验和不符" in result.stdout
    listed = runner.invoke(app, ["catalog", "list", "--catalog", str(target)])
    assert listed.exit_code == 1
