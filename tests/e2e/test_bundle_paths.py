"""What the county and the station are told when a bundle cannot go where they asked, is
the wrong kind, or comes from a revoked station; and scans the centre stored from a bundle
are not carried again."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from station.store import StationStore
from sync.blobs import store_blob
from tests.e2e.conftest import COUNTY_ADMIN, PASSWORD, VILLAGE, Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """Bundles go through the same central services as push: SQLite is enough here."""
    return sqlite_central


def _says(*args: str, code: int) -> str:
    result = CliRunner().invoke(app, list(args), env={"DAIBAN_PASSWORD": PASSWORD})
    assert result.exit_code == code, result.output
    return str(result.output)


def _centre_says(central: Central, *args: str, code: int = 0) -> str:
    return _says("central", *args, "--data-dir", str(central.data_dir), *central.db_args, code=code)


def _station_says(village: Station, *args: str, code: int = 0) -> str:
    return _says(*args, "--data-dir", str(village.data_dir), code=code)


def _state(village: Station, number: str) -> str:
    return str(village.cli("case", "show", number)["state"])


def test_an_export_that_cannot_be_written_says_where_and_why_and_changes_nothing(
    village: Station, tmp_path: Path
) -> None:
    (number,) = village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]
    before = (_state(village, number), village.cli("station", "show")["outbox"])
    a_file = tmp_path / "note.txt"
    a_file.write_text("x")
    said = _station_says(village, "bundle", "export", "--out", str(a_file / "b.bundle"), code=1)
    assert "上级目录是一个文件" in said and "Error" not in said
    said = _station_says(village, "bundle", "export", "--out", "/proc/b.daiban-bundle", code=1)
    assert "无法把数据包写到 /proc/b.daiban-bundle：那里不能写入文件" in said
    # not submitted by a failed export (待报送 stays, nothing added to the outbox)
    assert (_state(village, number), village.cli("station", "show")["outbox"]) == before


def test_an_export_to_a_folder_goes_into_it_named_as_the_desk_names_it(
    village: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--out E:\\`` (the stick itself) was refused as a folder; a relative path was said
    back as typed, which told the agent nothing of where the file went."""
    village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    stick = tmp_path / "stick"
    stick.mkdir()
    monkeypatch.chdir(tmp_path)
    said = _station_says(village, "bundle", "export", "--out", "stick")
    (written,) = stick.glob("outbox-*.daiban-bundle")
    assert written.name.startswith(f"outbox-{VILLAGE}-")
    assert str(written) in said  # the whole path, to find it again
    said = _station_says(village, "bundle", "export", "--out", "again.daiban-bundle")
    assert str(tmp_path / "again.daiban-bundle") in said


def test_an_empty_bundle_says_why_it_is_empty(village: Station, tmp_path: Path) -> None:
    """``bundle export`` with nothing to send wrote a bundle of 0 events without a word on
    why (the desk's b key said it)."""
    said = _station_says(village, "bundle", "export", "--out", str(tmp_path / "e.daiban-bundle"))
    assert "0 条" in said and "本站没有待上传的记录：这个离线包只用来取回县里给本站的更新。" in said


def test_the_county_is_told_before_importing_that_the_return_cannot_be_written(
    central: Central, village: Station, tmp_path: Path
) -> None:
    village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    outbox = tmp_path / "outbox.daiban-bundle"
    village.cli("bundle", "export", "--out", str(outbox))
    said = _centre_says(
        central, "bundle", "import", str(outbox), "--return-out", "/proc/r.daiban-bundle", code=1
    )
    assert "无法把数据包写到 /proc/r.daiban-bundle：那里不能写入文件" in said
    assert central.reconcile()[village.station_id]["events"] == 0  # not imported meanwhile

    said = _centre_says(
        central, "bundle", "import", str(outbox), "--return-out", str(tmp_path / "r")
    )
    back = tmp_path / "r.daiban-bundle"  # the ending the desk's 导入 key and watcher look for
    assert back.is_file() and f"回传包已写入 {back}" in said
    assert village.cli("bundle", "import", str(back))["events"] >= 3

    said = _centre_says(central, "bundle", "import", str(back), code=1)
    assert "这是发给服务站的回传包：请在服务站导入" in said and "station" not in said
    said = _centre_says(central, "bundle", "import", str(tmp_path), code=1)
    assert f"{tmp_path} 是一个文件夹" in said and "损坏" not in said


def test_a_revoked_stations_bundle_is_sent_to_import_revoked_and_back(
    central: Central, village: Station, tmp_path: Path
) -> None:
    village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    outbox = tmp_path / "outbox.daiban-bundle"
    village.cli("bundle", "export", "--out", str(outbox))
    central.ensure_admin()
    as_admin = ("--as", COUNTY_ADMIN)
    said = _centre_says(central, "bundle", "import-revoked", str(outbox), *as_admin, code=1)
    assert "并未吊销" in said and "daiban central bundle import" in said

    central.cli("revoke", village.station_id, "--force")
    said = _centre_says(central, "bundle", "import", str(outbox), code=1)
    assert "已吊销" in said and "import-revoked" in said and "未登记" not in said
    said = _centre_says(central, "bundle", "import-revoked", str(outbox), *as_admin)
    assert "已审批导入吊销站点 " in said and "（640522100201）" in said
    assert village.station_id not in said  # named by name and area, not by its id


def _queue_scan(village: Station, tmp_path: Path) -> str:
    scan = tmp_path / "scan.jpg"
    scan.write_bytes(b"\xff\xd8 a scanned ID card \xff\xd9")
    store = StationStore.open(village.data_dir)
    try:
        ref = store_blob(store.blob_dir, scan)
        store.add_blob(ref.sha256, ref.size, "scan.jpg")
        return ref.sha256
    finally:
        store.close()


def _blobs_waiting(village: Station) -> int:
    store = StationStore.open(village.data_dir)
    try:
        return store.blob_queue_depth()
    finally:
        store.close()


def test_scans_the_centre_stored_from_a_bundle_are_not_carried_again(
    central: Central, village: Station, tmp_path: Path
) -> None:
    _queue_scan(village, tmp_path)
    first = tmp_path / "outbox-1.daiban-bundle"
    assert village.cli("bundle", "export", "--out", str(first))["blobs"] == 1
    back = tmp_path / "return-1.daiban-bundle"
    assert central.cli("bundle", "import", str(first), "--return-out", str(back))["blobs_stored"]

    taken = village.cli("bundle", "import", str(back))
    assert taken["blobs_confirmed"] == 1 and _blobs_waiting(village) == 0
    again = village.cli("bundle", "import", str(back))  # taken in twice: nothing more
    assert again["blobs_confirmed"] == 0 and again["taken_before"]
    said = village.run("bundle", "import", str(back)).stdout.strip()
    if again["events"] == 0:  # the module's first village: the return brings only the scan's
        assert said == "该回传包已导入过，没有新的变化"  # it said: 其中 0 条事件本站都已有
    else:  # a later one's brings the county's cases of the village too
        assert said == f"该回传包已导入过：其中 {again['events']} 条事件本站都已有，没有新的变化"
    assert (
        village.cli("bundle", "export", "--out", str(tmp_path / "o2.daiban-bundle"))["blobs"] == 0
    )


def test_a_return_that_fails_to_write_after_the_import_says_so_and_a_retry_writes_it(
    central: Central, village: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import central.services.bundles as bundles
    from sync.errors import BundleWriteError

    village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))
    outbox = tmp_path / "outbox.daiban-bundle"
    village.cli("bundle", "export", "--out", str(outbox))
    back = tmp_path / "back.daiban-bundle"
    writes = bundles.write_return_bundle

    def stick_pulled_out(**kwargs: object) -> None:
        raise BundleWriteError(str(back), "the disk is full", 28, "No space left on device")

    monkeypatch.setattr(bundles, "write_return_bundle", stick_pulled_out)
    args = ("bundle", "import", str(outbox), "--return-out", str(back))
    said = _centre_says(central, *args, code=1)
    assert "已应用 3" in said and f"离线包已导入，但回传包未能写出：{back}（磁盘已满）" in said
    assert not back.exists()

    monkeypatch.setattr(bundles, "write_return_bundle", writes)
    said = _centre_says(central, *args)  # the same bundle again: nothing twice, the return written
    assert "已应用 0，重复 3" in said and back.is_file()
    assert village.cli("bundle", "import", str(back))["new"] >= 3
