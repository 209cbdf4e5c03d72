"""``daiban demo``: a central in the background, stations enrolled, accounts seeded, no orphan."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from station.store import StationStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_sets_up_everything_and_stops_its_central(tmp_path: Path) -> None:
    home = tmp_path / "home"
    done = subprocess.run(
        [sys.executable, "-c", "from daiban.cli import main; main()", "demo", "--setup-only"],
        cwd=ROOT,
        env={**os.environ, "DAIBAN_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    base = home / "demo"
    store = StationStore.open(base / "station-640522100201")
    try:
        identity = store.identity()
        assert identity is not None
        assert identity.division == "640522100201" and identity.role == "village"
        account = store.find_account("agent201")
        assert account is not None and account.display_name == "马丽"
    finally:
        store.close()
    for division in ("640522100000", "640522100202"):
        other = StationStore.open(base / f"station-{division}")
        try:
            assert other.identity() is not None
        finally:
            other.close()
    port = int((base / "central" / "demo-port").read_text())
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass  # nobody listens any more: the background central was stopped
