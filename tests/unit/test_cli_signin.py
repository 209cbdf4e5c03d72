"""Lifecycle and import commands act as a signed-in person: ``--as`` plus the password.

A township station (a real SQLite store in a temp dir) with a village agent and a
township reviewer cached, as a pull from the centre leaves them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from daiban.cli import app
from station.services.auth import MAX_FAILURES, hash_password
from station.store import StationStore
from sync.events import Role
from sync.protocol import AccountRecord, StationRole
from tests.unit.store.conftest import VILLAGE, application, identity

TOWNSHIP = "640522100000"
PASSWORDS = {"ma": "agent-secret-1", "wang": "reviewer-secret-1"}


def _account(username: str, role: Role, division: str) -> AccountRecord:
    return AccountRecord(
        user_id=f"u-{username}",
        username=username,
        display_name=username,
        role=role,
        division=division,
        password_hash=hash_password(PASSWORDS[username]),
        updated_at=datetime.now(UTC),
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A township station whose store caches agent ``ma`` and reviewer ``wang``."""
    path = tmp_path / "township"
    store = StationStore.open(path)
    try:
        store.save_identity(identity(StationRole.township, TOWNSHIP))
        store.upsert_accounts(
            [_account("ma", Role.agent, VILLAGE), _account("wang", Role.reviewer, TOWNSHIP)]
        )
    finally:
        store.close()
    return path


def daiban(home: Path, *args: str, password: str | None = None, stdin: str | None = None) -> Result:
    """``daiban ARGS --data-dir HOME``, with ``DAIBAN_PASSWORD`` if given."""
    env = {"DAIBAN_PASSWORD": password}
    return CliRunner().invoke(app, [*args, "--data-dir", str(home)], env=env, input=stdin)


def submitted_case(home: Path, tmp_path: Path) -> str:
    """A case taken in by the agent and submitted (报送), ready to be accepted."""
    line = application().model_dump(mode="json")
    line["item"] = line.pop("item_code")
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    imported = daiban(
        home, "case", "import", str(source), "--as", "ma", "--json", password=PASSWORDS["ma"]
    )
    assert imported.exit_code == 0, imported.output
    (number,) = json.loads(imported.stdout)["case_numbers"]
    submitted = daiban(home, "case", "submit", number, "--as", "ma", password=PASSWORDS["ma"])
    assert submitted.exit_code == 0, submitted.output
    return str(number)


def history(home: Path, number: str) -> list[tuple[str, str]]:
    """The case's events as the store keeps them: (kind, actor id)."""
    store = StationStore.open(home)
    try:
        view = store.get_case(number)
    finally:
        store.close()
    assert view is not None
    return [(entry.kind.value, entry.actor_id) for entry in view.history]


def test_the_right_password_acts_as_that_person(home: Path, tmp_path: Path) -> None:
    number = submitted_case(home, tmp_path)
    result = daiban(home, "case", "accept", number, "--as", "wang", password=PASSWORDS["wang"])
    assert result.exit_code == 0, result.output
    assert "已受理" in result.stdout
    assert history(home, number) == [
        ("created", "u-ma"),
        ("received", "u-ma"),
        ("submitted", "u-ma"),
        ("accepted", "u-wang"),
    ]


def test_a_wrong_password_is_refused_and_nothing_is_written(home: Path, tmp_path: Path) -> None:
    number = submitted_case(home, tmp_path)
    before = history(home, number)
    result = daiban(home, "case", "accept", number, "--as", "wang", password="guess")
    assert result.exit_code == 1
    assert result.stderr == f"daiban: 用户名或密码错误，还可尝试 {MAX_FAILURES - 1} 次。\n"
    assert history(home, number) == before


def test_a_pc_that_has_not_synced_since_enrolment_says_so_and_counts_no_failure(
    tmp_path: Path,
) -> None:
    """Accounts come with the first sync: the right password is not "wrong" before it."""
    fresh = tmp_path / "fresh"
    store = StationStore.open(fresh)
    try:
        store.save_identity(identity(StationRole.village, VILLAGE))
    finally:
        store.close()
    cases = tmp_path / "one.jsonl"
    cases.write_text(application().model_dump_json() + "\n", encoding="utf-8")
    for _attempt in range(MAX_FAILURES + 1):  # never locked: none of these is a failure
        result = daiban(fresh, "case", "import", str(cases), "--as", "ma", password="x")
        assert result.exit_code == 1
        assert result.stderr == (
            "daiban: 本机还没有任何账号（注册后尚未同步）：请先联网同步（daiban sync），再登录。\n"
        )


def test_without_as_the_command_refuses_in_chinese(home: Path, tmp_path: Path) -> None:
    number = submitted_case(home, tmp_path)
    before = history(home, number)
    for args in (
        ("accept", number),
        ("return", number, "--reason", "缺材料"),
        ("complete", number),
    ):
        result = daiban(home, "case", *args, password=PASSWORDS["wang"])
        assert result.exit_code == 1
        assert result.stderr.startswith("daiban: 请用 --as 用户名 说明由谁操作")
    assert history(home, number) == before


def test_import_without_as_takes_nothing_in(home: Path, tmp_path: Path) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text('{"item": "640522-YB-001", "applicant": {}}\n', encoding="utf-8")
    result = daiban(home, "case", "import", str(source), password=PASSWORDS["ma"])
    assert result.exit_code == 1 and "--as" in result.stderr
    store = StationStore.open(home)
    try:
        assert store.list_cases() == []
    finally:
        store.close()


def test_a_village_agent_cannot_accept(home: Path, tmp_path: Path) -> None:
    number = submitted_case(home, tmp_path)
    before = history(home, number)
    result = daiban(home, "case", "accept", number, "--as", "ma", password=PASSWORDS["ma"])
    assert result.exit_code == 1
    assert result.stderr == "daiban: 办件处于“已报送”状态，村代办员不能受理。\n"
    assert history(home, number) == before


def test_the_password_is_asked_hidden_at_a_terminal(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = submitted_case(home, tmp_path)
    monkeypatch.setattr("daiban.signin.on_terminal", lambda: True)
    result = daiban(home, "case", "accept", number, "--as", "wang", stdin=PASSWORDS["wang"] + "\n")
    assert result.exit_code == 0, result.output
    assert "wang 的密码" in result.output and PASSWORDS["wang"] not in result.output
    assert history(home, number)[-1] == ("accepted", "u-wang")


def test_no_password_and_no_terminal_is_refused(home: Path, tmp_path: Path) -> None:
    number = submitted_case(home, tmp_path)
    result = daiban(home, "case", "accept", number, "--as", "wang")
    assert result.exit_code == 1
    assert result.stderr.startswith("daiban: 没有 wang 的密码")


def test_repeated_wrong_passwords_lock_the_account_across_commands(
    home: Path, tmp_path: Path
) -> None:
    number = submitted_case(home, tmp_path)
    for _attempt in range(MAX_FAILURES):
        daiban(home, "case", "accept", number, "--as", "wang", password="guess")
    result = daiban(home, "case", "accept", number, "--as", "wang", password=PASSWORDS["wang"])
    assert result.exit_code == 1
    assert result.stderr == "daiban: 失败次数过多，已锁定 5 分钟。\n"
    assert history(home, number)[-1][0] == "submitted"
