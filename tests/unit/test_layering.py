"""The layering is enforced: contracts hold, and a broken one fails the run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_contracts_hold() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_broken_contract_fails_the_run(tmp_path: Path) -> None:
    """Copy the tree, make ``forms`` import ``station``, and watch lint-imports fail."""
    copy = tmp_path / "tree"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.pyc", ".*_cache", "tests")
    shutil.copytree(ROOT, copy, ignore=ignore)
    (copy / "forms" / "_leak.py").write_text("import station  # noqa: F401\n", encoding="utf-8")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "forms is the bottom layer" in result.stdout
    assert "BROKEN" in result.stdout


@pytest.mark.parametrize("module", ["forms", "sync", "printing"])
def test_core_packages_import_without_ui_or_web(module: str) -> None:
    """Importing a core package in a fresh interpreter pulls in neither Textual nor FastAPI."""
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({module!r})\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'fastapi', 'uvicorn'})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
