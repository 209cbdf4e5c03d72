"""``daiban central ...`` end to end on a temp data dir (SQLite, and PostgreSQL by --db)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner, Result

from daiban.cli import app
from sync.protocol import API_PREFIX

runner = CliRunner()
ADMIN_PASSWORD = "county-pass-1"
ADMIN_ID = "640522197002020053"
AS_ADMIN = ("--as", "zhaojun")


def _invoke(*args: str) -> Result:
    """``daiban central ARGS`` (the global options written after, as a person may); the
    acting administrator's password from DAIBAN_PASSWORD, as in a script."""
    return runner.invoke(app, ["central", *args], env={"DAIBAN_PASSWORD": ADMIN_PASSWORD})


def _first_admin(*common: str) -> None:
    """The county's first administrator (created without --as: nobody can act yet)."""
    _run(
        "user", "add", "--username", "zhaojun", "--name", "赵军", "--role", "admin",
        "--division", "640522000000", "--id-number", ADMIN_ID,
        "--password", ADMIN_PASSWORD, *common,
    )  # fmt: skip


def _run(*args: str) -> str:
    result = _invoke(*args)
    assert result.exit_code == 0, result.output
    return result.output


def test_init_enroll_user_report_and_revoke(db_url: str, tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    common = ["--data-dir", home, "--db", db_url]
    _run("init", *common)
    toml = (tmp_path / "home" / "central" / "central.toml").read_text()
    assert "secret_key" in toml and "changethis" not in toml
    _first_admin(*common)

    code = json.loads(
        _run(
            "enroll",
            *AS_ADMIN,
            "--division",
            "640522100201",
            "--name",
            "杨河村",
            "--role",
            "village",
            "--json",
            *common,
        )
    )["code"]
    assert len(code) == 9

    user = json.loads(
        _run(
            "user",
            "add",
            "--username",
            "wang",
            "--name",
            "王芳",
            "--role",
            "agent",
            "--division",
            "640522100201",
            "--password",
            "secret12",
            "--id-number",
            "640522198001010018",
            "--json",
            *AS_ADMIN,
            *common,
        )
    )
    assert (user["username"], user["id_masked"]) == ("wang", "640522********0018")
    taken = _invoke(
        "user",
        "add",
        "--username",
        "wang",
        "--name",
        "x",
        "--role",
        "agent",
        "--division",
        "640522100201",
        "--password",
        "secret12",
        "--id-number",
        "640522198505050021",
        *AS_ADMIN,
        *common,
    )
    assert (
        taken.exit_code != 0 and "用户名 wang 已被使用" in taken.output
    )  # in Chinese (was English)

    from fastapi.testclient import TestClient

    from central.app import create_app
    from central.bootstrap import load_settings

    api = create_app(load_settings(tmp_path / "home" / "central", db_url))
    with TestClient(api) as client:
        station = client.post(f"{API_PREFIX}/enroll", json={"code": code}).json()
    api.state.engine.dispose()

    report = json.loads(_run("report", "reconcile", "--json", *common))
    [entry] = report["stations"]
    assert entry["station"] == station["station_id"] and entry["division"] == "640522100201"
    assert (entry["cases"], entry["events"], entry["gaps"], entry["duplicates"]) == (0, 0, [], 0)

    xlsx = tmp_path / "reconcile.xlsx"
    _run("report", "reconcile", "--xlsx", str(xlsx), *common)
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active  # the same workbook as `report export --kind reconcile`
    assert sheet is not None and str(sheet["A1"].value).endswith("服务站对账表")
    assert sheet.freeze_panes == "A5" and sheet["A4"].value == "序号"
    cells = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert station["station_id"] not in cells, "the station's name, never its id"

    assert "已吊销" in _run("revoke", station["station_id"], *AS_ADMIN, *common)
    assert "审计完好" in _run("audit", *AS_ADMIN, *common)


def test_a_folder_without_a_centre_is_named_and_the_demos_centre_pointed_to(
    tmp_path: Path,
) -> None:
    """It said the secret was a placeholder and to run `central init`, which would have made
    a second, empty centre beside the demo's."""
    # where ``daiban demo`` keeps it: its data directory <home>/demo/central (it pointed to
    # <home>/demo, where no centre is, and looked for the file one folder too high)
    (tmp_path / "demo" / "central" / "central").mkdir(parents=True)
    (tmp_path / "demo" / "central" / "central" / "central.toml").write_text('secret_key = "s"\n')
    result = _invoke("report", "stats", "--data-dir", str(tmp_path), "--lang", "zh_CN")
    assert result.exit_code == 1
    assert f"{tmp_path / 'central'} 里没有县级中心" in result.output, result.output
    assert f"演示用的中心：--data-dir {tmp_path / 'demo' / 'central'}" in result.output
    assert "secret_key" not in result.output
    assert not (tmp_path / "central").exists()  # nothing made


def test_serve_refuses_the_placeholder_secret(tmp_path: Path) -> None:
    result = _invoke("serve", "--data-dir", str(tmp_path / "fresh"))
    assert result.exit_code == 1
    assert "central init" in result.output


def test_bundle_import_at_the_county_writes_the_return_bundle(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from central.app import create_app
    from central.bootstrap import load_settings
    from central.services.stations import enroll_code
    from sync.bundle import read_bundle, write_bundle
    from sync.protocol import EnrollResponse
    from tests.central.conftest import StationClient, central_account

    home = tmp_path / "home"
    _run("init", "--data-dir", str(home))
    api = create_app(load_settings(home / "central"))
    with Session(api.state.engine) as session:
        code = enroll_code(
            session=session, division="640522100201", name="村", role="village", ttl_minutes=5
        )
    with TestClient(api) as client:
        answer = client.post(f"{API_PREFIX}/enroll", json={"code": code}).json()
    village = StationClient(None, EnrollResponse.model_validate(answer))  # type: ignore[arg-type]
    with Session(api.state.engine) as session:
        village.actor_id = central_account(session, "agent-cun", "agent", "640522100201")
    api.state.engine.dispose()
    outbox = write_bundle(
        tmp_path / "stick" / "outbox.daiban",
        station_id=village.id,
        direction="outbox",
        events=village.new_case(),
        blob_paths={},
        signing_key=village.credential.signing_key,
    ).path
    back = tmp_path / "stick" / "return.daiban-bundle"
    args = ["bundle", "import", str(outbox), "--return-out", str(back), "--data-dir", str(home)]
    result = json.loads(_run(*args, "--json"))
    assert (result["applied"], result["return_events"]) == (3, 3)
    assert json.loads(_run(*args, "--json"))["duplicate"] == 3
    # the county reads which station it was by its name and area, not its id (a UUID)
    said = _run(*args)
    assert (
        said.startswith("来自 村（640522100201） 的离线包：已应用 0，重复 3")
        and village.id not in said
    )
    assert len(read_bundle(back, lambda _s: village.credential.signing_key).events) == 3

    forged = write_bundle(
        tmp_path / "forged.daiban",
        station_id=village.id,
        direction="outbox",
        events=village.new_case(),
        blob_paths={},
        signing_key="00" * 32,
    ).path
    refused = _invoke("bundle", "import", str(forged), "--data-dir", str(home))
    assert refused.exit_code == 1 and "离线包被拒收" in refused.output


def test_user_disable_and_list(tmp_path: Path) -> None:
    home = ["--data-dir", str(tmp_path / "home")]
    _run("init", *home)
    _first_admin(*home)
    made = _run(
        "user",
        "add",
        "--username",
        "zhao",
        "--name",
        "赵",
        "--role",
        "reviewer",
        "--division",
        "640522100000",
        "--password",
        "secret12",
        "--id-number",
        "640522198001010018",
        *AS_ADMIN,
        *home,
    )
    assert "乡镇审核员" in made and "reviewer" not in made  # the role in words
    assert "账号 zhao 已停用" in _run("user", "disable", "zhao", *AS_ADMIN, *home)
    users = json.loads(_run("user", "list", "--json", *home))["users"]
    assert {(u["username"], u["active"]) for u in users} == {("zhao", False), ("zhaojun", True)}
    listed = _run("user", "list", *home)  # roles in words, not codes
    assert "乡镇审核员" in listed and "县级管理员" in listed
    assert " reviewer " not in listed and " admin " not in listed
    missing = _invoke("user", "disable", "nobody", *AS_ADMIN, *home)
    assert missing.exit_code == 1 and "nobody" in missing.output
    again = _run("user", "enable", "zhao", *AS_ADMIN, *home)
    assert "账号 zhao 已重新启用" in again  # disable and enable each said only 已更改
