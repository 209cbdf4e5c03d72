"""``daiban central backup`` then ``restore`` on a bare machine: the county's data is back and
its stations sync on (SQLite through the online backup API, PostgreSQL through pg_dump)."""

from __future__ import annotations

import shutil
import stat
import tarfile
import uuid
from pathlib import Path

import pytest

from central.settings import read_settings_file
from tests.e2e import conftest
from tests.e2e.conftest import (
    VILLAGE,
    enrolled_station,
    invoke,
    invoke_json,
    running_central,
    write_cases,
)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_args(request: pytest.FixtureRequest) -> tuple[str, ...]:
    if request.param == "sqlite":
        return ()
    cluster = request.getfixturevalue("pg_cluster")
    return ("--db", cluster.create_database(f"bk_{uuid.uuid4().hex[:12]}"))


def test_a_restored_centre_holds_the_data_and_its_stations_sync_on(
    db_args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = conftest._free_port()
    monkeypatch.setattr(conftest, "_free_port", lambda: port)  # the county keeps its address
    county = tmp_path / "county"
    archive = tmp_path / "usb" / "county.tar.gz"
    with running_central(county, db_args) as central:
        village = enrolled_station(central, tmp_path / "village", VILLAGE, "杨郎村", "village")
        numbers = village.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))
        assert village.cli("sync")["pushed"] > 0
        held = invoke_json(
            "central", "backup", "--out", str(archive), "--data-dir", str(county), *db_args
        )
        secret = read_settings_file(county / "central")["secret_key"]
    assert held["database"] == ("sqlite" if not db_args else "postgresql")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the county's data and secret
    with tarfile.open(archive) as members:
        assert "files/central.toml" in members.getnames()

    shutil.rmtree(county)  # the server's disk is lost; the database (PostgreSQL) is replaced
    invoke("central", "restore", str(archive), "--yes", "--data-dir", str(county), *db_args)
    assert read_settings_file(county / "central")["secret_key"] == secret
    monkeypatch.setattr(conftest, "_use_test_catalog", lambda _dir: None)  # restored with the rest

    with running_central(county, db_args) as central:
        counted = central.reconcile()[village.station_id]
        assert counted["cases"] == 2
        (third,) = village.cli(
            "case", "import", str(write_cases(tmp_path / "one.jsonl", 1, first=3))
        )["case_numbers"]
        report = village.cli("sync")
        assert report["rejected"] == 0 and report["superseded"] == 0
        assert central.reconcile()[village.station_id]["cases"] == 3
    assert third.endswith("-0003") and numbers["case_numbers"][-1].endswith("-0002")


def test_restore_refuses_a_file_that_is_no_backup(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from daiban.cli import app

    invoke("central", "init", "--data-dir", str(tmp_path / "county"))
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    result = CliRunner().invoke(
        app, ["central", "restore", str(junk), "--yes", "--data-dir", str(tmp_path / "county")]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"daiban: {junk} 不是中心端备份")
    assert "Traceback" not in result.output
