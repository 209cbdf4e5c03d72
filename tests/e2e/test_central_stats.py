"""``daiban central report stats`` names each item as the county's catalog does."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import Central, enrolled_station, invoke, write_cases

SHANMEN = "640522100201"


def test_the_statistics_name_each_item_not_only_its_code(
    sqlite_central: Central, tmp_path: Path
) -> None:
    """It printed "按事项： 640522-YB-001: 9": a code the administrator has to look up."""
    village = enrolled_station(
        sqlite_central, tmp_path / "shanmen", SHANMEN, "山门村便民服务站", "village"
    )
    village.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))
    village.cli("sync")
    central = sqlite_central
    shown = invoke(
        "central", "report", "stats", "--data-dir", str(central.data_dir), *central.db_args
    ).stdout
    assert "按事项：" in shown
    (line,) = [row for row in shown.splitlines() if row.startswith("  640522-")]
    assert line == "  640522-YB-001 城乡居民基本医疗保险参保登记: 2"
