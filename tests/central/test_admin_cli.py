"""``daiban central`` administration on the server: who acts (``--as``), the county's
division table, outstanding codes, revocation with unsent events, one account per person."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner, Result

from central.app import create_app
from central.bootstrap import load_settings
from central.services.admin_audit import SERVER_CLI, list_actions, verify_actions
from daiban.cli import app
from sync.enroll_uri import parse_enroll_uri
from sync.protocol import API_PREFIX

PASSWORD = "county-pass-1"
ADMIN_ID = "640522197002020053"
SHANMEN = "640522100201"


@dataclass
class County:
    """A central's data dir with its first administrator."""

    home: Path
    db_url: str

    def run(self, *args: str, password: str = PASSWORD) -> Result:
        where = ["--data-dir", str(self.home), "--db", self.db_url]
        return CliRunner().invoke(
            app, ["central", *args, *where], env={"DAIBAN_PASSWORD": password}
        )

    def ok(self, *args: str) -> Any:
        result = self.run(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def api(self) -> Any:
        return create_app(load_settings(self.home / "central", self.db_url))


@pytest.fixture
def county(tmp_path: Path, db_url: str) -> Iterator[County]:
    place = County(tmp_path / "home", db_url)
    place.ok("init")
    place.ok(
        "user", "add", "--username", "zhaojun", "--name", "赵军", "--role", "admin",
        "--division", "640522000000", "--id-number", ADMIN_ID, "--password", PASSWORD,
    )  # fmt: skip
    yield place


def test_an_act_names_its_administrator_and_is_audited_from_the_server(county: County) -> None:
    enroll = ("enroll", "--division", SHANMEN, "--name", "山门村便民服务站", "--role", "village")
    nobody = county.run(*enroll)
    assert nobody.exit_code == 1 and "--as" in nobody.output
    wrong = county.run(*enroll, "--as", "zhaojun", password="not-it")
    assert wrong.exit_code == 1 and "zhaojun：用户名或密码错误（还可以再试 4 次）" in wrong.output
    issued = county.ok(*enroll, "--as", "zhaojun")
    assert issued["division_name"] == "山门村"
    assert issued["expires_at"].endswith("+08:00")  # China time
    with Session(county.api().state.engine) as session:
        [act, created] = list_actions(session)
        assert (act.action, act.target, act.actor_username, act.station_id) == (
            "station.code",
            SHANMEN,
            "zhaojun",
            SERVER_CLI,
        )
        assert created.action == "account.create" and verify_actions(session).ok


@pytest.mark.parametrize(
    ("division", "role", "said"),
    [
        ("640522100299", "village", "区划表中没有640522100299"),
        ("640521100201", "village", "不是本县"),
        (SHANMEN, "township", "640522100201（山门村）是村，不能注册为乡镇级服务站"),
        ("640522100000", "village", "（海城镇）是乡镇，不能注册为村级服务站"),
    ],
)
def test_only_divisions_of_the_county_table_at_their_level_are_enrolled(
    county: County, division: str, role: str, said: str
) -> None:
    refused = county.run(
        "enroll", "--division", division, "--name", "站", "--role", role, "--as", "zhaojun"
    )
    assert refused.exit_code == 1 and said in refused.output
    assert county.ok("codes", "list")["codes"] == []


def test_a_station_without_a_name_gets_no_code(county: County) -> None:
    """``--name "  "`` was issued a code (the desk asks for a name; the centre did not)."""
    refused = county.run(
        "enroll", "--division", SHANMEN, "--name", "  ", "--role", "village", "--as", "zhaojun"
    )
    assert refused.exit_code == 1 and "请填写站名（如：杨河村便民服务站）" in refused.output
    assert county.ok("codes", "list")["codes"] == []


def test_outstanding_codes_are_listed_with_a_qr_and_a_cancelled_one_enrolls_nothing(
    county: County, tmp_path: Path
) -> None:
    qr = tmp_path / "shanmen.png"
    issued = county.ok(
        "enroll", "--division", SHANMEN, "--name", "山门村便民服务站", "--role", "village",
        "--url", "http://10.0.0.5:8765", "--qr", str(qr), "--as", "zhaojun",
    )  # fmt: skip
    assert qr.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ticket = parse_enroll_uri(issued["uri"])
    assert (ticket.central, ticket.code) == ("http://10.0.0.5:8765", issued["code"])
    [listed] = county.ok("codes", "list")["codes"]
    assert (listed["ref"], listed["division_name"], listed["issued_by"]) == (
        issued["ref"],
        "山门村",
        "zhaojun",
    )
    assert listed["expires_at"] == issued["expires_at"]
    assert issued["code"] not in json.dumps(listed)  # the code itself is never listed
    plain = county.run("codes", "list").output  # the level in words, not "village"
    assert "山门村便民服务站  村  " in plain and "village" not in plain, plain

    assert county.ok("codes", "cancel", issued["ref"], "--as", "zhaojun")["cancelled"]
    assert county.ok("codes", "list")["codes"] == []
    api = county.api()
    with TestClient(api) as client:
        answer = client.post(f"{API_PREFIX}/enroll", json={"code": issued["code"]})
    assert answer.status_code == 403
    with Session(api.state.engine) as session:
        assert list_actions(session)[0].action == "station.code.cancel"
    api.state.engine.dispose()


def _enroll_and_report(county: County, outbox: int) -> str:
    code = county.ok(
        "enroll", "--division", SHANMEN, "--name", "山门村便民服务站", "--role", "village",
        "--as", "zhaojun",
    )["code"]  # fmt: skip
    api = county.api()
    with TestClient(api) as client:
        station = client.post(f"{API_PREFIX}/enroll", json={"code": code}).json()
        hello = {
            "software_version": "0.9.1",
            "schema_version": 1,
            "outbox_depth": outbox,
            "oldest_unsent": datetime(2026, 11, 30, 1, 5, tzinfo=UTC).isoformat(),
            "catalog_version": "2026.11-3",
            "cases_held": 42,
        }
        headers = {"Authorization": f"Bearer {station['token']}"}
        assert client.post(f"{API_PREFIX}/hello", json=hello, headers=headers).status_code == 200
    api.state.engine.dispose()
    return str(station["station_id"])


def test_revoking_a_station_that_holds_unsent_events_needs_force(county: County) -> None:
    station_id = _enroll_and_report(county, outbox=3)
    [row] = county.ok("stations")["stations"]
    assert (row["outbox_depth"], row["catalog_version"], row["cases_held"]) == (3, "2026.11-3", 42)
    assert row["oldest_unsent"] == "2026-11-30T09:05:00+08:00"
    assert row["division_name"] == "山门村" and row["software_version"] == "0.9.1"

    nobody = county.run("revoke", "--name", "不存在", "--force", "--as", "zhaojun")
    # said plainly (it was "有 0 个在用服务站符合条件，请用站点编号指明：无")
    assert nobody.exit_code == 1 and "没有符合“不存在”的在用服务站" in nobody.output
    warned = county.run("revoke", "--division", SHANMEN, "--as", "zhaojun")
    assert warned.exit_code == 1
    assert "还有 3 条未上传的记录，最早一条写于 2026-11-30 09:05" in warned.output
    assert "--force" in warned.output
    assert not county.ok("stations")["stations"][0]["revoked"]
    revoked = county.ok("revoke", "--name", "山门村便民服务站", "--force", "--as", "zhaojun")
    assert revoked["station"] == station_id
    assert county.ok("stations")["stations"][0]["revoked"]


def test_one_account_per_person_and_roles_that_fit_the_division(county: County) -> None:
    def add(username: str, role: str, division: str, id_number: str) -> Result:
        return county.run(
            "user", "add", "--username", username, "--name", "马丽", "--role", role,
            "--division", division, "--id-number", id_number, "--password", "secret-1",
            "--as", "zhaojun",
        )  # fmt: skip

    assert add("mali", "agent", SHANMEN, "640522198001010018").exit_code == 0
    again = add("mali2", "agent", "640522100202", "640522198001010018")
    assert again.exit_code == 1
    assert "马丽已有在用的账号 mali（640522********0018）：一人一账号" in again.output
    reviewer = add("rev", "reviewer", SHANMEN, "640522198505050021")
    assert (
        reviewer.exit_code == 1
        and "审核员不能设在村（640522100201），只能设在乡镇" in reviewer.output
    )
    admin = add("adm", "admin", "640522100000", "640522198505050021")
    assert admin.exit_code == 1 and "县级管理员不能设在乡镇" in admin.output
    assert add("wf", "agent", "640522100000", "640522198505050021").exit_code == 0  # 乡镇自有站
    bad = add("bad", "agent", SHANMEN, "640522198001010019")
    assert bad.exit_code == 1 and "身份证号不正确（校验码错误）" in bad.output

    with Session(county.api().state.engine) as session:
        rows = session.execute(text("SELECT * FROM account")).all()
    assert "198001010018" not in repr(rows)  # only an HMAC and the masked form are kept
    users = {u["username"]: u for u in county.ok("user", "list")["users"]}
    assert users["mali"]["id_masked"] == "640522********0018"


def test_disable_enable_and_password_are_audited(county: County) -> None:
    county.ok(
        "user", "add", "--username", "mali", "--name", "马丽", "--role", "agent",
        "--division", SHANMEN, "--id-number", "640522198001010018", "--password", "secret-1",
        "--as", "zhaojun",
    )  # fmt: skip
    for args in (
        ("disable", "mali"),
        ("enable", "mali"),
        ("passwd", "mali", "--password", "new-pass-2"),
    ):
        assert county.run("user", *args, "--as", "zhaojun").exit_code == 0
    own = county.run("user", "disable", "zhaojun", "--as", "zhaojun")
    assert own.exit_code == 1 and "不能停用自己的账号" in own.output
    with Session(county.api().state.engine) as session:
        acts = [(a.action, a.target) for a in reversed(list_actions(session))]
        assert acts[-3:] == [
            ("account.disable", "mali"),
            ("account.enable", "mali"),
            ("account.password", "mali"),
        ]
        assert verify_actions(session).ok


def test_revoking_at_a_terminal_asks_first_and_no_keeps_the_station(
    county: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A person at a terminal is asked, with the station named; "n" revokes nothing."""
    import daiban.commands.central as central_cli

    station_id = _enroll_and_report(county, outbox=0)
    monkeypatch.setattr(central_cli, "asking", lambda: True)
    where = ["--data-dir", str(county.home), "--db", county.db_url]
    args = ["central", "revoke", station_id, "--as", "zhaojun", *where]
    env = {"DAIBAN_PASSWORD": PASSWORD}

    declined = CliRunner().invoke(app, args, env=env, input="n\n")

    assert declined.exit_code == 1
    assert "山门村便民服务站" in declined.output and "daiban central unrevoke" in declined.output
    assert "未吊销" in declined.output or "Not revoked" in declined.output
    assert not county.ok("stations")["stations"][0]["revoked"]
    confirmed = CliRunner().invoke(app, args, env=env, input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert county.ok("stations")["stations"][0]["revoked"]


def test_guessing_an_administrators_password_at_the_server_is_locked_out(county: County) -> None:
    """``--as`` on the server's commands counts wrong passwords like the desk's sign-in:
    the fifth locks the username for 15 minutes, and then even the right one is refused."""
    args = ("enroll", "--division", SHANMEN, "--name", "山门村便民服务站", "--role", "village")
    outputs = [county.run(*args, "--as", "zhaojun", password=f"guess-{n:03d}") for n in range(5)]
    assert all(o.exit_code == 1 for o in outputs)
    assert "还可以再试 1 次" in outputs[3].output
    assert "密码错误次数过多：该账号已锁定 15 分钟" in outputs[4].output
    right = county.run(*args, "--as", "zhaojun")
    assert right.exit_code == 1 and "已锁定" in right.output
    assert county.ok("codes", "list")["codes"] == []  # nothing was issued by the guesser


def test_the_station_list_reads_in_chinese(county: County) -> None:
    _enroll_and_report(county, outbox=3)
    listed = county.run("stations")
    assert listed.exit_code == 0, listed.output
    (line,) = listed.stdout.splitlines()
    assert "640522100201 山门村  村" in line  # its level as people say it, not "village"
    assert "目录 2026.11-3" in line and "未上传 3" in line
    assert "village" not in line and "Catalog" not in line


def test_an_account_is_placed_in_the_county_and_at_a_station_it_names(county: County) -> None:
    """``user add`` took a Beijing code, 999999999999 and a station that does not exist: the
    accounts were made, reached no station and showed on no desk."""
    base = ("user", "add", "--name", "测试", "--role", "agent", "--password", "pass12345")
    who = ("--as", "zhaojun")
    beijing = county.run(
        *base, "--username", "t5", "--division", "110101001001",
        "--id-number", "640522199001011277", *who,
    )  # fmt: skip
    assert beijing.exit_code == 1 and "110101001001不是本县（640522）的区划" in beijing.output
    nowhere = county.run(
        *base, "--username", "t7", "--division", SHANMEN, "--station", "nosuch",
        "--id-number", "640522199001011277", *who,
    )  # fmt: skip
    assert nowhere.exit_code == 1 and "本县中心没有站点 nosuch" in nowhere.output
    listed = county.ok("user", "list")["users"]
    assert {u["username"] for u in listed} == {"zhaojun"}  # nothing was made
    made = county.ok(
        *base, "--username", "t8", "--division", SHANMEN,
        "--id-number", "640522199001011277", *who,
    )  # fmt: skip
    assert made["division"] == SHANMEN


def test_a_station_silent_for_days_is_warned_about_before_revoking() -> None:
    """A USB-only station's bundles carry no report: the centre's 0 unsent was days old, and
    it was revoked without a word while it held 3 cases taken in since."""
    from datetime import timedelta

    from central.models import Station, utcnow
    from central.services.stations import unsent_warning

    def station(days: float) -> Station:
        reported = utcnow() - timedelta(days=days)
        return Station(
            id="s1", name="武塬村便民服务站", division="640522100202", role="village",
            token_hash="x", enrolled_at=reported, reported_at=reported, outbox_depth=0,
        )  # fmt: skip

    warned = unsent_warning(station(5.2))
    assert warned is not None and warned.startswith("武塬村便民服务站 已有 5 天没有报告")
    assert "可能还没有上传" in warned
    assert unsent_warning(station(0.5)) is None  # reported today: nothing to say


def _hello(county: County, division: str, name: str, catalog: str) -> None:
    """A village station enrolled at ``division`` that reports it runs ``catalog``."""
    code = county.ok(
        "enroll", "--division", division, "--name", name, "--role", "village", "--as", "zhaojun"
    )["code"]
    api = county.api()
    with TestClient(api) as client:
        station = client.post(f"{API_PREFIX}/enroll", json={"code": code}).json()
        hello = {"software_version": "0.9.1", "schema_version": 1, "catalog_version": catalog}
        headers = {"Authorization": f"Bearer {station['token']}"}
        assert client.post(f"{API_PREFIX}/hello", json=hello, headers=headers).status_code == 200
    api.state.engine.dispose()


def test_catalog_versions_say_what_each_station_runs_in_china_time(
    county: County, tmp_path: Path
) -> None:
    """The help promised the version each station runs; only the published ones were listed,
    their time in UTC, by username."""
    import re
    import shutil

    from forms.catalog import SHIPPED_CATALOG

    folder = tmp_path / "catalog"
    shutil.copytree(SHIPPED_CATALOG, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    header = folder / "catalog.toml"
    text = re.sub(r'(?m)^version = ".*"$', 'version = "2099.1.1"', header.read_text("utf-8"))
    header.write_text(text, "utf-8")
    assert county.ok("catalog", "publish", str(folder), "--as", "zhaojun")["number"] == 1
    _hello(county, SHANMEN, "山门村便民服务站", "1:2099.1.1")
    _hello(county, "640522100202", "武塬村便民服务站", "0:2026.11.3")

    listed = county.ok("catalog", "versions")
    [published] = listed["versions"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00", published["published_at"])
    assert (published["published_by"], published["published_by_name"]) == ("zhaojun", "赵军")
    running = {s["name"]: (s["catalog_number"], s["catalog_version"]) for s in listed["stations"]}
    assert running == {"山门村便民服务站": (1, "2099.1.1"), "武塬村便民服务站": (0, "2026.11.3")}

    plain = county.run("catalog", "versions")
    assert plain.exit_code == 0, plain.output
    lines = plain.stdout.splitlines()
    assert "2099.1.1" in lines[0] and "赵军（zhaojun）" in lines[0]
    assert lines[1:] == [
        "各站点正在使用的版本：",
        "  第1版（2099.1.1）  1 个站点",
        "  第0版（2026.11.3）  1 个站点：武塬村便民服务站",  # behind: named
    ]


def test_outstanding_codes_name_the_person_who_issued_them(county: County) -> None:
    """The desk said 赵军 where ``codes list`` said zhaojun."""
    county.ok(
        "enroll", "--division", SHANMEN, "--name", "山门村便民服务站", "--role", "village",
        "--as", "zhaojun",
    )  # fmt: skip
    [listed] = county.ok("codes", "list")["codes"]
    assert (listed["issued_by"], listed["issued_by_name"]) == ("zhaojun", "赵军")
    plain = county.run("codes", "list")
    assert plain.stdout.rstrip().endswith("赵军（zhaojun）"), plain.output


def test_reconcile_says_reused_numbers_apart_from_duplicate_applications_and_marks_revoked(
    county: County,
) -> None:
    """Each line said 重复 0 above a line of 重复申请; a revoked station was not marked."""
    _enroll_and_report(county, outbox=0)
    plain = county.run("report", "reconcile")
    assert plain.exit_code == 0, plain.output
    (line,) = plain.stdout.splitlines()
    assert "序号重复的事件 0" in line and "重复 0" not in line  # the Excel's own words
    assert "已吊销" not in line
    county.ok("revoke", "--division", SHANMEN, "--force", "--as", "zhaojun")
    (line,) = county.run("report", "reconcile").stdout.splitlines()
    assert line.endswith("(已吊销)") and "失联" not in line, line


def _piped(county: County, *args: str, typed: str) -> Result:
    """``echo typed | daiban central ARGS`` (standard input is not a terminal)."""
    where = ["--data-dir", str(county.home), "--db", county.db_url]
    env = {"DAIBAN_PASSWORD": PASSWORD}
    return CliRunner().invoke(app, ["central", *args, *where], input=typed, env=env)


def test_a_password_piped_in_is_read_without_english_warnings(county: County) -> None:
    """``echo pw | user add … --as`` printed GetPassWarning, "Warning: Password input may be
    echoed." and, with nothing piped, "Aborted!"."""
    add = (
        "user", "add", "--username", "mali", "--name", "马丽", "--role", "agent",
        "--division", SHANMEN, "--as", "zhaojun",
    )  # fmt: skip
    ids = ("--id-number", "640522199001011277")
    nothing = _piped(county, *add, *ids, typed="")
    assert nothing.exit_code == 1
    assert "没有给出该账号的密码：请用 --password 给出" in nothing.output, nothing.output
    no_id = _piped(county, *add, typed="")
    assert no_id.exit_code == 1 and "没有马丽的身份证号：请用 --id-number 给出" in no_id.output
    made = _piped(county, *add, *ids, typed="Shanmen-2026\n")
    assert made.exit_code == 0 and "账号 mali 已创建" in made.output, made.output
    changed = _piped(county, "user", "passwd", "mali", "--as", "zhaojun", typed="Wuyuan-2027\n")
    assert changed.exit_code == 0, changed.output
    for result in (nothing, no_id, made, changed):
        assert not any(w in result.output for w in ("Warning", "Aborted", "echo")), result.output
    from central.services.sessions import checked_password

    api = county.api()
    with Session(api.state.engine) as session:
        assert checked_password(session=session, username="mali", password="Wuyuan-2027")
    api.state.engine.dispose()
