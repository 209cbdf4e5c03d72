"""同源发布 end to end: the county publishes a new item and a changed material at a real
central; a village syncs, takes the new item in from the desk's core and through
``daiban case import``, pushes, and the centre applies it; a case filed before the
publication keeps the catalog version it was filed under.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from daiban.cli import app
from forms.catalog import SHIPPED_CATALOG, Catalog, load_catalog
from station.config import StationSettings
from station.services.auth import LoginGate
from station.services.cases import Actor, Application, CaseService
from station.services.catalogs import active_catalog_version
from station.services.desk import Desk
from station.store import StationStore
from sync.events import Role
from tests.e2e.conftest import PASSWORD, Central, Station, case_line

NEW_ITEM = "640522-MZ-006"
NEW_NAME = "困难群众医疗救助申请（测试）"
CHANGED_ITEM = "640522-YB-001"
NEW_VERSION = "2026.12.1"


def county_catalog(folder: Path) -> tuple[Path, str, str]:
    """A copy of the shipped catalog with a new item (a copy of 医保参保 under a new code) and
    医保参保's first material renamed (its item version raised, as publishing demands).

    Returns:
        The folder, the material's name before and after.
    """
    shutil.copytree(SHIPPED_CATALOG, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    header = folder / "catalog.toml"
    header.write_text(
        re.sub(r'(?m)^version = ".*"$', f'version = "{NEW_VERSION}"', header.read_text("utf-8")),
        encoding="utf-8",
    )
    source = next(
        path
        for path in (folder / "items").glob("*.toml")
        if f'code = "{CHANGED_ITEM}"' in path.read_text("utf-8")
    )
    text = source.read_text("utf-8")
    new_item = text.replace(f'code = "{CHANGED_ITEM}"', f'code = "{NEW_ITEM}"', 1)
    new_item = re.sub(r'(?m)^name = ".*"$', f'name = "{NEW_NAME}"', new_item, count=1)
    new_item = re.sub(r'(?m)^short_name = ".*"$', 'short_name = "医疗救助测试"', new_item, count=1)
    new_item = re.sub(r"(?m)^aliases = .*$", "aliases = []", new_item, count=1)
    (folder / "items" / "99-new-item.toml").write_text(new_item, encoding="utf-8")
    head, _marker, materials = text.partition("[[materials]]")
    before = re.search(r'(?m)^name = "(.*)"$', materials)
    assert before is not None
    after = before.group(1) + "（2026年12月起须原件）"
    materials = materials.replace(before.group(0), f'name = "{after}"', 1)
    head = re.sub(
        r"(?m)^version = (\d+)$", lambda m: f"version = {int(m.group(1)) + 1}", head, count=1
    )
    source.write_text(head + "[[materials]]" + materials, encoding="utf-8")
    return folder, before.group(1), after


def import_line(station: Station, serial: int, item: str, tmp_path: Path) -> Any:
    """``daiban case import`` of one case of ``item`` (fields of 医保参保, which it copies)."""
    line = json.loads(case_line(serial))
    line["item"] = item
    path = tmp_path / f"case-{serial}.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    return CliRunner().invoke(
        app,
        [
            "case",
            "import",
            str(path),
            "--json",
            "--as",
            station.user,
            "--data-dir",
            str(station.data_dir),
        ],
        env={"DAIBAN_PASSWORD": PASSWORD},
    )


def desk_take_in(station: Station, serial: int) -> str:
    """Take the new item in through the desk's core (its catalog, its case service)."""
    store = StationStore.open(station.data_dir)
    try:
        desk = Desk(StationSettings(data_dir=station.data_dir), store, LoginGate(store))
        agent = CaseService(store, desk.catalog(), Actor(station.user_id, Role.agent, "马丽"))
        line = json.loads(case_line(serial))
        application = Application(
            item_code=NEW_ITEM,
            applicant=line["applicant"],
            fields=line["fields"],
            materials=line["materials"],
        )
        return agent.take_in(application).case_number
    finally:
        store.close()


def shown(station: Station, number: str) -> dict[str, Any]:
    return dict(station.cli("case", "show", number))


def test_a_published_item_reaches_the_village_and_the_centre_applies_it(
    central: Central, village: Station, tmp_path: Path
) -> None:
    (before_case,) = village.cli("case", "import", _file(tmp_path, 1))["case_numbers"]
    old_label = f"0:{load_catalog().version}"
    assert shown(village, before_case)["catalog_version"] == old_label
    refused = import_line(village, 2, NEW_ITEM, tmp_path)
    assert refused.exit_code != 0  # the catalog shipped in daiban does not know it yet
    assert NEW_ITEM in json.loads(refused.stdout)["failed"][0]["error"]

    folder, material_before, material_after = county_catalog(tmp_path / "county-catalog")
    diff = central.cli("catalog", "diff", str(folder))
    assert [entry["code"] for entry in diff["added"]] == [NEW_ITEM]
    [changed] = diff["changed"]
    old_item = load_catalog().get(CHANGED_ITEM).version
    assert (changed["code"], changed["old_version"], changed["new_version"]) == (
        CHANGED_ITEM,
        old_item,
        old_item + 1,
    )
    assert [c["section"] for c in changed["changes"]] == ["material"]
    assert ["name", material_before, material_after] in changed["changes"][0]["details"]
    published = central.cli("catalog", "publish", str(folder))
    assert (published["number"], published["version"], published["published"]) == (
        1,
        NEW_VERSION,
        True,
    )

    village.cli("sync")
    assert active_catalog_version(village.data_dir) == f"1:{NEW_VERSION}"
    listed = village.cli("catalog", "list")
    assert (listed["number"], listed["version"]) == (1, NEW_VERSION)
    assert village.cli("catalog", "show", NEW_ITEM)["name"] == NEW_NAME

    from_desk = desk_take_in(village, 3)
    imported = import_line(village, 4, NEW_ITEM, tmp_path)
    assert imported.exit_code == 0, imported.output
    (from_import,) = json.loads(imported.stdout)["case_numbers"]
    report = village.cli("sync")
    assert report["rejected"] == 0 and report["superseded"] == 0
    for number in (from_desk, from_import):
        case = shown(village, number)
        assert (case["item_code"], case["catalog_version"]) == (NEW_ITEM, f"1:{NEW_VERSION}")
        assert {entry["status"] for entry in case["history"]} == {"applied"}
        assert case["state"] == "submitted"

    kept = shown(village, before_case)
    assert (kept["catalog_version"], kept["item_version"]) == (old_label, str(old_item))
    catalog = _station_catalog(village)
    assert catalog.get(CHANGED_ITEM, old_item).materials[0].name == material_before
    assert catalog.get(CHANGED_ITEM).materials[0].name == material_after


def _file(tmp_path: Path, serial: int) -> str:
    path = tmp_path / f"before-{serial}.jsonl"
    path.write_text(case_line(serial) + "\n", encoding="utf-8")
    return str(path)


def _station_catalog(station: Station) -> Catalog:
    from station.services.catalogs import active_catalog

    return active_catalog(station.data_dir)
