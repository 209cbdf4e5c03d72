"""``daiban station backup --out`` to a USB stick and ``station restore`` on another PC: the
cases, the identity, the settings and the scans are back, numbering continues, sync works."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from daiban.cli import app
from forms.clock import format_minute, to_china
from station.services.today import _restored_lines
from station.store import StationStore
from sync.blobs import store_blob
from tests.e2e.conftest import VILLAGE, Central, Station, enrolled_station, write_cases


def _queue_scan(station: Station, tmp_path: Path) -> str:
    """A scan stored at the station and not yet uploaded (it waits in the blob queue)."""
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"\xff\xd8 a scanned ID card \xff\xd9")
    store = StationStore.open(station.data_dir)
    try:
        ref = store_blob(store.blob_dir, scan)
        store.add_blob(ref.sha256, ref.size, "scan.jpg")
        return ref.sha256
    finally:
        store.close()


def _restored_from(station: Station) -> datetime | None:
    """When the backup was made, as the store notes it until a sync; and 今日's warning says so."""
    store = StationStore.open(station.data_dir)
    try:
        restored, lines = store.restored_from(), _restored_lines(store)
    finally:
        store.close()
    if restored is None:
        assert lines == []
    else:
        (line,) = lines
        assert (
            line.text.startswith(f"本机由 {format_minute(restored)} 的备份恢复")
            and "先同步" in line.text
        )
    return restored


def test_a_station_restored_from_its_stick_carries_on(
    sqlite_central: Central, tmp_path: Path
) -> None:
    old = enrolled_station(sqlite_central, tmp_path / "old", VILLAGE, "马场村", "village")
    numbers = old.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))["case_numbers"]
    assert old.cli("sync")["pushed"] > 0
    (old.data_dir / "station.toml").write_text('paper_format = "80mm"\n', encoding="utf-8")
    sha = _queue_scan(old, tmp_path)

    made = old.cli("station", "backup", "--out", str(tmp_path / "usb"))
    folder = Path(made["path"])
    assert folder.parent == tmp_path / "usb" and made["station_id"] == old.station_id
    made_at = datetime.fromisoformat(made["created_at"])  # stored in UTC, named in China time
    assert made_at.utcoffset() == timedelta(0)
    assert folder.name.endswith(f"-{to_china(made_at):%Y%m%d-%H%M%S}")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "station.db").stat().st_mode) == 0o600
    assert not list((tmp_path / "usb").glob("*.partial"))

    new = Station(tmp_path / "new", station_id=old.station_id, user=old.user)
    new.cli("station", "restore", str(folder), "--yes")
    assert _restored_from(new) == made_at  # 今日 warns: sync before taking cases in
    assert new.cli("station", "show")["station_id"] == old.station_id
    for number in numbers:
        assert new.cli("case", "show", number)["case_number"] == number
    assert (new.data_dir / "station.toml").read_text(encoding="utf-8") == 'paper_format = "80mm"\n'
    store = StationStore.open(new.data_dir)
    try:
        assert store.blob_path(sha).read_bytes() == (tmp_path / "scan.jpg").read_bytes()
        assert [b.sha256 for b in store.pending_blobs()] == [sha]
    finally:
        store.close()

    (third,) = new.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1, first=3)))[
        "case_numbers"
    ]
    assert third == numbers[-1][:-4] + "0003"  # the series continues
    report = new.cli("sync")
    assert report["pushed"] > 0 and report["rejected"] == 0 and report["superseded"] == 0
    assert _restored_from(new) is None  # synced: the warning is gone
    assert sqlite_central.reconcile()[old.station_id]["cases"] == 3


def test_restore_refuses_a_folder_that_is_no_backup(tmp_path: Path) -> None:
    (tmp_path / "stick").mkdir()
    result = CliRunner().invoke(
        app, ["station", "restore", str(tmp_path / "stick"), "--data-dir", str(tmp_path / "pc")]
    )
    assert result.exit_code == 1
    assert result.output.strip() == f"daiban: {tmp_path / 'stick'} 不是服务站备份。"
    assert not (tmp_path / "pc" / "station.db").exists()


def test_backup_of_a_directory_without_a_station_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["station", "backup", "--out", str(tmp_path / "usb"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.output.strip() == f"daiban: {tmp_path} 中没有可备份的服务站数据。"
