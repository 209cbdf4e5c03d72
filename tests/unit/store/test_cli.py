"""The station-side commands on an enrolled store, without a centre."""

from __future__ import annotations

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from daiban.cli import app
from station.services.auth import hash_password
from station.store import NewEvent, StationStore
from sync.events import EventKind, Role
from sync.protocol import AccountRecord
from tests.unit.store.conftest import VILLAGE, application, identity

AGENT = "ma"
PASSWORD = "cli-secret-1"
CHINA = ZoneInfo("Asia/Shanghai")


def _line(serial: int, **changes: object) -> str:
    data = application(serial=serial).model_dump(mode="json")
    data["item"] = data.pop("item_code")
    data["receive"] = True
    data.update(changes)
    return json.dumps(data, ensure_ascii=False)


def _enrolled(tmp_path: Path) -> Path:
    home = tmp_path / "station"
    store = StationStore.open(home)
    store.save_identity(identity())
    store.upsert_accounts(
        [
            AccountRecord(
                user_id="u-ma",
                username=AGENT,
                display_name="马丽",
                role=Role.agent,
                division=VILLAGE,
                password_hash=hash_password(PASSWORD),
                updated_at=datetime.now(UTC),
            )
        ]
    )
    store.close()
    return home


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"DAIBAN_PASSWORD": PASSWORD})
    return result.exit_code, result.output


def test_import_reports_failing_lines_and_keeps_the_rest(tmp_path: Path) -> None:
    home = _enrolled(tmp_path)
    lines = [
        _line(1),
        _line(2, applicant={"name": "李四", "id_number": "640522195001010010"}),
        "{not json",
        "",
        _line(3, item="NO-SUCH-ITEM"),
        _line(4, colour="blue"),
        _line(5),
    ]
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = _run(
        "case", "import", str(source), "--as", AGENT, "--json", "--data-dir", str(home)
    )
    assert code == 0, output
    report = json.loads(output)
    assert report["imported"] == 2
    assert report["case_numbers"][0].endswith("-0001") and report["case_numbers"][1].endswith(
        "-0002"
    )
    failed = {(f["line"], f["field"]) for f in report["failed"]}
    assert (2, "applicant.id_number") in failed
    assert (3, "") in failed
    assert (5, "item") in failed
    assert (6, "colour") in failed
    assert all(f["error"] for f in report["failed"])


def test_importing_the_same_file_again_makes_no_second_cases(tmp_path: Path) -> None:
    """On main a second ``case import`` of a file made every case again, without a word."""
    home = _enrolled(tmp_path)
    source = tmp_path / "cases.jsonl"
    source.write_text(_line(1) + "\n" + _line(2) + "\n", encoding="utf-8")
    args = ("case", "import", str(source), "--as", AGENT, "--data-dir", str(home))
    code, first = _run(*args)
    numbers = [f"640522100201-{datetime.now(CHINA):%Y%m%d}-000{n}" for n in (1, 2)]
    # the new cases' numbers, to show or print them by (only --json gave them)
    assert (code, first.splitlines()[:3]) == (
        0,
        ["已导入 2 件", f"  {numbers[0]}", f"  {numbers[1]}"],
    )
    code, again = _run(*args)
    assert code == 0, again
    assert again.splitlines() == [
        "已导入 0 件",
        "2 行未再导入：申请人已有该事项的未办结办件",
        f"cases.jsonl:1: applicant.id_number: 重复申请：该申请人此事项已有未办结的办件"
        f"（{numbers[0]}），未再导入",
        f"cases.jsonl:2: applicant.id_number: 重复申请：该申请人此事项已有未办结的办件"
        f"（{numbers[1]}），未再导入",
    ]
    store = StationStore.open(home)
    try:
        assert store.count_cases() == 2
        assert store.outbox_depth() == 4  # two cases, created + received each
    finally:
        store.close()


def test_lifecycle_commands_follow_the_desk_rules(tmp_path: Path) -> None:
    home = _enrolled(tmp_path)
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n", encoding="utf-8")
    _, output = _run(
        "case", "import", str(source), "--as", AGENT, "--json", "--data-dir", str(home)
    )
    (number,) = json.loads(output)["case_numbers"]
    code, output = _run("case", "accept", number, "--as", AGENT, "--data-dir", str(home))
    assert (code, output) == (1, "daiban: 办件处于“已收件”状态，不能受理。\n")
    assert _run("case", "submit", number, "--as", AGENT, "--data-dir", str(home))[0] == 0
    code, output = _run("case", "accept", number, "--as", AGENT, "--data-dir", str(home))
    assert (code, output) == (1, "daiban: 办件处于“已报送”状态，村代办员不能受理。\n")
    code, output = _run("case", "reject", number, "--as", AGENT, "--data-dir", str(home))
    assert (code, output) == (1, "daiban: 不予受理必须填写理由。\n")
    code, output = _run("case", "show", number, "--json", "--data-dir", str(home))
    assert code == 0 and json.loads(output)["state"] == "submitted"
    code, output = _run("case", "show", number, "--data-dir", str(home))
    assert code == 0 and "报送" in output and "待上传" in output  # the history in Chinese
    assert "submitted" not in output and "pending" not in output
    code, output = _run("case", "show", "640522100201-20991231-0001", "--data-dir", str(home))
    assert code == 1 and "没有这个办件" in output


def test_export_writes_a_ledger_with_masked_id_numbers(tmp_path: Path) -> None:
    home = _enrolled(tmp_path)
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n" + _line(2) + "\n", encoding="utf-8")
    _run("case", "import", str(source), "--as", AGENT, "--data-dir", str(home))
    out = tmp_path / "ledger.csv"
    code, _ = _run("case", "export", "--out", str(out), "--data-dir", str(home))
    assert code == 0  # no --format: a .csv file gets the CSV ledger (it got JSON lines)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Chinese Excel reads it as UTF-8
    assert b"\r\n" in raw
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert table[0] == [
        "办件编号",
        "办件状态",
        "事项编码",
        "事项名称",
        "申请人",
        "身份证号码（脱敏）",
        "代办员",
        "创建时间（北京时间）",
        "收件时间（北京时间）",
        "报送时间（北京时间）",
        "受理时间（北京时间）",
        "办结时间（北京时间）",
        "办理结果",
    ]
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [r["申请人"] for r in rows] == ["张三丰", "张三丰"]
    first = application(serial=1).applicant["id_number"]
    assert rows[0]["身份证号码（脱敏）"] == f"{first[:6]}********{first[-4:]}"
    assert first not in raw.decode("utf-8-sig")
    assert rows[0]["办件状态"] == "已收件" and rows[0]["事项编码"] == "640522-YB-001"
    assert rows[0]["事项名称"] == "城乡居民基本医疗保险参保登记" and rows[0]["代办员"] == "马丽"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0]["收件时间（北京时间）"])
    code, _ = _run("case", "export", "--out", str(tmp_path / "all.jsonl"), "--data-dir", str(home))
    cases = [
        json.loads(x) for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [c["state"] for c in cases] == ["received", "received"]


def test_a_failed_export_leaves_the_file_as_it_was_and_a_new_folder_is_made(
    tmp_path: Path,
) -> None:
    """A mistyped --data-dir emptied yesterday's ledger (the file was opened, then the
    station was looked for); a folder not yet there was an 意外错误（FileNotFoundError）."""
    kept = tmp_path / "keep.csv"
    kept.write_text("yesterday's ledger", encoding="utf-8")
    code, output = _run("case", "export", "--out", str(kept), "--data-dir", str(tmp_path / "typo"))
    assert code == 1 and "尚未注册" in output
    assert kept.read_text(encoding="utf-8") == "yesterday's ledger"
    home = _enrolled(tmp_path)
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n", encoding="utf-8")
    _run("case", "import", str(source), "--as", AGENT, "--data-dir", str(home))
    out = tmp_path / "new" / "folder" / "ledger.csv"
    code, output = _run("case", "export", "--out", str(out), "--data-dir", str(home))
    assert code == 0 and f"已导出 1 件：{out}" in output
    assert "张三丰" in out.read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in out.parent.iterdir()) == ["ledger.csv"]  # no part left
    code, output = _run("case", "export", "--out", str(kept / "x.csv"), "--data-dir", str(home))
    assert code == 1 and f"无法写入 {kept / 'x.csv'}" in output and "Error" not in output
    assert kept.read_text(encoding="utf-8") == "yesterday's ledger"


def test_a_damaged_database_is_named_with_what_to_do(tmp_path: Path) -> None:
    """A station.db a power cut damaged: every command said 发生了意外错误（DatabaseError）."""
    home = _enrolled(tmp_path)
    database = home / "station.db"
    whole = database.read_bytes()
    database.write_bytes(b"\0" * 100 + whole[100:4096])  # its header and most pages gone
    for name in ("station.db-wal", "station.db-shm"):
        (home / name).unlink(missing_ok=True)
    for command in (("station", "show"), ("sync",), ("case", "export")):
        code, output = _run(*command, "--data-dir", str(home))
        assert code == 1, output
        assert f"本站数据库 {database} 已损坏" in output, output
        assert "daiban station restore" in output and "意外错误" not in output


def test_sync_without_enrollment_fails_in_one_line(tmp_path: Path) -> None:
    store = StationStore.open(tmp_path / "fresh")  # a store, never enrolled
    store.close()
    code, output = _run("sync", "--data-dir", str(tmp_path / "fresh"))
    assert code == 1
    assert output.strip() == "daiban: 本站点尚未注册，请先运行 daiban station enroll。"


def test_a_folder_without_a_station_is_named_and_left_as_it_was(tmp_path: Path) -> None:
    # a mistyped --data-dir: not "no such case" from an empty database made on the spot
    home = _enrolled(tmp_path)
    (home / "demo" / "station-640522100201").mkdir(parents=True)
    for wrong in (tmp_path / "nowhere", home / "demo"):
        for command in (("case", "show", "640522100201-20261205-0007"), ("sync",)):
            code, output = _run(*command, "--data-dir", str(wrong))
            assert code == 1 and output.count("\n") == 1, output
            assert output.startswith(f"daiban: 本站点尚未注册：{wrong} 里没有站点数据。")
            assert "请用 --data-dir 指定" in output and "没有这个办件" not in output
        assert not (wrong / "station.db").exists()
    code, output = _run("case", "show", "640522100201-20261205-0007", "--data-dir", str(home))
    assert code == 1 and "没有这个办件" in output  # the right folder: the case is not there
    code, output = _run("sync", "--data-dir", str(home.parent))
    assert code == 1 and "演示站点" not in output


def test_the_demonstration_s_stations_are_named_from_its_base(tmp_path: Path) -> None:
    (tmp_path / "demo" / "station-640522100201").mkdir(parents=True)
    code, output = _run("sync", "--data-dir", str(tmp_path))
    assert code == 1
    assert f"演示站点的数据在：{tmp_path / 'demo' / 'station-640522100201'}。" in output


def test_sync_with_the_centre_unreachable_keeps_the_outbox(tmp_path: Path) -> None:
    home = _enrolled(tmp_path)  # its central_url points at a closed port
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n", encoding="utf-8")
    _run("case", "import", str(source), "--as", AGENT, "--data-dir", str(home))
    code, output = _run("sync", "--data-dir", str(home))
    assert code == 1
    assert output.startswith("daiban: 同步失败：") and output.count("\n") == 1
    store = StationStore.open(home)
    assert store.outbox_depth() == 2  # nothing submitted while the centre does not answer
    assert store.last_sync() is not None and store.last_sync().error  # type: ignore[union-attr]


def test_re_enrolling_with_unsent_events_is_refused(tmp_path: Path) -> None:
    home = _enrolled(tmp_path)
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n", encoding="utf-8")
    _run("case", "import", str(source), "--as", AGENT, "--data-dir", str(home))
    code, output = _run(
        "station",
        "enroll",
        "--central",
        "http://127.0.0.1:9",
        "--code",
        "X",
        "--data-dir",
        str(home),
    )
    assert code == 1 and output.startswith(
        "daiban: 本站点还有 2 条事件未上传，请先同步再重新注册。"
    )
    assert "daiban bundle export" in output  # a revoked station cannot sync: the way out


def test_case_show_gives_the_result_the_reviewers_note_and_the_persons_name(
    tmp_path: Path,
) -> None:
    from station.store import NewEvent
    from sync.events import EventKind, Role
    from sync.protocol import AccountRecord

    home = _enrolled(tmp_path)
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n", encoding="utf-8")
    _, output = _run(
        "case", "import", str(source), "--as", AGENT, "--json", "--data-dir", str(home)
    )
    (number,) = json.loads(output)["case_numbers"]
    assert _run("case", "submit", number, "--as", AGENT, "--data-dir", str(home))[0] == 0
    store = StationStore.open(home)
    wangfang = AccountRecord(
        user_id="u-wf",
        username="wangfang",
        display_name="王芳",
        role=Role.reviewer,
        division="640522100000",
        password_hash="x",
        updated_at="2026-12-01T08:00:00+08:00",
    )
    store.upsert_accounts([wangfang])
    for kind, payload in (
        (EventKind.accepted, {}),
        (EventKind.completed, {"result": "denied", "note": "年龄未满80周岁"}),
    ):  # as pulled from the township
        store.append(number, [NewEvent(kind, "u-wf", Role.reviewer, payload)])
    store.close()
    code, output = _run("case", "show", number, "--json", "--data-dir", str(home))
    shown = json.loads(output)
    assert (shown["result_name"], shown["result_note"]) == ("不通过", "年龄未满80周岁")
    assert shown["result_text"] == "办结结果：不通过 — 年龄未满80周岁"
    assert [h["actor_name"] for h in shown["history"]][-2:] == ["王芳", "王芳"]
    code, output = _run("case", "show", number, "--data-dir", str(home))
    assert "办结结果：不通过 — 年龄未满80周岁" in output
    assert "王芳" in output


def test_the_ledger_says_when_a_case_was_accepted_and_completed_and_how(tmp_path: Path) -> None:
    home = _enrolled(tmp_path)
    source = tmp_path / "one.jsonl"
    source.write_text(_line(1) + "\n", encoding="utf-8")
    _run("case", "import", str(source), "--as", AGENT, "--data-dir", str(home))
    store = StationStore.open(home)
    try:
        (number,) = [view.case_number for view in store.list_cases()]
        decided = [  # the township's decisions, as a pull brings them
            NewEvent(EventKind.submitted, "u-ma", Role.agent),
            NewEvent(EventKind.accepted, "u-wf", Role.reviewer),
            NewEvent(
                EventKind.completed,
                "u-wf",
                Role.reviewer,
                {"result": "denied", "note": "不符合条件"},
            ),
        ]
        view = store.append(number, decided)
    finally:
        store.close()
    out = tmp_path / "ledger.csv"
    assert _run("case", "export", "--out", str(out), "--data-dir", str(home))[0] == 0
    table = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    row = dict(zip(table[0], table[1], strict=True))
    assert row["办理结果"] == "不通过"
    assert view.accepted_at is not None and view.completed_at is not None
    accepted = view.accepted_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert row["受理时间（北京时间）"] == accepted  # China time, as the desk shows it
    assert row["办结时间（北京时间）"] == view.completed_at.astimezone(CHINA).strftime(
        "%Y-%m-%d %H:%M"
    )
    assert row["报送时间（北京时间）"] != ""


def test_an_address_without_http_is_said_so_and_makes_no_station(tmp_path: Path) -> None:
    """``--central notaurl`` said 无法连接中心 and to enroll again once the network was back,
    and left an empty station.db in the data folder."""
    home = tmp_path / "new-station"
    code, output = _run(
        "station", "enroll", "--central", "zwfw.example.gov.cn", "--code", "ABCD-EFGH",
        "--data-dir", str(home),
    )  # fmt: skip
    assert code == 1
    assert output.startswith("daiban: --central zwfw.example.gov.cn：县中心地址应以 http:// 或")
    assert "网络恢复" not in output and "无法连接" not in output
    assert not (home / "station.db").exists()
