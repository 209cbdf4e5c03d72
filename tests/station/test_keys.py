"""F1 lists the keys of the screen on show; the command palette finds commands by pinyin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from station.app import DaibanApp
from station.screens.dialogs import MessageDialog
from station.screens.home import HomeScreen
from station.screens.intake import IntakeScreen
from station.store import StationStore
from tests.station.helpers import flat_text, log_in, settle


async def test_f1_shows_the_keys_of_the_current_screen(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        home_keys = flat_text(pilot)
        assert "本页按键" in home_keys and "n收件" in home_keys and "s立即同步" in home_keys
        await pilot.press("escape", "n")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        intake_keys = flat_text(pilot)
        assert "F8下一步" in intake_keys and "F9收件" in intake_keys
        assert "s立即同步" not in intake_keys  # only what this screen offers (F5 is everywhere)
        assert "授权委托书" not in intake_keys  # the resident came in person: F6 not offered


async def test_the_palette_finds_a_command_by_pinyin_initials(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press("s", "j")  # 收件: shou jian
        await settle(pilot)
        found = flat_text(pilot)
        assert "收件" in found and "按键：n" in found
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)


async def test_the_palette_says_in_chinese_when_nothing_matches(
    desk: Callable[..., DaibanApp],
) -> None:
    """Textual's own line, ``No matches found``, was the one English on the desk."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press("q", "q", "q", "q")
        await settle(pilot)
        shown = flat_text(pilot)
        assert "没有相符的命令" in shown and "No matches" not in shown
        await pilot.press("enter")  # choosing it does nothing but close the palette
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_f1_on_the_demo_login_still_opens_the_demo_help(
    station_dir: Path, store: StationStore
) -> None:
    from station.screens.login import DemoHelp
    from tests.station.test_newcomer import demo_desk

    async with demo_desk(station_dir, store).run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DemoHelp)
        await pilot.press("escape")
        await log_in(pilot)
        await pilot.press("f1")  # signed in: F1 lists the keys of the screen
        await settle(pilot)
        assert "本页按键" in flat_text(pilot)
