"""The smaller screens: settings, the authorization letter, manual sync while offline."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from station.app import DaibanApp
from station.config import load_settings
from station.screens.home import HomeScreen
from station.screens.settings import SettingsScreen
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import ELDER_ID, SON_ID, choose_allowance, fill


@pytest.fixture(autouse=True)
def printers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This computer's printers, as CUPS's ``lpstat`` tells them (only the printer is
    faked): the EPSON ones are there, any other name is none."""
    folder = tmp_path / "cups"
    folder.mkdir()
    script = folder / "lpstat"
    script.write_text(
        '#!/bin/sh\ncase "$2" in EPSON*) echo "printer $2 is idle"; exit 0;; esac\n'
        'echo "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


async def test_settings_are_saved_to_station_toml(
    desk: Callable[..., DaibanApp], station_dir: Path
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)
        pilot.app.screen.query_one("#printer", Input).value = "EPSON-LQ"
        pilot.app.screen.query_one("#paper", Select).value = "80mm"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
    saved = load_settings(station_dir)
    assert saved.printer == "EPSON-LQ" and saved.paper_format == "80mm"


async def test_esc_on_changed_settings_asks_and_an_untouched_page_closes_at_once(
    desk: Callable[..., DaibanApp], station_dir: Path
) -> None:
    """Esc dropped a printer's name typed in, without a word (a new user's trial)."""
    from station.screens.dialogs import ConfirmDialog

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("o", "escape")  # nothing changed: gone at once
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("f2", "escape")  # elder mode is in force at once: nothing lost
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen) and pilot.app.has_class("elder")
        await pilot.press("o")
        await settle(pilot)
        await pilot.press(*"EPSON", "escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("escape")  # no: back to the page, the name kept
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)
        assert pilot.app.screen.query_one("#printer", Input).value.endswith("EPSON")
    assert load_settings(station_dir).printer is None  # nothing saved


async def test_a_scan_folder_that_is_not_there_is_refused_by_name_and_kept(
    desk: Callable[..., DaibanApp], station_dir: Path, tmp_path: Path
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert pilot.app.focused is pilot.app.screen.query_one("#printer", Input)
        await pilot.press(*"EPSON")  # the first keys go into the first field
        folder = pilot.app.screen.query_one("#scan-folder", Input)
        folder.value = str(tmp_path / "no-such-folder")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)  # not saved, not left
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any(n.startswith("扫描文件夹：本机没有") for n in notices), notices
        assert pilot.app.focused is folder and folder.value == str(tmp_path / "no-such-folder")
        assert pilot.app.screen.query_one("#printer", Input).value == "EPSON"
        assert load_settings(station_dir).printer is None
        (tmp_path / "no-such-folder").mkdir()
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
    saved = load_settings(station_dir)
    assert saved.printer == "EPSON" and saved.scan_folder == tmp_path / "no-such-folder"


async def test_every_problem_is_said_at_once_and_an_unknown_printer_is_one(
    desk: Callable[..., DaibanApp], station_dir: Path, tmp_path: Path
) -> None:
    """A printer name that is none was saved, and each print then failed in lp's English;
    only the first problem was said; an emptied idle box saved 10."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#printer", Input).value = "NoSuchPrinter"
        screen.query_one("#scan-folder", Input).value = str(tmp_path / "gone")
        screen.query_one("#idle", Input).value = "0"
        await pilot.press("f9")
        await settle(pilot)
        said = str(screen.query_one("#settings-message").render())
        assert "打印机：本机没有名为 NoSuchPrinter 的打印机" in said
        assert "扫描文件夹：本机没有" in said and "空闲几分钟后锁屏：请填 1 到 240" in said
        assert pilot.app.focused is screen.query_one("#printer", Input)
        screen.query_one("#printer", Input).value = "EPSON-LQ"
        screen.query_one("#scan-folder", Input).value = ""
        screen.query_one("#idle", Input).value = "25"
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
        await pilot.press("o")
        await settle(pilot)
        pilot.app.screen.query_one("#idle", Input).value = ""
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
    saved = load_settings(station_dir)
    assert (saved.printer, saved.idle_lock_minutes) == ("EPSON-LQ", 25)  # emptied: kept


async def test_authorization_letter_is_offered_when_a_relative_files(
    desk: Callable[..., DaibanApp], station_dir: Path
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        pilot.app.screen.query_one("#relation", Select).value = "relative"
        await pilot.pause()
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", ELDER_ID)  # the letter is void without it
        await fill(pilot, "principal.name", "马建国")
        await fill(pilot, "principal.id_number", SON_ID)
        await pilot.press("f6")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        said = " ".join(str(n.message) for n in pilot.app._notifications)
    # no case number before intake: named 未收件 and when (the desk's 10:00 in China), and
    # said by that name
    letters = list((station_dir / "documents").glob("*.pdf"))
    assert [p.name for p in letters] == ["授权委托书-未收件-20261123-1000.pdf"]
    assert "已保存为 PDF：\n授权委托书-未收件-20261123-1000.pdf" in said, said
    assert letters[0].read_bytes().startswith(b"%PDF")


async def test_sync_now_while_the_centre_is_away_says_so(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "中心：离线" in flat_text(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any("连不上中心" in n for n in notices), notices


async def test_f2_elder_mode_is_remembered_at_the_next_start(
    desk: Callable[..., DaibanApp], station_dir: Path
) -> None:
    """F2 on the sign-in screen made the desk big; the next start forgot it."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.app.workers.wait_for_complete()
        assert pilot.app.has_class("elder")
    assert load_settings(station_dir).elder_mode
    async with desk().run_test(size=(80, 24)) as pilot:
        assert pilot.app.has_class("elder")  # from station.toml
        await pilot.press("f2")
        await pilot.app.workers.wait_for_complete()
    assert not load_settings(station_dir).elder_mode
