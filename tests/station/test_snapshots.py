"""Snapshots of the desk at 80×24: login, home and take-in, in normal and in elder mode (长辈模式).

Review the SVGs (``pytest --snapshot-report``) before ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from station.app import DaibanApp
from tests.station.helpers import elder_on, log_in, settle

Snap = Callable[..., bool]


async def still(pilot: Pilot[None]) -> None:
    """No blinking cursor in a picture."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def steps(*actions: Callable[[Pilot[None]], Awaitable[None]]) -> Callable[[Pilot[None]], Any]:
    async def run(pilot: Pilot[None]) -> None:
        for action in actions:
            await action(pilot)
        await settle(pilot)
        await still(pilot)

    return run


async def elder(pilot: Pilot[None]) -> None:
    await elder_on(pilot)


async def home(pilot: Pilot[None]) -> None:
    await log_in(pilot)


async def intake(pilot: Pilot[None]) -> None:
    await log_in(pilot)
    await pilot.press("n")
    await settle(pilot)
    await pilot.press("8", "0", "enter", "enter")
    await settle(pilot)
    pilot.app.screen.query_one("FieldEditor Input", Input).value = "马占福"
    await settle(pilot)


@pytest.mark.parametrize("mode", ["normal", "elder"])
@pytest.mark.parametrize("where", ["login", "home", pytest.param("intake", marks=pytest.mark.slow)])
def test_desk_snapshot(
    snap_compare: Snap, desk: Callable[..., DaibanApp], where: str, mode: str
) -> None:
    actions = {"login": [], "home": [home], "intake": [intake]}[where]
    if mode == "elder":
        actions = [elder, *actions]
    assert snap_compare(desk(), terminal_size=(80, 24), run_before=steps(*actions))
