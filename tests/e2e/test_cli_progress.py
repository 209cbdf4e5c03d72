"""Long commands show a progress bar on stderr once they run ~2 s; quick ones and pipes show none.

The real ``daiban`` in a subprocess, against a real central on loopback.
``DAIBAN_PROGRESS=always`` draws the bar although stderr is a pipe here (as a
terminal would); ``DAIBAN_PROGRESS_AFTER=0`` makes it appear at once, so the test
need not run for 2 s. When it appears is checked with a fake clock below.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from daiban.progress import LazyProgress
from tests.e2e.conftest import Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central on loopback


@pytest.fixture(scope="module")
def central(sqlite_central: Central) -> Central:
    """Progress is the command line's; the central's database adds nothing."""
    return sqlite_central


def test_import_export_bundles_and_sync_show_their_bar_on_stderr_only(
    central: Central, village: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAIBAN_PROGRESS", "always")
    monkeypatch.setenv("DAIBAN_PROGRESS_AFTER", "0")
    cases = write_cases(tmp_path / "cases.jsonl", 120)

    imported = village.run("case", "import", str(cases))
    assert imported.returncode == 0, imported.stderr
    said = imported.stdout.splitlines()  # stdout: only the result, and the numbers made
    assert said[0] == "已导入 120 件" and len(said) == 22, said
    assert all(line.startswith("  640522") for line in said[1:21])
    assert said[21] == "  ……另有 100 件（加 --json 可列出全部）"
    assert "正在导入办件" in imported.stderr and "120/120" in imported.stderr

    ledger = tmp_path / "ledger.csv"
    exported = village.run("case", "export", "--format", "csv", "--out", str(ledger))
    assert "正在导出办件" in exported.stderr and "120/120" in exported.stderr
    assert ledger.read_bytes().startswith(b"\xef\xbb\xbf\xe5\x8a\x9e\xe4\xbb\xb6")  # BOM, 办件

    outbox = tmp_path / "outbox.zip"
    written = village.run("bundle", "export", "--out", str(outbox))
    assert written.returncode == 0 and "正在写离线包" in written.stderr
    back = tmp_path / "return.daiban-bundle"
    central.cli("bundle", "import", str(outbox), "--return-out", str(back))
    applied = village.run("bundle", "import", str(back))
    assert applied.returncode == 0 and "正在导入回传包" in applied.stderr
    assert applied.stdout == "已导入 360 条事件，其中新的 360 条\n"

    synced = village.run("sync")
    assert synced.returncode == 0, synced.stderr
    assert "正在同步" in synced.stderr


def test_a_quick_import_shows_no_bar(
    village: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Drawn once it has run DAIBAN_PROGRESS_AFTER seconds: 30 here, not the default 2, so
    # that a machine loaded by other tests cannot stretch two cases past it (the 2 s
    # themselves are checked with a fake clock below).
    monkeypatch.setenv("DAIBAN_PROGRESS", "always")
    monkeypatch.setenv("DAIBAN_PROGRESS_AFTER", "30")
    result = village.run("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] == "已导入 2 件" and len(result.stdout.splitlines()) == 3


def test_no_bar_when_stderr_is_not_a_terminal(
    village: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAIBAN_PROGRESS", raising=False)
    monkeypatch.setenv("DAIBAN_PROGRESS_AFTER", "0")  # it would show at once on a terminal
    result = village.run("case", "import", str(write_cases(tmp_path / "five.jsonl", 5)))
    assert (result.returncode, result.stderr) == (0, "")


class FakeClock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_appears_only_once_the_work_has_run_two_seconds() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    clock = FakeClock()
    bar = LazyProgress("正在导入办件", total=10, console=console, after=2.0, clock=clock)
    with bar:
        clock.now += 1.9
        bar.advance(5)
        assert not bar.shown and screen.getvalue() == ""
        clock.now += 0.2
        bar.advance(1)
        assert bar.shown
        assert "正在导入办件" in bar.render() and "6/10" in bar.render()
    assert "正在导入办件" in screen.getvalue()


def test_a_bar_never_shown_draws_nothing_at_the_end() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80)
    with LazyProgress("正在同步", console=console, after=2.0, clock=FakeClock()) as bar:
        bar.update(description="正在同步：已上传 200 条事件")
    assert not bar.shown and screen.getvalue() == ""
