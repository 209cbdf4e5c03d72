"""Home has a search key, as the lists do: / (or Ctrl+F) opens the case list ready to type."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Input

from station.app import DaibanApp
from station.screens.cases import CasesScreen
from station.store import StationStore
from tests.station.cases_seed import take_in
from tests.station.helpers import flat_text, log_in, settle


@pytest.mark.parametrize("key", ["slash", "ctrl+f"])
async def test_slash_on_home_searches_the_cases(
    desk: Callable[..., DaibanApp], store: StationStore, key: str
) -> None:
    number = take_in(store, "马占福").case_number
    take_in(store, "张桂兰")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        assert "/ 查找" in flat_text(pilot).replace("/查找", "/ 查找")  # shown on home
        await pilot.press(key)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CasesScreen)
        assert screen.focused is screen.query_one("#cases-search", Input)
        await pilot.press(*"mzf")  # 马占福's pinyin initials, typed at once
        await settle(pilot)
        assert number in flat_text(pilot) and "张桂兰" not in flat_text(pilot)
