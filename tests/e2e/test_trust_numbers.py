"""A station restored from a backup numbers a case again: the centre refuses the number, the
station renumbers the case and carries on; nothing is lost or held twice, and its township
keeps syncing (issue 13: the second case with one number stopped the sync of the station,
its township and the county for good)."""

from __future__ import annotations

import shutil
from pathlib import Path

from forms.clock import china_today
from station.services.today import HomeLine, _renumbered_lines
from station.store import StationStore
from tests.e2e.conftest import Central, Station, enrolled_station, write_cases
from tests.e2e.test_print_from_store import flat
from tests.unit.printing.conftest import pdf_text

COUNTY = "640522000000"


def test_a_restored_station_renumbers_a_case_the_centre_already_numbered(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    county = enrolled_station(central, tmp_path / "county", COUNTY, "县政务服务中心", "county")
    backup = tmp_path / "backup"
    shutil.copytree(village.data_dir, backup)  # the backup, taken before the day's work
    cases = write_cases(tmp_path / "cases.jsonl", 1)
    (first,) = village.cli("case", "import", str(cases))["case_numbers"]
    assert village.cli("sync")["rejected"] == 0
    shutil.rmtree(village.data_dir)  # the disk died; the backup is restored
    shutil.copytree(backup, village.data_dir)
    (again,) = village.cli("case", "import", str(cases))["case_numbers"]
    assert again == first  # taken in before the first sync: the number is handed out again
    given = tmp_path / "given.pdf"  # the receipt the resident goes home with
    assert village.cli("print", "receipt", again, "--out", str(given))["reprinted_on"] is None

    report = village.cli("sync")

    today = f"{village_division(first)}-{china_today():%Y%m%d}-"
    assert report["error"] is None and report["rejected"] == 0 and report["pending"] == 0
    assert report["renumbered"] == 1
    renumbered = f"{today}0002"
    shown = village.cli("case", "show", renumbered)
    assert shown["case_number"] == renumbered and shown["case_id"] != _case_id(village, first)
    # the agent is told: the case page, 今日's 需处理, and a receipt marked 补打 that voids the old one
    (told,) = shown["renumbered"]
    assert f"原编号 {first} 在中心已属另一件办件" in told and "补打" in told
    assert [line.case_key for line in _attention(village)] == [renumbered]
    again_out = tmp_path / "again.pdf"
    printed = village.cli("print", "receipt", renumbered, "--out", str(again_out))
    assert printed["reprinted_on"] == china_today().isoformat()
    text = flat(pdf_text(again_out.read_bytes()))
    assert f"本回执取代编号为{first}的回执" in text and f"编号：{renumbered}" in text
    assert "补打" in text
    assert _attention(village) == []  # reprinted: nothing left to do
    for upper in (township, county):
        assert upper.cli("sync")["error"] is None
        assert {_case_id(upper, n) for n in (first, renumbered)} == {
            _case_id(village, n) for n in (first, renumbered)
        }
    held = {s["station"]: s for s in central.cli("report", "reconcile")["stations"]}
    assert held[village.station_id]["cases"] == 2
    assert village.cli("sync")["error"] is None  # and the next run goes through too


def test_a_case_renumbered_twice_in_one_sync_is_told_once_with_the_residents_number(
    central: Central, village: Station, tmp_path: Path
) -> None:
    """The centre holds 0001 and 0002 from before the restore: the case numbered 0001 again
    is renumbered 0002 (taken too), then once more. One case, one note, and the receipt voids
    0001 (what the resident holds), not 0002 (another resident's number)."""
    backup = tmp_path / "backup"
    shutil.copytree(village.data_dir, backup)
    first, second = village.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))[
        "case_numbers"
    ]
    assert village.cli("sync")["rejected"] == 0
    shutil.rmtree(village.data_dir)
    shutil.copytree(backup, village.data_dir)
    (again,) = village.cli(
        "case", "import", str(write_cases(tmp_path / "other.jsonl", 1, first=7))
    )["case_numbers"]
    assert again == first
    village.cli("print", "receipt", again, "--out", str(tmp_path / "given.pdf"))
    case_id = _case_id(village, again)

    report = village.cli("sync")

    assert report["error"] is None and report["pending"] == 0
    assert report["renumbered"] == 1  # one case, though renumbered twice
    shown = village.cli("case", "show", case_id)
    third = shown["case_number"]
    assert third not in (first, second) and third > second  # 0002 was taken too
    (told,) = shown["renumbered"]
    assert f"原编号 {first} " in told and second not in told
    assert [line.case_key for line in _attention(village)] == [third]
    out = tmp_path / "third.pdf"
    village.cli("print", "receipt", third, "--out", str(out))
    text = flat(pdf_text(out.read_bytes()))
    assert f"本回执取代编号为{first}的回执" in text and second not in text
    assert _attention(village) == []


def _attention(station: Station) -> list[HomeLine]:
    """今日's renumbered cases still to reprint (the lines of 需处理 the desk shows)."""
    store = StationStore.open(station.data_dir)
    try:
        return _renumbered_lines(store)
    finally:
        store.close()


def _case_id(station: Station, number: str) -> str:
    return str(station.cli("case", "show", number)["case_id"])


def village_division(number: str) -> str:
    return number.split("-")[0]
