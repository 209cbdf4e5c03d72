"""The global options work before or after the command: two stations on one PC stay apart.

Run without ``DAIBAN_HOME`` and with ``HOME`` in a temp folder, so a command that
ignored ``--data-dir`` would write to the platform's default data directory,
and the test sees it there.
"""

from __future__ import annotations

import json
from pathlib import Path

import platformdirs
import pytest
from typer.testing import CliRunner, Result

from daiban.cli import app
from station.store import StationStore
from sync.events import Role
from tests.e2e.conftest import PASSWORD, Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback

POSITIONS = ("before", "after")
DIVISIONS = {"before": "640522100211", "after": "640522100212"}
"""One village per position: a village has one active station at a time."""


@pytest.fixture
def default_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The platform's data directory of a user without ``DAIBAN_HOME`` (in a temp HOME)."""
    monkeypatch.delenv("DAIBAN_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    path = Path(platformdirs.user_data_dir("daiban", appauthor=False))
    assert path.is_relative_to(tmp_path)
    return path


def daiban(position: str, data_dir: Path, *args: str) -> Result:
    """``daiban --data-dir X ARGS`` or ``daiban ARGS --data-dir X``."""
    where = ["--data-dir", str(data_dir)]
    argv = [*where, *args] if position == "before" else [*args, *where]
    return CliRunner().invoke(app, argv, env={"DAIBAN_PASSWORD": PASSWORD})


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("position", POSITIONS)
def test_central_commands_use_the_data_dir_in_either_position(
    position: str, tmp_path: Path, default_dir: Path
) -> None:
    county = tmp_path / "county"
    ok(daiban(position, county, "central", "init"))
    assert (county / "central" / "central.toml").exists()
    ok(daiban(position, county, "central", "user", "add", "--username", "zhao", "--name", "赵军",
              "--role", "admin", "--division", "640522000000", "--password", PASSWORD,
              "--id-number", "640522197002020053"))  # fmt: skip
    code = json.loads(
        ok(
            daiban(
                position, county, "central", "enroll", "--division", "640522100201",
                "--name", "村", "--role", "village", "--as", "zhao", "--json",
            )
        )
    )["code"]  # fmt: skip
    assert len(code) == 9
    ok(daiban(position, county, "central", "user", "add", "--username", "wang", "--name", "王芳",
              "--role", "reviewer", "--division", "640522100000", "--password", "secret12",
              "--id-number", "640522198001010018", "--as", "zhao"))  # fmt: skip
    users = json.loads(ok(daiban(position, county, "central", "user", "list", "--json")))["users"]
    assert sorted(u["username"] for u in users) == ["wang", "zhao"]
    assert not default_dir.exists()


@pytest.mark.parametrize("position", POSITIONS)
def test_db_is_taken_in_either_position(position: str, tmp_path: Path, default_dir: Path) -> None:
    database = tmp_path / "elsewhere" / "county.db"
    database.parent.mkdir()
    url = f"sqlite:///{database}"
    args = (
        ["--db", url, "central", "init"]
        if position == "before"
        else ["central", "init", "--db", url]
    )
    ok(CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path / "county")]))
    assert database.exists()
    assert not (tmp_path / "county" / "central" / "central.db").exists()
    assert not default_dir.exists()


def test_db_for_a_station_command_is_refused_not_ignored(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["sync", "--db", "sqlite:///x.db"])
    assert result.exit_code == 1
    assert result.stderr == "daiban: --db 只用于县级中心的命令（daiban central ...）。\n"


@pytest.mark.parametrize("position", POSITIONS)
def test_a_station_lives_in_its_data_dir_in_either_position(
    position: str, sqlite_central: Central, tmp_path: Path, default_dir: Path
) -> None:
    here = tmp_path / "station"
    division = DIVISIONS[position]
    code = sqlite_central.enroll_code(division, "山门村便民服务站", "village")
    ok(daiban(position, here, "station", "enroll", "--central", sqlite_central.url, "--code", code))
    shown = json.loads(ok(daiban(position, here, "station", "show", "--json")))
    assert shown["division"] == division
    agent = f"ma-{division[-3:]}"  # the village's 代办员, an account of the county
    Station(here).sign_up(agent, Role.agent, division, sqlite_central)

    cases = write_cases(tmp_path / "one.jsonl", 1)
    imported = json.loads(
        ok(daiban(position, here, "case", "import", str(cases), "--as", agent, "--json"))
    )
    (number,) = imported["case_numbers"]
    assert (
        json.loads(ok(daiban(position, here, "case", "show", number, "--json")))["state"]
        == "received"
    )
    printed = json.loads(ok(daiban(position, here, "print", "receipt", number, "--json")))
    assert Path(printed["kept"]).is_relative_to(here / "documents")
    # a copy where it cannot be written: said where and why in words (it said
    # "[Errno 2] No such file or directory: '/proc/.print-….tmp'")
    refused = daiban(position, here, "print", "receipt", number, "--out", "/proc/r.pdf")
    assert refused.exit_code == 1 and "无法写入 /proc/r.pdf：" in refused.output, refused.output
    assert "Errno" not in refused.output
    assert json.loads(ok(daiban(position, here, "sync", "--json")))["pending"] == 0

    store = StationStore.open(here)
    try:
        assert store.outbox_depth() == 0 and store.get_case(number) is not None
    finally:
        store.close()
    assert not default_dir.exists()
    sqlite_central.cli("revoke", shown["station_id"])


def test_two_stations_on_one_pc_stay_apart(
    sqlite_central: Central, tmp_path: Path, default_dir: Path
) -> None:
    ids = []
    for position, division in (("before", "640522100221"), ("after", "640522100222")):
        here = tmp_path / division
        code = sqlite_central.enroll_code(division, f"{division} 站", "village")
        args = ("station", "enroll", "--central", sqlite_central.url, "--code", code)
        said = ok(daiban(position, here, *args))
        assert f"（{division}，村）" in said  # the level in Chinese, not ``village``
        shown = json.loads(ok(daiban(position, here, "station", "show", "--json")))
        assert shown["division"] == division
        ids.append(shown["station_id"])
    assert ids[0] != ids[1]
    assert not default_dir.exists()


def test_help_still_works_and_creates_nothing(default_dir: Path) -> None:
    root = CliRunner().invoke(app, ["--help"])
    assert root.exit_code == 0 and "--data-dir" in root.stdout and "DAIBAN_HOME" in root.stdout
    for command in (["central", "init"], ["case", "accept"], ["print", "receipt"]):
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("用法：daiban ")  # Chinese by default
    assert not default_dir.exists()
