"""The command line: its command groups, global options, language, unexpected errors, messages."""

from __future__ import annotations

import ast
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from typer.testing import CliRunner

import daiban
from daiban.cli import app
from daiban.context import lift_global_options
from daiban.logs import IdNumberFilter, mask_id_numbers

RESIDENT_ID = "64052219500101001X"
OLD_ID = "640522500101001"
"""A resident's 18-character ID number and a 15-digit one of the old kind."""


def test_help_lists_every_command_group() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("demo", "central", "station", "sync", "case", "bundle", "print", "catalog"):
        assert f"  {group} " in result.output, group


def test_global_options_are_lifted_from_anywhere_but_after_a_double_dash() -> None:
    assert lift_global_options(["case", "show", "N", "--data-dir", "X", "--json"]) == [
        "--data-dir", "X", "case", "show", "N", "--json",
    ]  # fmt: skip
    assert lift_global_options(["central", "init", "--db=sqlite:///a.db", "--lang", "en"]) == [
        "--db=sqlite:///a.db", "--lang", "en", "central", "init",
    ]  # fmt: skip
    assert lift_global_options(["case", "show", "--", "--data-dir", "X"]) == [
        "case", "show", "--", "--data-dir", "X",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [["--lang", "en", "case", "accept", "1"], ["case", "accept", "1", "--lang", "en"]],
)
def test_lang_works_in_either_position(argv: list[str]) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 1
    assert result.stderr.startswith("daiban: Say who is acting: add --as USERNAME")


def test_daiban_lang_in_the_environment_is_the_same_option() -> None:
    result = CliRunner().invoke(app, ["case", "accept", "1"], env={"DAIBAN_LANG": "en"})
    assert result.stderr.startswith("daiban: Say who is acting")


def test_an_unknown_language_is_refused_in_one_line() -> None:
    result = CliRunner().invoke(app, ["--lang", "fr", "sync"])
    assert result.exit_code == 1
    assert result.stderr == "daiban: 不支持的语言 fr，请使用以下之一：zh_CN, en。\n"


def test_a_data_dir_that_cannot_be_used_is_said_in_one_line(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(app, ["station", "show", "--data-dir", str(taken)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"daiban: 数据目录 {taken} 无法使用：")
    assert result.stderr.count("\n") == 1


def test_an_unexpected_error_is_one_chinese_line_and_a_log_with_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(store: object, **options: object) -> None:
        raise RuntimeError(f"disk full while writing {RESIDENT_ID} and {OLD_ID}")

    from station.store import StationStore
    from tests.unit.store.conftest import identity

    home = tmp_path / "station"
    store = StationStore.open(home)
    store.save_identity(identity())
    store.close()
    monkeypatch.setattr("station.services.syncing.sync_now", broken)
    result = CliRunner().invoke(app, ["sync", "--data-dir", str(home)], catch_exceptions=False)

    log = home / "logs" / "daiban.log"
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (f"daiban: 发生了意外错误（RuntimeError），详细情况已记入日志：{log}\n")
    written = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in written
    assert "RuntimeError: disk full while writing 640522********001X" in written
    assert RESIDENT_ID not in written and OLD_ID not in written


def _enrolled(home: Path) -> Path:
    from station.store import StationStore
    from tests.unit.store.conftest import identity

    store = StationStore.open(home)
    store.save_identity(identity())
    store.close()
    return home


def test_station_show_is_labelled_in_the_persons_language(tmp_path: Path) -> None:
    home = _enrolled(tmp_path / "station")
    shown = CliRunner().invoke(app, ["station", "show", "--data-dir", str(home)])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines() == [
        "站点编号：st-village",
        "区划：640522100201",
        "站点名称：village station",
        "级别：村",
        "县级中心地址：http://127.0.0.1:9",
        "县级中心证书指纹（SHA-256）：未固定（明文 HTTP，或由系统证书校验）",
        "待上传事件：0",
        "已下载到（中心序号）：0",
    ]
    english = CliRunner().invoke(app, ["--lang", "en", "station", "show", "--data-dir", str(home)])
    assert english.stdout.splitlines()[3] == "Level: village"


def test_output_into_a_closed_pipe_ends_without_an_error(tmp_path: Path) -> None:
    """``daiban station show | head -1``: the reader leaves early; no "unexpected error"."""
    home = _enrolled(tmp_path / "station")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before a word is written
    try:
        ran = subprocess.run(
            [Path(sys.executable).parent / "daiban", "station", "show", "--data-dir", str(home)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert ran.stderr.decode() == ""  # before: 发生了意外错误（BrokenPipeError）...
    assert not (home / "logs" / "daiban.log").exists()


def test_the_log_filter_masks_id_numbers_but_not_other_numbers(tmp_path: Path) -> None:
    path = tmp_path / "test.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(IdNumberFilter())
    logger = logging.getLogger("tests.cli.mask")
    logger.addHandler(handler)
    try:
        logger.warning("applicant %s, old card %s", RESIDENT_ID, OLD_ID)
        logger.warning("bank card 6222020200112233445, phone 13800000000, case 20261201")
        try:
            raise ValueError(f"bad {RESIDENT_ID.lower()}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        handler.close()
    written = path.read_text(encoding="utf-8")
    assert RESIDENT_ID not in written and RESIDENT_ID.lower() not in written
    assert OLD_ID not in written
    assert "applicant 640522********001X, old card 640522*****1001" in written
    assert "6222020200112233445" in written and "13800000000" in written
    assert mask_id_numbers(f"id:{RESIDENT_ID}.") == "id:640522********001X."


def _daiban_message_ids() -> set[str]:
    """Message ids given to the command line's own ``_`` (``daiban.i18n``), whatever its local name."""
    found: set[str] = set()
    for path in Path(daiban.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "daiban.i18n"
            for alias in node.names
            if alias.name == "_"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in names and node.args and isinstance(node.args[0], ast.Constant):
                    found.add(str(node.args[0].value))
    return found


def test_every_message_of_the_command_line_has_a_chinese_translation() -> None:
    po_path = Path(daiban.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale="zh_CN")
    translated = {message.id for message in catalog if message.id and message.string}
    ids = _daiban_message_ids()
    assert len(ids) >= 12
    assert sorted(ids - translated) == []
