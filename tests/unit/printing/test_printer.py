"""Printing through a fake ``lp``: only the printer is faked, never the PDF."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from printing.printer import keep_pdf, print_command, print_pdf

PDF = b"%PDF-1.4\n% a receipt\n"


def fake_lp(folder: Path, body: str) -> Path:
    """An ``lp`` script on a fresh PATH folder; it logs its arguments to lp.log."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "lp"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{folder}/lp.log"\n{body}\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.fixture
def kept(tmp_path: Path) -> Path:
    return keep_pdf(PDF, tmp_path / "documents" / "帮代办收件回执-640522100201-20261122-0007.pdf")


def test_keep_pdf_writes_the_whole_file_and_no_temporary(tmp_path: Path) -> None:
    path = keep_pdf(PDF, tmp_path / "docs" / "r.pdf")
    assert path.read_bytes() == PDF
    assert [p.name for p in path.parent.iterdir()] == ["r.pdf"]


def test_a_working_printer_gets_the_file_by_name(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = fake_lp(tmp_path / "bin", 'echo "request id is Office-7 (1 file(s))"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}/usr/bin:/bin")
    result = print_pdf(kept, "Office")
    assert result.ok, result.message
    assert result.path == kept
    assert (bin_dir / "lp.log").read_text().split() == ["-d", "Office", "--", str(kept)]
    assert "Office" in result.message


def test_default_printer_when_none_is_named(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = fake_lp(tmp_path / "bin", "exit 0")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert print_pdf(kept, None).ok
    assert "-d" not in (bin_dir / "lp.log").read_text().split()


def test_a_failing_printer_keeps_the_pdf_and_says_where(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = fake_lp(
        tmp_path / "bin", 'echo "lp: The printer or class does not exist." >&2; exit 1'
    )
    monkeypatch.setenv("PATH", str(bin_dir))
    result = print_pdf(kept, "Gone")
    assert not result.ok
    # said in Chinese, naming the printer (lp's English was put in as it was)
    assert "本机没有名为 Gone 的打印机" in result.message and "does not" not in result.message
    assert str(kept) in result.message
    assert kept.read_bytes() == PDF


def test_no_print_command_at_all_keeps_the_pdf(
    kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = print_pdf(kept, "Office")
    assert not result.ok
    assert "lp" in result.message and str(kept) in result.message
    assert kept.exists()


def test_an_injected_command_is_used_instead_of_lp(kept: Path, tmp_path: Path) -> None:
    bin_dir = fake_lp(tmp_path / "bin", "exit 0")
    result = print_pdf(kept, None, command=[str(bin_dir / "lp"), "-o", "media=Custom.80x200mm"])
    assert result.ok
    assert (bin_dir / "lp.log").read_text().split() == ["-o", "media=Custom.80x200mm", str(kept)]


def test_windows_prints_through_the_shell() -> None:
    path = Path(r"C:\Users\站\documents\O'Brien.pdf")
    named = print_command(path, "HP LaserJet", platform="win32")
    assert named[0] == "powershell"
    assert "-Verb PrintTo" in named[-1] and "HP LaserJet" in named[-1]
    assert "O''Brien.pdf" in named[-1]  # quoted for PowerShell
    default = print_command(path, None, platform="win32")
    assert "-Verb Print " in default[-1]
