"""Numbered, immutable catalog versions at the centre (同源发布), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from central.models import CatalogVersion
from central.services.catalog_versions import (
    PublishRefused,
    publish_catalog,
    publish_document,
    served_catalog,
    served_document,
)
from forms.catalog import Catalog, load_catalog
from forms.publish import catalog_checksum, publish, read_published
from sync.protocol import API_PREFIX

CODE = "640522-MZ-001"


def _next(catalog: Catalog, version: str, days: int, item_version: int = 2) -> Catalog:
    """The catalog with 高龄津贴's promised days changed (under ``item_version``)."""
    item = catalog.get(CODE).model_copy(update={"promised_days": days, "version": item_version})
    items = [item if i.code == CODE else i for i in catalog.items]
    return catalog.model_copy(update={"version": version, "items": items})


def _publish(session: Session, catalog: Catalog) -> Any:
    return publish_catalog(session=session, path=None, catalog=catalog, published_by="admin-ma")


def test_until_a_publication_the_shipped_catalog_is_version_0(
    session: Session, client: TestClient, enroll: Any
) -> None:
    shipped = load_catalog()
    served = served_catalog(session=session, path=None)
    assert (served.number, served.version) == (0, shipped.version)
    assert served.sha256 == catalog_checksum(shipped)
    village = enroll()
    answer = client.get(f"{API_PREFIX}/catalog", headers=village.headers).json()
    assert answer == {"number": 0, "version": shipped.version, "sha256": served.sha256}


def test_a_publication_is_numbered_and_served(
    session: Session, client: TestClient, enroll: Any
) -> None:
    first = _publish(session, _next(load_catalog(), "2026.12.1", 10))
    assert (first.number, first.created) == (1, True)
    assert [c.code for c in first.diff.changed] == [CODE]
    village = enroll()
    answer = client.get(f"{API_PREFIX}/catalog", headers=village.headers).json()
    assert answer == {"number": 1, "version": "2026.12.1", "sha256": first.sha256}
    latest = client.get(f"{API_PREFIX}/catalog/file", headers=village.headers)
    document = read_published(latest.content)
    assert (document.number, document.sha256) == (1, first.sha256)
    assert document.catalog.get(CODE).promised_days == 10
    assert document.catalog.get(CODE, 1).promised_days == load_catalog().get(CODE).promised_days
    zero = client.get(f"{API_PREFIX}/catalog/file?number=0", headers=village.headers)
    assert read_published(zero.content).sha256 == catalog_checksum(load_catalog())
    missing = client.get(f"{API_PREFIX}/catalog/file?number=9", headers=village.headers)
    assert missing.status_code == 404
    assert client.get(f"{API_PREFIX}/catalog/file").status_code == 401


def test_a_published_version_never_changes(session: Session) -> None:
    first = _publish(session, _next(load_catalog(), "2026.12.1", 10))
    kept = served_document(session=session, path=None, number=1)

    again = _publish(session, _next(load_catalog(), "2026.12.1", 10))
    assert (again.number, again.created) == (1, False)  # the same catalog: a no-op that says so

    with pytest.raises(PublishRefused, match="目录版本2026.12.1已作为第1版发布"):
        _publish(session, _next(load_catalog(), "2026.12.1", 12, item_version=3))
    with pytest.raises(PublishRefused, match="发布前请提高每个已修改事项的版本号"):
        _publish(session, _next(load_catalog(), "2026.12.2", 12))  # v2 exists with 10 days

    second = _publish(session, _next(load_catalog(), "2026.12.2", 12, item_version=3))
    assert (second.number, second.created) == (2, True)
    assert served_document(session=session, path=None, number=1) == kept
    rows = session.exec(select(CatalogVersion).order_by(CatalogVersion.number)).all()
    assert [(r.number, r.version, r.published_by) for r in rows] == [
        (1, "2026.12.1", "admin-ma"),
        (2, "2026.12.2", "admin-ma"),
    ]
    assert rows[0].sha256 == first.sha256
    latest = read_published(served_document(session=session, path=None)).catalog
    assert [latest.get(CODE, v).promised_days for v in (2, 3)] == [10, 12]


def test_the_county_desk_publishes_a_document(session: Session) -> None:
    data = publish(_next(load_catalog(), "2026.12.5", 9), number=42)
    outcome = publish_document(session=session, path=None, data=data, published_by="admin-ma")
    assert (outcome.number, outcome.version) == (1, "2026.12.5")  # the centre numbers it
    damaged = data.replace(b'"promised_days":9', b'"promised_days":1')
    with pytest.raises(ValueError, match="事项目录校验和不符"):
        publish_document(session=session, path=None, data=damaged, published_by="admin-ma")
    assert served_catalog(session=session, path=None).number == 1
