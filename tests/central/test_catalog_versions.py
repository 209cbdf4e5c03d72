"""Numbered, immutable catalog versions at the centre (同源发布), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from central.api.deps import PERSON_HEADER
from central.models import AdminAction, CatalogVersion
from central.services.catalog_versions import (
    PublishRefused,
    publish_catalog,
    publish_document,
    served_catalog,
    served_document,
)
from forms.catalog import SHIPPED_CATALOG, Catalog, load_catalog
from forms.publish import catalog_checksum, publish, read_published
from station.services.catalog_desk import publish_catalog_from_desk
from station.services.centre import CentreError, CentreLine, CentreSession
from station.store import StationIdentity
from sync.protocol import API_PREFIX, StationRole
from tests.central.conftest import COUNTY

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


def _folder(tmp_path: Path, version: str, days: int) -> Path:
    """A catalog folder: the shipped one with 高龄津贴's promised days changed (item v2)."""
    folder = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    header = folder / "catalog.toml"
    text = header.read_text("utf-8")
    header.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text), "utf-8")
    item = next(p for p in (folder / "items").glob("*.toml") if f'"{CODE}"' in p.read_text("utf-8"))
    text = re.sub(r"(?m)^version = 1$", "version = 2", item.read_text("utf-8"), count=1)
    item.write_text(re.sub(r"(?m)^promised_days = \d+$", f"promised_days = {days}", text, count=1))
    return folder


def test_the_county_desk_publishes_over_the_person_line(
    client: TestClient, enroll: Any, sign_in: Any, session: Session, tmp_path: Path
) -> None:
    county = enroll(COUNTY, "county")
    line = CentreLine(
        StationIdentity(
            station_id=county.id,
            division=COUNTY,
            name="县工作站",
            role=StationRole.county,
            central_url=str(client.base_url),
            token=county.credential.token,
            signing_key=county.credential.signing_key,
        ),
        CentreSession(sign_in(county)[PERSON_HEADER], datetime.now(UTC), "admin1", "admin"),
        transport=client._transport,
    )
    # the check (F8, a dry run) refuses what publishing (F9) would: a changed catalog under
    # the version stations run (it said 按 F9 发布, and F9 was refused)
    same_version = _folder(tmp_path / "same", load_catalog().version, 11)
    with pytest.raises(CentreError, match=f"目录版本{load_catalog().version}已作为第0版发布"):
        publish_catalog_from_desk(line, same_version, dry_run=True)
    folder = _folder(tmp_path, "2026.12.9", 11)
    seen = publish_catalog_from_desk(line, folder, dry_run=True)
    assert seen["number"] is None and [c["code"] for c in seen["diff"]["changed"]] == [CODE]
    assert served_catalog(session=session, path=None).number == 0  # a dry run publishes nothing
    done = publish_catalog_from_desk(line, folder)
    assert (done["number"], done["version"], done["published"]) == (1, "2026.12.9", True)
    row = session.exec(select(CatalogVersion)).one()
    assert row.published_by == "admin1"
    audit = session.exec(select(AdminAction).where(AdminAction.action == "catalog.publish")).one()
    assert (audit.actor_username, audit.target) == ("admin1", "1")
    with pytest.raises(CentreError, match="发布前请提高每个已修改事项的版本号"):
        publish_catalog_from_desk(line, _folder(tmp_path / "again", "2026.12.9", 12))


def test_publishing_needs_the_administrator_not_the_workstation(
    client: TestClient, enroll: Any, sign_in: Any
) -> None:
    county, village = enroll(COUNTY, "county"), enroll()
    document = json.loads(publish(_next(load_catalog(), "2026.12.3", 9)))
    url = f"{API_PREFIX}/admin/catalog"
    assert client.post(url, json=document, headers=county.headers).status_code == 401
    reviewer = sign_in(county, "li", "reviewer")
    assert client.post(url, json=document, headers=reviewer).status_code == 403
    agent = sign_in(village, "ma", "agent")
    assert client.post(url, json=document, headers=agent).status_code == 403
    admin = sign_in(county)
    document["catalog"]["items"][0]["name"] = "被改动的事项"
    damaged = client.post(url, json=document, headers=admin)
    assert damaged.status_code == 422 and "校验和不符" in damaged.json()["detail"]


def test_a_catalog_never_goes_back_to_an_older_version(session: Session) -> None:
    """A folder copied from an older release would take every station back to older rules:
    refused, the catalog's version and any item's, and nothing is published."""
    _publish(session, _next(load_catalog(), "2026.12.1", 10))  # 高龄津贴 v2
    with pytest.raises(PublishRefused, match=r"目录版本 2026\.11\.3 低于各站点正在使用的版本"):
        _publish(session, load_catalog())  # the shipped 2026.11.3, 高龄津贴 v1
    older_item = load_catalog().model_copy(update={"version": "2026.12.2"})
    with pytest.raises(PublishRefused, match=r"640522-MZ-001 80周岁以上高龄津贴申领（1 < 2）"):
        _publish(session, older_item)
    assert [r.number for r in session.exec(select(CatalogVersion))] == [1]


def test_a_division_in_use_stays_in_the_table(session: Session, enroll: Any) -> None:
    """Taking a village out of the division table while a station works there (or an
    account belongs to it) is refused, naming them; once they are revoked and disabled
    it goes out."""
    from central.models import Station, User
    from central.services.accounts import update_user
    from central.services.stations import revoke_station
    from tests.central.conftest import VILLAGE_2, central_account

    station = enroll(VILLAGE_2, "village", "苏堡村便民服务站")
    central_account(session, "agent-subao", "agent", VILLAGE_2, "马丽")
    shipped = load_catalog()
    smaller = shipped.model_copy(
        update={
            "version": "2026.12.1",
            "divisions": [d for d in shipped.divisions if d.code != VILLAGE_2],
        }
    )
    with pytest.raises(PublishRefused, match="区划表删除了仍在使用的区划") as refused:
        _publish(session, smaller)
    assert "苏堡村便民服务站" in str(refused.value) and "马丽" in str(refused.value)
    assert VILLAGE_2 in str(refused.value)
    revoke_station(session=session, station_id=station.credential.station_id)
    for user in session.exec(select(User).where(User.division == VILLAGE_2)).all():
        update_user(session=session, username=user.username, active=False)
    assert session.exec(select(Station).where(Station.division == VILLAGE_2)).first()
    assert _publish(session, smaller).created
