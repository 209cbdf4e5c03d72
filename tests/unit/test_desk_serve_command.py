"""``daiban desk serve``: the command each browser tab runs, and what it refuses."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from typer.testing import CliRunner

from daiban.cli import app
from daiban.commands.desk import desk_command


def test_each_tab_runs_this_daiban_on_the_same_data_dir_quoted(tmp_path: Path) -> None:
    awkward = tmp_path / "村 station's $HOME; rm -rf `x`"
    words = shlex.split(desk_command(awkward, "en"))
    assert words[0] == sys.executable
    assert words[words.index("--data-dir") + 1] == str(awkward)
    assert words[words.index("--lang") + 1] == "en"


def test_without_a_language_the_station_setting_decides(tmp_path: Path) -> None:
    assert "--lang" not in shlex.split(desk_command(tmp_path, None))


def test_a_station_not_enrolled_is_not_served(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["desk", "serve", "--data-dir", str(tmp_path), "--lang", "zh_CN"]
    )
    assert result.exit_code == 1
    assert "本站点尚未注册" in result.output
    assert "http://" not in result.output, "no URL is printed for a desk that cannot open"


def test_plain_http_beyond_this_pc_is_refused_without_insecure(tmp_path: Path) -> None:
    """``--host 0.0.0.0`` served passwords and residents' data in plain HTTP to the whole
    network with a friendly word only; ``central serve`` refused the same."""
    result = CliRunner().invoke(
        app,
        ["desk", "serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path), "--lang", "zh_CN"],
    )
    assert result.exit_code == 1
    assert "不在 0.0.0.0 上以明文 HTTP 提供工作台" in result.output
    assert "--insecure" in result.output and "http://" not in result.output
    # with --insecure it goes on (here to the enrollment check: nothing to serve)
    result = CliRunner().invoke(
        app,
        ["desk", "serve", "--host", "0.0.0.0", "--insecure", "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 1 and "本站点尚未注册" in result.output
