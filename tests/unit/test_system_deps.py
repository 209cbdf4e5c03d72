""".ci/system-deps.sh: what it says and does for a user who is not root and has no sudo."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "system-deps.sh"


def _bin(tmp_path: Path, *tools: str) -> Path:
    """A PATH with only ``tools`` (and python3), where ``id -u`` says 1000 and sudo is absent."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for tool in ("bash", "env", "fc-list", "apt-get", *tools):
        found = shutil.which(tool)
        if found:
            (folder / tool).symlink_to(found)
    (folder / "python3").symlink_to(sys.executable)
    fake_id = folder / "id"
    fake_id.write_text("#!/bin/sh\necho 1000\n", encoding="utf-8")
    fake_id.chmod(0o755)
    return folder


def _run(folder: Path, group: str) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash") or "/bin/bash"
    env = {**os.environ, "PATH": str(folder)}
    return subprocess.run(
        [bash, str(SCRIPT), group],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="Debian/Ubuntu only")
def test_without_root_a_missing_runtime_package_is_named_and_setup_goes_on(tmp_path: Path) -> None:
    done = _run(_bin(tmp_path, "pdffonts", "curl"), "runtime")  # no `lp` on this PATH
    assert done.returncode == 0, done.stderr
    assert "apt-get install -y --no-install-recommends cups-client" in done.stderr
    assert "bundled font" in done.stderr


@pytest.mark.skipif(shutil.which("apt-get") is None, reason="Debian/Ubuntu only")
def test_without_root_a_missing_test_package_fails_and_says_what_to_install(
    tmp_path: Path,
) -> None:
    done = _run(_bin(tmp_path, "lp", "curl"), "all")  # no pdffonts on this PATH
    assert done.returncode == 1
    assert "poppler-utils" in done.stderr and "apt-get install" in done.stderr


def test_with_everything_present_it_is_quiet_every_time(tmp_path: Path) -> None:
    if not all(shutil.which(t) for t in ("lp", "fc-list", "pdffonts", "curl")):
        pytest.skip("the machine lacks a system package")
    folder = _bin(tmp_path, "lp", "pdffonts", "curl")
    for _ in range(20):  # the old `fc-list | grep -q` under pipefail failed about half the time
        done = _run(folder, "all")
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
