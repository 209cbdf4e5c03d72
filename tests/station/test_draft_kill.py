"""A draft survives kill -9 of the desk and is offered back when the desk reopens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input

from station.app import DaibanApp
from station.screens.dialogs import ConfirmDialog
from station.screens.intake import IntakeScreen
from station.store import StationStore
from tests.station.helpers import flat_text, log_in, settle

ROOT = Path(__file__).resolve().parents[2]


def run_until_saved(station_dir: Path) -> subprocess.Popen[str]:
    """Start the driver and wait (with a deadline) until it says the draft is saved."""
    driver = subprocess.Popen(
        [sys.executable, "-m", "tests.station.draft_driver", str(station_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert driver.stdout is not None
    deadline = time.monotonic() + 60
    line = ""
    while time.monotonic() < deadline and "SAVED" not in line:
        line = driver.stdout.readline()
        if not line and driver.poll() is not None:
            break
    assert "SAVED" in line, "the driver never saved its draft"
    return driver


@pytest.mark.slow
async def test_draft_survives_kill_9_and_is_offered_back(
    station_dir: Path, store: StationStore, desk: Callable[..., DaibanApp]
) -> None:
    driver = run_until_saved(station_dir)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    assert driver.returncode == -signal.SIGKILL

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        assert "马占福" in flat_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)
        names = [i.value for i in pilot.app.screen.query(Input)]
        assert "马占福" in names
