"""``daiban print ...`` from the example JSON files, with a fake printer only."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from forms.clock import china_today
from tests.unit.printing.conftest import HERE, pdf_text

EXAMPLES = {
    "receipt": "case.json",
    "notice": "case.json",
    "authorization": "case.json",
    "ledger": "ledger.json",
    "rejection": "rejection.json",
    "correction": "correction.json",
}

NAMES = {
    "receipt": "帮代办收件回执-640522100201-20261122-0007.pdf",
    "notice": "一次性告知书-640522100201-20261122-0007.pdf",
    "authorization": "授权委托书-640522100201-20261122-0007.pdf",
    "ledger": "帮代办登记台账-某某村便民服务站-20261116-20261122.pdf",
    "rejection": "不予受理通知书-640522100201-20261122-0007.pdf",
    "correction": "补正告知书-640522100201-20261122-0007.pdf",
}
"""The name each paper is kept under: its Chinese title, then the case (or the station and
the period)."""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["print", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def home() -> Path:
    return Path(os.environ["DAIBAN_HOME"])


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_each_document_is_written_to_the_documents_folder(kind: str, home: Path) -> None:
    code, out, err = run(kind, "--from-json", str(HERE / EXAMPLES[kind]))
    assert code == 0, err
    written = sorted((home / "documents").iterdir())
    assert [path.name for path in written] == [NAMES[kind]]
    assert out.strip() == f"已生成 PDF：{written[0]}"  # the name written is the name said


def test_80mm_receipt_to_a_chosen_file_as_json(tmp_path: Path) -> None:
    out_file = tmp_path / "r.pdf"
    code, out, err = run(
        "receipt",
        "--from-json",
        str(HERE / "case.json"),
        "--format",
        "80mm",
        "--out",
        str(out_file),
        "--json",
    )
    assert code == 0, err
    answer = json.loads(out)
    assert answer == {
        "path": str(out_file),
        "printed": False,
        "message": str(out_file),
        "warnings": [],
    }
    assert "640522********0033" in pdf_text(out_file.read_bytes())


def test_a_format_a_document_does_not_have_is_refused(home: Path) -> None:
    code, _out, err = run("ledger", "--from-json", str(HERE / "ledger.json"), "--format", "80mm")
    assert code == 1
    assert "80mm" in err
    assert not (home / "documents").exists() or not list((home / "documents").iterdir())


def test_a_bad_field_is_reported(tmp_path: Path) -> None:
    data = json.loads((HERE / "case.json").read_text(encoding="utf-8"))
    data["colour"] = "red"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = run("receipt", "--from-json", str(bad))
    assert code == 1 and "colour" in err


def _lp(folder: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder.mkdir()
    script = folder / "lp"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}/usr/bin:/bin")


def test_printing_to_a_named_printer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _lp(tmp_path / "bin", f'echo "$@" > "{tmp_path}/args"', monkeypatch)
    code, out, err = run(
        "receipt",
        "--from-json",
        str(HERE / "case.json"),
        "--printer",
        "Thermal80",
        "--format",
        "80mm",
    )
    assert code == 0, err
    assert "Thermal80" in out
    assert (tmp_path / "args").read_text().startswith("-d Thermal80 -- ")


def test_a_failing_printer_exits_non_zero_and_keeps_the_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    _lp(tmp_path / "bin", 'echo "lp: Error - scheduler not responding" >&2; exit 1', monkeypatch)
    code, _out, err = run("notice", "--from-json", str(HERE / "case.json"), "--print")
    assert code == 1
    kept = home / "documents" / "一次性告知书-640522100201-20261122-0007.pdf"
    assert kept.exists() and str(kept) in err
    assert "scheduler not responding" in err


def test_a_reprint_is_marked_and_kept_beside_the_first(home: Path) -> None:
    assert run("receipt", "--from-json", str(HERE / "case.json"))[0] == 0
    code, _out, err = run("receipt", "--from-json", str(HERE / "case.json"), "--reprint")
    assert code == 0, err
    today = f"{china_today():%Y%m%d}"
    files = sorted(p.name for p in (home / "documents").iterdir())
    assert len(files) == 2
    again = f"帮代办收件回执-640522100201-20261122-0007-补打{today}.pdf"
    assert set(files) == {"帮代办收件回执-640522100201-20261122-0007.pdf", again}
    reprint = home / "documents" / again
    assert "补打" in pdf_text(reprint.read_bytes())
