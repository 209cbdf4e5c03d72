"""Offline sync by USB stick: outbox bundle to the centre, return bundle back."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from tests.e2e.conftest import Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """Bundles go through the same central services as push: SQLite is enough here."""
    return sqlite_central


def test_an_outbox_bundle_and_its_return_bundle_do_what_a_sync_does(
    central: Central, village: Station, tmp_path: Path
) -> None:
    (number,) = village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]
    stick = tmp_path / "stick"
    written = village.cli("bundle", "export", "--out", str(stick / "outbox.zip"))
    assert written["events"] == 3

    imported = central.cli(
        "bundle",
        "import",
        str(stick / "outbox.zip"),
        "--return-out",
        str(stick / "return.daiban-bundle"),
    )
    assert (imported["applied"], imported["return_events"]) == (3, 3)
    assert central.reconcile()[village.station_id]["events"] == 3

    applied = village.cli("bundle", "import", str(stick / "return.daiban-bundle"))
    assert (applied["events"], applied["new"]) == (3, 3)  # our own three, acknowledged
    assert village.cli("station", "show")["outbox"] == 0
    again = village.cli("bundle", "import", str(stick / "return.daiban-bundle"))
    assert (again["events"], again["new"]) == (3, 0)  # taken in twice: said, nothing doubled
    history = village.cli("case", "show", number)["history"]
    assert [h["status"] for h in history] == ["applied"] * 3
    cursor = village.cli("station", "show")["pull_cursor"]
    assert cursor >= 3  # the return bundle moved it: the next one starts after it

    # the next trip: one more case; its return carries what is new, not the whole history
    village.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 1, first=2)))
    village.cli("bundle", "export", "--out", str(stick / "outbox-2.zip"))
    back = stick / "return-2.daiban-bundle"
    second = central.cli("bundle", "import", str(stick / "outbox-2.zip"), "--return-out", str(back))
    assert (second["applied"], second["return_events"]) == (3, 3)  # was 6: every event again
    taken = village.cli("bundle", "import", str(back))
    assert (taken["events"], taken["new"]) == (3, 3)
    assert village.cli("station", "show")["pull_cursor"] > cursor
    # an older return taken in after the newer one moves nothing back
    village.cli("bundle", "import", str(stick / "return.daiban-bundle"))
    assert village.cli("station", "show")["pull_cursor"] > cursor
    assert village.cli("station", "show")["outbox"] == 0
    # the next online sync has nothing left to push
    assert village.cli("sync")["pushed"] == 0


def test_a_tampered_return_bundle_is_refused_whole(
    central: Central, village: Station, tmp_path: Path
) -> None:
    village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    village.cli("bundle", "export", "--out", str(tmp_path / "outbox.zip"))
    central.cli(
        "bundle",
        "import",
        str(tmp_path / "outbox.zip"),
        "--return-out",
        str(tmp_path / "r.daiban-bundle"),
    )
    damaged = tmp_path / "damaged.zip"
    data = bytearray((tmp_path / "r.daiban-bundle").read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    result = CliRunner().invoke(
        app, ["bundle", "import", str(damaged), "--data-dir", str(village.data_dir)]
    )
    assert result.exit_code == 1
    assert "离线包被拒收" in result.output
    assert village.cli("station", "show")["outbox"] == 3  # nothing applied
