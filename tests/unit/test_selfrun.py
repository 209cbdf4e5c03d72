"""daiban starting itself again: the built executable takes daiban's words, never Python's ``-c``."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from daiban.commands.desk import desk_command
from daiban.selfrun import daiban_argv


def test_from_source_it_is_this_python_running_the_cli() -> None:
    argv = daiban_argv()
    assert argv[0] == sys.executable and argv[1:] == ["-c", "from daiban.cli import main; main()"]


def test_the_built_executable_starts_itself_without_dash_c(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/daiban/daiban")
    assert daiban_argv() == ["/opt/daiban/daiban"]
    words = shlex.split(desk_command(tmp_path, "zh_CN"))
    assert words == ["/opt/daiban/daiban", "--data-dir", str(tmp_path), "--lang", "zh_CN"]
