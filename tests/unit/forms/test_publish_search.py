"""Publishing (canonical JSON + sha256) and search by Chinese, pinyin and initials."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from forms.catalog import load_catalog
from forms.catalog.model import Fee, canonical_json
from forms.publish import changed_without_new_version, publish, verify_published
from forms.search import CatalogIndex


def test_publish_and_verify_round_trip() -> None:
    catalog = load_catalog()
    document = publish(catalog)
    assert verify_published(document) == catalog
    assert publish(catalog) == document  # canonical: same catalog, same bytes


def test_an_altered_document_is_refused() -> None:
    document = json.loads(publish(load_catalog()))
    document["catalog"]["items"][5]["promised_days"] = 1
    with pytest.raises(ValueError, match="事项目录校验和不符：文件在传输中被改动或损坏"):
        verify_published(canonical_json(document))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe", "不是 daiban 事项目录文件"),
        (b'{"format": "something-else"}', "不是 daiban 事项目录文件"),
        (b'{"format": "daiban-catalog", "format_version": 9}', "不支持第9版目录格式"),
    ],
)
def test_not_a_catalog_document(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        verify_published(data)


def test_a_published_item_version_is_immutable() -> None:
    old = load_catalog()
    item = old.get("640522-MZ-001")
    edited = item.model_copy(update={"promised_days": 10})
    new = old.model_copy(
        update={"items": [edited if i.code == item.code else i for i in old.items]}
    )
    assert changed_without_new_version(old, new) == ["640522-MZ-001"]
    bumped = edited.model_copy(update={"version": 2})
    newer = old.model_copy(
        update={"items": [bumped if i.code == item.code else i for i in old.items]}
    )
    assert changed_without_new_version(old, newer) == []


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return CatalogIndex(load_catalog())


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("gljt", "高龄津贴"),
        ("GLJT", "高龄津贴"),
        ("高龄", "高龄津贴"),
        ("gaolingjintie", "高龄津贴"),
        ("gaoljt", "高龄津贴"),
        ("低保", "低保"),
        ("db", "低保"),
        ("dibao", "低保"),
        ("zuidi", "低保"),
        ("sbk", "社保卡"),
        ("社保卡", "社保卡"),
        ("zjd", "宅基地建房"),
        ("新农合", "医保参保"),
        ("jzz", "居住证"),
        ("tk", "特困供养"),
        ("五保", "特困供养"),
        ("640522-ZR-001", "宅基地建房"),
        ("ZR-001", "宅基地建房"),  # a part of the code, as the search box invites
        ("zr001", "宅基地建房"),
        ("YB-001", "医保参保"),
    ],
)
def test_search_finds_the_item_first(index: CatalogIndex, query: str, first: str) -> None:
    found = index.search(query)
    assert found and found[0].title == first


def test_search_ranks_and_limits(index: CatalogIndex) -> None:
    found = index.search("残疾")
    assert {item.title for item in found[:3]} == {
        "残疾人证",
        "困难残疾人生活补贴",
        "重度残疾人护理补贴",
    }
    assert len(index.search("养老", limit=2)) == 2


def test_search_nothing(index: CatalogIndex) -> None:
    assert index.search("") == []
    assert index.search("qqqq") == []
    assert index.search("火箭") == []


def test_supersede_keeps_the_versions_cases_were_filed_under() -> None:
    from forms.publish import supersede

    old = load_catalog()
    item = old.get("640522-MZ-001")
    bumped = item.model_copy(update={"version": 2, "promised_days": 10})
    new = old.model_copy(
        update={"items": [bumped if i.code == item.code else i for i in old.items]}
    )
    merged = supersede(old, new)
    assert merged.get("640522-MZ-001").promised_days == 10
    assert merged.get("640522-MZ-001", version=1).promised_days == 20
    assert verify_published(publish(merged)).get("640522-MZ-001", version=1) == item
    with pytest.raises(KeyError):
        merged.get("640522-MZ-001", version=3)
    unbumped = [
        item.model_copy(update={"fee": Fee(amount=Decimal(10))}) if i.code == item.code else i
        for i in old.items
    ]
    with pytest.raises(ValueError, match="版本号未变更"):
        supersede(old, old.model_copy(update={"items": unbumped}))


def test_a_replaced_version_cannot_come_back_with_other_content() -> None:
    """Version 2 published over version 1; a later catalog that says version 1 again with
    other content was published silently: two contents under 第1版, and the cases filed
    under the first one read the second."""
    from forms.publish import supersede

    old = load_catalog()
    first = old.get("640522-MZ-001")
    second = first.model_copy(update={"version": 2, "promised_days": 7})
    published = supersede(
        old,
        old.model_copy(
            update={"items": [second if i.code == first.code else i for i in old.items]}
        ),
    )
    back = first.model_copy(update={"promised_days": 9})  # "第1版", other content
    again = published.model_copy(
        update={"items": [back if i.code == first.code else i for i in published.items]}
    )
    assert changed_without_new_version(published, again) == ["640522-MZ-001"]
    with pytest.raises(ValueError, match="版本号未变更"):
        supersede(published, again)
    # the first version as it was may be made current again (its content unchanged)
    restored = published.model_copy(
        update={"items": [first if i.code == first.code else i for i in published.items]}
    )
    assert changed_without_new_version(published, restored) == []
    merged = supersede(published, restored)
    assert merged.get("640522-MZ-001").promised_days == first.promised_days
    assert merged.get("640522-MZ-001", version=2).promised_days == 7
