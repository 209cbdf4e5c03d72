"""A station restored from a backup that syncs only by USB stick numbers a case again: the
centre refuses the number, the return bundle says so, and the station renumbers the case
as an online sync does (``test_trust_numbers``); nothing is lost or held twice, and the
station is never stuck with a return bundle it cannot take in."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from forms.clock import china_today
from station.store import StationStore
from tests.e2e.conftest import PASSWORD, Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """Bundles go through the same central services as push: SQLite is enough here."""
    return sqlite_central


def _carry(central: Central, village: Station, stick: Path, name: str) -> dict[str, object]:
    """One trip of the USB stick: export at the station, import with a return at the centre."""
    outbox = stick / f"outbox-{name}.daiban-bundle"
    village.cli("bundle", "export", "--out", str(outbox))
    back = stick / f"return-{name}.daiban-bundle"
    imported: dict[str, object] = central.cli(
        "bundle", "import", str(outbox), "--return-out", str(back)
    )
    assert imported["return_bundle"] == str(back)
    return imported


def test_a_restored_usb_station_renumbers_a_case_the_centre_already_numbered(
    central: Central, village: Station, tmp_path: Path
) -> None:
    stick = tmp_path / "stick"
    backup = tmp_path / "backup"
    shutil.copytree(village.data_dir, backup)  # the backup, taken before the day's work
    cases = write_cases(tmp_path / "cases.jsonl", 1)
    (first,) = village.cli("case", "import", str(cases))["case_numbers"]
    assert _carry(central, village, stick, "1")["applied"] == 3
    village.cli("bundle", "import", str(stick / "return-1.daiban-bundle"))
    shutil.rmtree(village.data_dir)  # the disk died; the backup is restored
    shutil.copytree(backup, village.data_dir)
    (again,) = village.cli("case", "import", str(cases))["case_numbers"]
    assert again == first  # the number is handed out again
    _mark_restored(village, "2026-12-04T01:00:00+00:00")  # as `station restore` leaves it

    refused = _carry(central, village, stick, "2")
    assert (refused["applied"], refused["rejected"]) == (0, 3)
    back = stick / "return-2.daiban-bundle"
    taken = village.cli("bundle", "import", str(back))

    renumbered = f"{first.split('-')[0]}-{china_today():%Y%m%d}-0002"
    assert taken["renumbered"] == 1 and not taken["taken_before"]
    assert _restored_from(village) is None  # the centre's numbers are here: no more warning
    assert village.cli("station", "show")["outbox"] == 3  # pending, with the new number
    shown = village.cli("case", "show", renumbered)
    assert [h["status"] for h in shown["history"]] == ["pending"] * 3
    assert village.cli("case", "show", first)["case_id"] != shown["case_id"]
    said = _station_says(village, "bundle", "import", str(back))  # taken in again
    assert "已导入过" in said and "改号" not in said  # not renumbered twice
    assert village.cli("case", "show", renumbered)["case_id"] == shown["case_id"]
    assert village.cli("station", "show")["outbox"] == 3

    assert _carry(central, village, stick, "3")["applied"] == 3  # the next bundle takes it
    village.cli("bundle", "import", str(stick / "return-3.daiban-bundle"))
    assert village.cli("station", "show")["outbox"] == 0
    history = village.cli("case", "show", renumbered)["history"]
    assert [h["status"] for h in history] == ["applied"] * 3
    held = central.reconcile()[village.station_id]
    # every event once (the restore reused station sequence numbers 1-3: counted apart)
    assert (held["cases"], held["events"], held["gaps"]) == (2, 6, [])
    assert village.cli("case", "show", first)["case_id"] != shown["case_id"]


def test_the_station_cli_says_what_the_centre_refused_and_renumbered(
    central: Central, village: Station, tmp_path: Path
) -> None:
    backup = tmp_path / "backup"
    shutil.copytree(village.data_dir, backup)
    cases = write_cases(tmp_path / "cases.jsonl", 1)
    village.cli("case", "import", str(cases))
    _carry(central, village, tmp_path, "1")
    shutil.rmtree(village.data_dir)
    shutil.copytree(backup, village.data_dir)
    village.cli("case", "import", str(cases))
    _carry(central, village, tmp_path, "2")

    said = _station_says(village, "bundle", "import", str(tmp_path / "return-2.daiban-bundle"))

    assert "已导入" in said and "1 件办件已改号" in said
    assert "CASE" not in said and "taken" not in said  # in Chinese throughout


def _station_says(village: Station, *args: str) -> str:
    result = CliRunner().invoke(
        app, [*args, "--data-dir", str(village.data_dir)], env={"DAIBAN_PASSWORD": PASSWORD}
    )
    assert result.exit_code == 0, result.output
    return str(result.output)


def _mark_restored(station: Station, when: str) -> None:
    store = StationStore.open(station.data_dir)
    try:
        store.mark_restored(datetime.fromisoformat(when))
        assert store.restored_from() is not None
    finally:
        store.close()


def _restored_from(station: Station) -> datetime | None:
    store = StationStore.open(station.data_dir)
    try:
        return store.restored_from()
    finally:
        store.close()
