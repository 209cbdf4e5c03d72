"""The diff the county reads before publishing, and the published document's formats 1 and 2."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal

import pytest

from forms.catalog import Catalog, HolidayTable, load_catalog
from forms.catalog.diff import diff_catalogs
from forms.catalog.model import Fee, canonical_json
from forms.publish import publish, read_published, verify_published

CODE = "640522-MZ-001"


def _edited(catalog: Catalog) -> Catalog:
    """高龄津贴 v2 (a material, a field, the promised days and the fee changed), 社保卡 gone,
    a new item, a township renamed and the 2027 holiday table confirmed."""
    item = catalog.get(CODE)
    first, *rest = item.materials
    changed = item.model_copy(
        update={
            "version": 2,
            "materials": [first.model_copy(update={"copies": 2}), *rest],
            "fields": [item.fields[0].model_copy(update={"label": "户籍所在地"}), *item.fields[1:]],
            "promised_days": 15,
            "fee": Fee(amount=Decimal("10"), note="工本费"),
        }
    )
    new = item.model_copy(update={"code": "640522-MZ-006", "name": "新事项"})
    items = [changed if i.code == CODE else i for i in catalog.items if i.code != "640522-RS-003"]
    town = catalog.divisions[1].model_copy(update={"name": "海城镇（新）"})
    table = catalog.holiday_tables[0].model_copy(update={"provisional": False})
    return catalog.model_copy(
        update={
            "version": "2026.12.1",
            "items": [*items, new],
            "divisions": [catalog.divisions[0], town, *catalog.divisions[2:]],
            "holiday_tables": [table],
        }
    )


def test_the_diff_names_what_changed_in_each_item() -> None:
    old = load_catalog()
    diff = diff_catalogs(old, _edited(old))
    assert diff.added == [("640522-MZ-006", "新事项")]
    assert [code for code, _name in diff.removed] == ["640522-RS-003"]
    [item] = diff.changed
    assert (item.code, item.old_version, item.new_version) == (CODE, 1, 2)
    sections = {change.section: change for change in item.changes}
    assert set(sections) == {"field", "material", "time", "fee"}
    before = old.get(CODE)
    material, days = before.materials[0], before.promised_days
    assert sections["material"].details == [("copies", material.copies, 2)]
    assert sections["time"].details == [("promised_days", days, 15)]
    assert sections["fee"].details == [
        ("fee", before.fee, Fee(amount=Decimal("10"), note="工本费"))
    ]
    lines = diff.lines()
    assert lines[0] == "事项目录 2026.11.3 → 2026.12.1"
    assert "+ 新增事项 640522-MZ-006 新事项" in lines
    assert f"~ 变更事项 {CODE} {before.name}（第1版 → 第2版）" in lines
    assert f"    修改材料 {material.key}「{material.name}」：份数：{material.copies} → 2" in lines
    assert f"    修改时限：承诺时限（工作日）：{days} → 15" in lines
    # in words, not the model's dict ({'free': True, 'amount': None, ...})
    assert before.fee.free and not before.fee.note and not before.fee.basis
    assert "    修改收费：收费：免费 → 10.00元（工本费）" in lines
    field = before.fields[0]
    assert f"    修改表单字段 {field.key}「户籍所在地」：名称：{field.label} → 户籍所在地" in lines
    # in the 办事指南's words, not the TOML keys (legal_days: 0 → 5)
    assert "  修改区划表 640522100000「海城镇（新）」：名称：海城镇 → 海城镇（新）" in lines
    assert any(line.startswith("  修改节假日表 2027") for line in lines)


def test_the_diff_as_data_and_when_nothing_changed() -> None:
    old = load_catalog()
    data = json.loads(json.dumps(diff_catalogs(old, _edited(old)).as_dict(), ensure_ascii=False))
    assert data["added"] == [{"code": "640522-MZ-006", "name": "新事项"}]
    assert data["changed"][0]["changes"][0]["section"] == "field"
    same = diff_catalogs(old, old)
    assert same.empty and same.lines()[-1] == "没有差异。"


def test_a_format_2_document_carries_its_number_and_tables() -> None:
    catalog = load_catalog()
    document = read_published(publish(catalog, 7))
    assert (document.number, document.format_version, document.carries_tables) == (7, 2, True)
    assert document.catalog.divisions == catalog.divisions
    assert document.catalog.holiday_tables == catalog.holiday_tables


def test_a_format_1_document_is_still_read() -> None:
    """What older centres sent: no number, and a catalog from before the division table."""
    payload = load_catalog().model_dump(mode="json")
    del payload["divisions"]
    document = json.loads(publish(load_catalog()))
    document.update(format_version=1, catalog=payload)
    del document["number"]
    document["sha256"] = hashlib.sha256(canonical_json(payload)).hexdigest()
    read = read_published(canonical_json(document))
    assert (read.number, read.format_version, read.carries_tables) == (0, 1, False)
    assert read.catalog.divisions == []
    assert verify_published(canonical_json(document)).version == "2026.11.3"


def test_a_format_2_document_without_its_tables_is_refused() -> None:
    payload = load_catalog().model_dump(mode="json")
    del payload["holiday_tables"]
    document = json.loads(publish(load_catalog()))
    document.update(catalog=payload)
    document["sha256"] = hashlib.sha256(canonical_json(payload)).hexdigest()
    with pytest.raises(ValueError, match="不是 daiban 事项目录文件"):
        read_published(canonical_json(document))


def test_holiday_tables_travel_in_the_checksum() -> None:
    catalog = load_catalog()
    table = HolidayTable(year=2028, provisional=True, holidays=[date(2028, 1, 3)])
    more = catalog.model_copy(update={"holiday_tables": [*catalog.holiday_tables, table]})
    assert read_published(publish(more)).sha256 != read_published(publish(catalog)).sha256
    assert read_published(publish(more)).catalog.holiday_tables[-1] == table
