"""The smaller screens: settings, the authorization letter, manual sync while offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Select

from station.app import DaibanApp
from station.config import load_settings
from station.screens.home import HomeScreen
from station.screens.settings import SettingsScreen
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import SON_ID, choose_allowance, fill


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


async def test_authorization_letter_is_offered_when_a_relative_files(
    desk: Callable[..., DaibanApp], station_dir: Path
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        pilot.app.screen.query_one("#relation", Select).value = "relative"
        await pilot.pause()
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "principal.name", "马建国")
        await fill(pilot, "principal.id_number", SON_ID)
        await pilot.press("f6")
        await settle(pilot)
    letters = list((station_dir / "documents").glob("*authorization*.pdf"))
    assert len(letters) == 1 and letters[0].read_bytes().startswith(b"%PDF")


async def test_sync_now_while_the_centre_is_away_says_so(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "中心：离线" in flat_text(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any("连不上中心" in n for n in notices), notices
