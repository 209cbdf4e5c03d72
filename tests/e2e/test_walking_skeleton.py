"""Issue 2/4 walking skeleton: one line imported at a village reaches the centre once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Central, Station, case_line

pytestmark = pytest.mark.slow  # a real central on loopback


def test_one_imported_case_reaches_the_centre_once(
    central: Central, village: Station, tmp_path: Path
) -> None:
    lines = tmp_path / "one.jsonl"
    lines.write_text(case_line(1) + "\n", encoding="utf-8")
    imported = village.cli("case", "import", str(lines))
    assert imported["imported"] == 1 and imported["failed"] == []
    (number,) = imported["case_numbers"]

    first = village.cli("sync")
    assert (first["pushed"], first["pending"], first["superseded"]) == (3, 0, 0)
    for _ in range(2):
        again = village.cli("sync")
        assert (again["pushed"], again["pulled"], again["pending"]) == (0, 0, 0)

    held = central.reconcile()[village.station_id]
    assert (held["cases"], held["events"], held["gaps"], held["duplicates"]) == (1, 3, [], 0)
    case = village.cli("case", "show", number)
    assert case["state"] == "submitted"
    assert [h["status"] for h in case["history"]] == ["applied"] * 3
    assert case["applicant"]["id_number"] == "640522********" + case["applicant"]["id_number"][-4:]
