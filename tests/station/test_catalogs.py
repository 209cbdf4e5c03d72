"""The station's active catalog: taken from the centre on sync, verified, kept, used."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from forms.catalog import Catalog, HolidayTable, load_catalog
from forms.catalog.model import canonical_json
from forms.publish import catalog_checksum, publish
from forms.workdays import default_calendar, shipped_holiday_tables
from station.services.catalogs import (
    CatalogRefused,
    active_catalog,
    active_catalog_version,
    install_catalog,
    refresh_catalog,
)
from sync.protocol import CatalogInfo

CODE = "640522-MZ-001"
NEW_YEAR_2028 = date(2028, 1, 3)
"""A Monday the county's 2028 table makes a holiday."""


def _county(version: str, days: int) -> Catalog:
    catalog = load_catalog()
    item = catalog.get(CODE).model_copy(update={"promised_days": days, "version": 2})
    table = HolidayTable(year=2028, provisional=True, holidays=[NEW_YEAR_2028])
    return catalog.model_copy(
        update={
            "version": version,
            "items": [item if i.code == CODE else i for i in catalog.items],
            "retired": [catalog.get(CODE)],
            "holiday_tables": [*catalog.holiday_tables, table],
        }
    )


class Centre:
    """The centre as the refresh sees it; ``damage`` alters the bytes in transit."""

    def __init__(self, catalog: Catalog, number: int, damage: bool = False) -> None:
        self.document = publish(catalog, number)
        self.info = CatalogInfo(number=number, version=catalog.version)
        self.info.sha256 = catalog_checksum(catalog)
        self.damage = damage
        self.fetched: list[int | None] = []

    def catalog_info(self) -> CatalogInfo:
        return self.info

    def fetch_catalog(self, number: int | None = None) -> bytes:
        self.fetched.append(number)
        if self.damage:
            return self.document.replace(b'"promised_days":7', b'"promised_days":1')
        return self.document


@pytest.fixture(autouse=True)
def _shipped_calendar() -> object:
    yield None
    active_catalog(Path("/nonexistent-station"))  # back to the shipped tables for other tests


def test_the_shipped_catalog_until_the_county_publishes(tmp_path: Path) -> None:
    assert active_catalog(tmp_path) == load_catalog()  # the shipped one (same content)
    assert active_catalog_version(tmp_path) == f"0:{load_catalog().version}"
    same = Centre(load_catalog(), 0)
    assert refresh_catalog(tmp_path, same) is None and same.fetched == []


def test_a_new_version_is_downloaded_kept_and_used(tmp_path: Path) -> None:
    centre = Centre(_county("2026.12.1", 7), 1)
    taken = refresh_catalog(tmp_path, centre)
    assert taken is not None and centre.fetched == [1]
    assert active_catalog_version(tmp_path) == "1:2026.12.1"
    assert active_catalog(tmp_path).get(CODE).promised_days == 7
    assert active_catalog(tmp_path).get(CODE, 1) == load_catalog().get(CODE)
    assert (tmp_path / "catalog" / "1.json").read_bytes() == centre.document
    pointer = json.loads((tmp_path / "catalog" / "active.json").read_text())
    assert pointer["number"] == 1 and pointer["file"] == "1.json"
    assert not list((tmp_path / "catalog").glob("*.part"))
    assert refresh_catalog(tmp_path, centre) is None and centre.fetched == [1]  # nothing new
    # the holiday tables travelled with it: deadlines count the county's 2028 holiday
    assert not default_calendar().is_working_day(NEW_YEAR_2028)


def test_a_damaged_download_is_refused_and_the_old_catalog_stays(tmp_path: Path) -> None:
    refresh_catalog(tmp_path, Centre(_county("2026.12.1", 7), 1))
    damaged = Centre(_county("2026.12.2", 7), 2, damage=True)
    with pytest.raises(CatalogRefused) as refused:
        refresh_catalog(tmp_path, damaged)
    assert str(refused.value) == (
        "中心下发的事项目录（第2版）被拒收：事项目录校验和不符：文件在传输中被改动或损坏。"
        "本站继续使用目录1:2026.12.1。"
    )
    assert active_catalog_version(tmp_path) == "1:2026.12.1"
    assert not (tmp_path / "catalog" / "2.json").exists()


def test_a_document_that_is_not_the_announced_one_is_refused(tmp_path: Path) -> None:
    centre = Centre(_county("2026.12.1", 7), 1)
    centre.document = publish(_county("2026.12.1", 8), 1)  # intact, but another catalog
    with pytest.raises(CatalogRefused, match="与中心公布的目录不符"):
        refresh_catalog(tmp_path, centre)
    assert active_catalog_version(tmp_path) == f"0:{load_catalog().version}"


def test_a_format_1_document_keeps_the_shipped_tables(tmp_path: Path) -> None:
    """An older centre's document may predate the division table: the station keeps its own."""
    catalog = _county("2026.12.1", 7)
    payload = catalog.model_dump(mode="json")
    del payload["divisions"]
    document = json.loads(publish(catalog))
    document.update(format_version=1, catalog=payload)
    document["sha256"] = hashlib.sha256(canonical_json(payload)).hexdigest()
    del document["number"]
    install_catalog(tmp_path, canonical_json(document))
    assert active_catalog(tmp_path).divisions == load_catalog().divisions
    assert active_catalog(tmp_path).holiday_tables == load_catalog().holiday_tables
    assert active_catalog(tmp_path).get(CODE).promised_days == 7
    assert shipped_holiday_tables() == load_catalog().holiday_tables
