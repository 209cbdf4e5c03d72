"""A report exported again at the county desk gets a numbered name (it replaced the first)."""

from __future__ import annotations

from pathlib import Path

from station.services.county_reports import free_name


def test_a_taken_name_is_numbered_and_the_first_file_is_kept(tmp_path: Path) -> None:
    assert free_name(tmp_path, "月报-2026-12", "xlsx") == tmp_path / "月报-2026-12.xlsx"
    (tmp_path / "月报-2026-12.xlsx").write_bytes(b"first")
    assert free_name(tmp_path, "月报-2026-12", "xlsx") == tmp_path / "月报-2026-12（2）.xlsx"
    (tmp_path / "月报-2026-12（2）.xlsx").write_bytes(b"second")
    assert free_name(tmp_path, "月报-2026-12", "xlsx") == tmp_path / "月报-2026-12（3）.xlsx"
    assert free_name(tmp_path, "月报-2026-12", "csv") == tmp_path / "月报-2026-12.csv"
