"""The command line speaks the person's language: ``--help``, click's own words, usage errors.

The first tests run the real ``daiban`` program with ``DAIBAN_LANG`` set, as a person
would; the others walk every command in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

import daiban
from daiban.cli import app
from daiban.helptext import display_width, help_id, translate_help
from forms.i18n import set_language

DAIBAN = Path(sys.executable).parent / "daiban"
ROOT = Path(__file__).resolve().parents[2]
WARNING = "daiban: DAIBAN_LANG=fr 不是 daiban 支持的语言（支持 zh_CN、en），改用中文（zh_CN）。\n"


def _daiban(*args: str, lang: str | None, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DAIBAN_HOME": str(home), "COLUMNS": "80"}
    env.pop("DAIBAN_LANG", None)
    if lang is not None:
        env["DAIBAN_LANG"] = lang
    return subprocess.run([str(DAIBAN), *args], env=env, capture_output=True, text=True, timeout=60)


def test_help_is_chinese_under_zh_cn_click_words_included(tmp_path: Path) -> None:
    result = _daiban("case", "--help", lang="zh_CN", home=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "用法：daiban case [选项] 命令 [参数]..."  # not [OPTIONS] COMMAND
    assert "  办件：导入、导出、查看及办理流程。" in lines
    assert "选项：" in lines and "命令：" in lines
    assert "  --help  显示本帮助并退出。" in lines
    assert "  submit    把本站收件的办件报送乡镇" in lines
    for english in ("Usage", "Options", "Commands", "Show this message", "Cases:", "Submit"):
        assert english not in result.stdout


def test_help_is_english_under_en(tmp_path: Path) -> None:
    result = _daiban("case", "--help", lang="en", home=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "Usage: daiban case [OPTIONS] COMMAND [ARGS]..."
    assert "  Cases: import, export, show and the lifecycle." in lines
    assert "Options:" in lines and "Commands:" in lines
    assert "  --help  Show this message and exit." in lines
    assert "用法" not in result.stdout and "办件" not in result.stdout


def test_an_unknown_daiban_lang_is_one_warning_then_chinese(tmp_path: Path) -> None:
    result = _daiban("--help", lang="fr", home=tmp_path)
    assert (result.returncode, result.stderr) == (0, WARNING)
    assert result.stdout.startswith("用法：daiban [选项] 命令 [参数]...\n")
    from station.store import StationStore

    StationStore.open(tmp_path / "station").close()  # a station's folder, no such case
    refused = _daiban("case", "show", "X-1", lang="fr", home=tmp_path / "station")
    assert (refused.returncode, refused.stderr) == (1, WARNING + "daiban: 没有这个办件。\n")


def test_lang_on_the_line_wins_over_an_unknown_daiban_lang_without_a_warning(
    tmp_path: Path,
) -> None:
    result = _daiban("--lang", "en", "station", "--help", lang="fr", home=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("Usage: daiban station [OPTIONS]")


def test_usage_errors_are_in_the_persons_language(tmp_path: Path) -> None:
    chinese = _daiban("case", "shw", lang=None, home=tmp_path)
    assert chinese.returncode == 2
    assert chinese.stderr.splitlines() == [
        "用法：daiban case [选项] 命令 [参数]...",
        "运行 'daiban case --help' 查看帮助。",
        "",
        "错误：没有命令 'shw'。您是不是要用 'show'？",
    ]
    english = _daiban("case", "shw", lang="en", home=tmp_path)
    assert english.stderr.splitlines()[-1] == "Error: No such command 'shw'. Did you mean 'show'?"


@pytest.mark.parametrize(
    ("argv", "chinese"),
    [
        (["case", "import"], "错误：缺少参数 'file'。"),
        (["case", "import", "/no/such.jsonl"], "错误：'file' 的值无效：'/no/such.jsonl' 不存在。"),
        (["case", "export", "--bogus"], "错误：没有选项 --bogus。"),
        (["case", "export", "/tmp/x.jsonl"], "错误：多出了无法识别的内容：/tmp/x.jsonl"),
        (["central", "serve", "--port", "abc"], "错误：'--port' 的值无效：不是整数。"),
    ],
)
def test_click_errors_are_chinese(argv: list[str], chinese: str) -> None:
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(chinese)


def test_a_data_directory_that_is_a_file_is_said_in_chinese(tmp_path: Path) -> None:
    """``--data-dir`` naming a file said 无法使用：File exists (the system's English)."""
    in_the_way = tmp_path / "station"
    in_the_way.write_text("not a folder")
    result = _daiban("--data-dir", str(in_the_way), "station", "show", lang=None, home=tmp_path)
    assert result.returncode != 0
    assert result.stderr.strip() == (
        f"daiban: 数据目录 {in_the_way} 无法使用：同名的是一个文件，不是文件夹"
    )


def test_version_is_the_installed_packages(tmp_path: Path) -> None:
    result = _daiban("--version", lang=None, home=tmp_path / "unused")
    assert (result.returncode, result.stdout) == (0, f"daiban {metadata.version('daiban')}\n")
    assert not (tmp_path / "unused").exists()  # --version creates nothing


def test_version_falls_back_to_the_constant_when_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert daiban.version() == daiban.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert daiban.__version__ == pyproject["project"]["version"]


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, child in getattr(command, "commands", {}).items():
        found += _commands(child, (*path, name))
    return found


def test_every_help_text_has_its_chinese_text() -> None:
    set_language("zh_CN")
    missing = []
    for path, command in _commands(typer.main.get_command(app)):
        texts = [command.help] + [getattr(p, "help", None) for p in command.params]
        for text in filter(None, texts):
            if translate_help(text) == text:
                missing.append(f"daiban {' '.join(path)}: {help_id(text)!r}")
    assert not missing, "no zh_CN text in daiban/locale for:\n" + "\n".join(missing)


def test_every_commands_chinese_help_fits_80_columns() -> None:
    """Chinese characters take two columns; the help is laid out by that, not by characters."""
    paths = [path for path, _command in _commands(typer.main.get_command(app))]
    assert len(paths) > 50
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], terminal_width=80)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("用法：daiban")
        too_wide = [line for line in result.stdout.splitlines() if display_width(line) > 80]
        assert not too_wide, (path, too_wide)
        assert "Show this message" not in result.stdout and "Options:" not in result.stdout
    root = CliRunner().invoke(app, ["--help"], terminal_width=80).stdout
    # a command's line is its first sentence whole where 80 columns have room (it was cut
    # at 46: "desk 工作台：在本终端中打开，或用 `serve` 在浏览器…")
    assert "工作台：在本终端中打开，或用 `serve` 在浏览器中使用\n" in root


def test_the_desk_opens_in_chinese_under_an_unknown_daiban_lang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk reads DAIBAN_LANG itself (an unknown one was a traceback): it gets zh_CN."""
    opened: list[str | None] = []
    monkeypatch.setattr(
        "daiban.commands.desk.open_desk", lambda folder, language=None: opened.append(language)
    )
    result = CliRunner().invoke(app, ["--data-dir", str(tmp_path)], env={"DAIBAN_LANG": "fr"})
    assert (result.exit_code, result.stderr, opened) == (0, WARNING, ["zh_CN"])


def test_a_process_started_without_the_command_line_reads_an_unknown_language_as_chinese() -> None:
    """The centre's uvicorn workers import the translators without ``daiban.cli``: an
    unknown ``DAIBAN_LANG`` gives Chinese there too, not untranslated English."""
    code = "from station.i18n import _\nprint(_('Enter your username and password.'))"
    for lang, expected in (
        ("fr", "请输入用户名和密码。"),
        ("en", "Enter your username and password."),
    ):
        env = {**os.environ, "DAIBAN_LANG": lang}
        shown = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert shown.stdout.strip() == expected, lang
