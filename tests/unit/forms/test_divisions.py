"""The county's division table (divisions.toml): shipped data, checks, publication, routing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from daiban.commands import demo
from forms.catalog import (
    SHIPPED_CATALOG,
    OutsideCounty,
    handling_division,
    load_catalog,
    read_catalog,
)
from forms.publish import publish, verify_published


def test_the_shipped_table_names_haicheng_and_its_demo_villages() -> None:
    catalog = load_catalog()
    haicheng = catalog.township_of("640522100201")
    assert haicheng is not None
    assert (haicheng.name, haicheng.office, haicheng.prefix) == (
        "海城镇",
        "海原县海城镇便民服务中心",
        "海城便民",
    )
    assert "phone" in haicheng.county_set  # the county confirms its phone before publishing
    villages = {d.code: d.name for d in catalog.divisions if d.level == "village"}
    assert villages == {"640522100201": "山门村", "640522100202": "武塬村"}
    county = catalog.county_office()
    assert county is not None and county.office == "海原县政务服务中心"
    townships = [d for d in catalog.divisions if d.level == "township"]
    assert all(t.office.startswith("海原县") and t.prefix for t in townships)
    assert len({t.prefix for t in townships}) == len(townships)


def test_the_demo_enrolls_the_divisions_of_the_table() -> None:
    catalog = load_catalog()
    for code, name, role in (demo.COUNTY, demo.TOWNSHIP, *demo.VILLAGES):
        entry = catalog.division_entry(code)
        assert entry is not None, code
        assert entry.level == role
        assert entry.name.removeprefix("海原") in name
    assert {user.division for user in demo.DEMO_USERS} <= {d.code for d in catalog.divisions}


def _catalog_copy(tmp_path: Path, table: str) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (folder / "divisions.toml").write_text(table, encoding="utf-8")
    return folder


BAD_TABLE = """\
[[divisions]]
code = "640522100000"
level = "township"
name = "海城镇"
office = "海原县海城镇便民服务中心"
phone = "0955-4012345"
prefix = "海城便民"

[[divisions]]
code = "640522101000"
level = "township"
name = "李旺镇"
office = ""
phone = "0955-4010000"
prefix = "海城便民"

[[divisions]]
code = "640522102201"
level = "village"
name = "某村"

[[divisions]]
code = "640523100000"
level = "township"
name = "别县某镇"
office = "某镇便民服务中心"
phone = "1"
prefix = "别县"

[[divisions]]
code = "640522103000"
level = "village"
name = "三河镇"
"""


def test_validate_reports_each_mistake_of_the_table_with_its_line(tmp_path: Path) -> None:
    folder = _catalog_copy(tmp_path, BAD_TABLE)
    result = CliRunner().invoke(
        app, ["catalog", "validate", str(folder / "divisions.toml"), "--json"]
    )
    assert result.exit_code == 1
    found = {
        (issue["line"], issue["where"], issue["message"])
        for issue in json.loads(result.stdout)["issues"]
    }
    assert (13, "区划“640522101000” › office", "乡镇或县须填写office") in found
    assert (15, "区划“640522101000” › prefix", "文号代字“海城便民”已被640522100000使用") in found
    assert (18, "区划“640522102201” › code", "该村所属乡镇640522102000不在区划表中") in found
    assert (23, "区划“640523100000” › code", "640523100000不在本县（640522）范围内") in found
    assert (31, "区划“640522103000” › code", "640522103000是township级代码，不是village") in found
    with pytest.raises(ValueError):
        read_catalog(folder)


def test_the_table_travels_with_the_published_catalog() -> None:
    catalog = load_catalog()
    again = verify_published(publish(catalog))
    assert again.divisions == catalog.divisions
    assert again.township_of("640522100202") == catalog.township_of("640522100202")


def test_a_catalog_without_a_table_still_loads(tmp_path: Path) -> None:
    folder = _catalog_copy(tmp_path, "")
    (folder / "divisions.toml").unlink()
    assert read_catalog(folder).divisions == []


def test_handling_division_follows_the_item_path_and_the_residents_township() -> None:
    catalog = load_catalog()
    township_item = catalog.get("640522-YB-001")
    assert township_item.path.accept == "township"
    here = "640522100201"
    # a resident of Haicheng goes the usual way; one of Liwang goes to Liwang's centre
    assert handling_division(township_item, "640522100202", here) is None
    assert handling_division(township_item, "", here) is None
    assert handling_division(township_item, "640522101203", here) == "640522101000"
    assert handling_division(township_item, "640522101000", here) == "640522101000"
    county_item = next(i for i in catalog.items if i.path.accept == "county")
    assert handling_division(county_item, "640522101203", here) == "640522000000"
    # an item the county accepts goes to the county for a resident of this township too
    assert handling_division(county_item, "", here) == "640522000000"
    assert handling_division(county_item, "640522100202", here) == "640522000000"
    with pytest.raises(OutsideCounty, match="640523100201不是本县"):
        handling_division(township_item, "640523100201", here)
    with pytest.raises(OutsideCounty):
        handling_division(township_item, "6405221012", here)
