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


async def test_the_list_reads_its_page_once_as_it_opens_and_again_on_return(
    desk: Callable[..., DaibanApp], store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the list read its first page twice (on mount, and as it first showed), the
    two reads in each other's way: 211 ms to open it at 100,000 cases."""
    import station.screens.cases as cases_screen

    number = take_in(store, "马占福").case_number
    reads: list[str] = []
    read_page = cases_screen.read_page

    def counted(desk: object, query: str, *args: object) -> object:
        reads.append(query)
        return read_page(desk, query, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cases_screen, "read_page", counted)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen) and number in flat_text(pilot)
        assert reads == [""]
        await pilot.press(*"mzf")
        await settle(pilot)
        assert reads[-1] == "mzf" and len(reads) == 4  # a key, a read
        await pilot.press("down", "enter")  # the case, and back: the list read again
        await settle(pilot)
        assert not isinstance(pilot.app.screen, CasesScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen) and reads[-1] == "mzf"
        assert len(reads) == 5


async def test_an_earlier_search_read_last_never_replaces_the_later_one(
    desk: Callable[..., DaibanApp], store: StationStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Box cleared, a name typed at once: the read of every case, slower, arrived after the
    name's and the list showed all 6 cases under 杨志强 (a new user's trial)."""
    import asyncio
    import threading

    import station.screens.cases as cases_screen

    wanted = take_in(store, "马占福").case_number
    other = take_in(store, "张桂兰").case_number
    read_page = cases_screen.read_page
    released = threading.Event()

    def slow_for_all(desk: object, query: str, *args: object) -> object:
        page = read_page(desk, query, *args)  # type: ignore[arg-type]
        if query == "" and reads_held:
            released.wait(10)  # the read of every case, still going when the name is typed
        return page

    reads_held = False
    monkeypatch.setattr(cases_screen, "read_page", slow_for_all)
    name_shown = asyncio.Event()
    shown = CasesScreen.on_cases_screen_loaded

    def noted(screen: CasesScreen, message: CasesScreen.Loaded) -> None:
        shown(screen, message)
        if [row.case_number for row in message.page.rows] == [wanted]:  # the name's page
            name_shown.set()

    monkeypatch.setattr(CasesScreen, "on_cases_screen_loaded", noted)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CasesScreen) and other in flat_text(pilot)
        reads_held = True
        screen.query_one("#cases-search", Input).value = "x"
        await settle(pilot)
        screen.query_one("#cases-search", Input).value = ""  # cleared: every case, slowly
        await pilot.pause()
        screen.query_one("#cases-search", Input).value = "马占福"  # and typed at once
        await pilot.pause()
        await asyncio.wait_for(name_shown.wait(), 10)  # the slow read still held
        assert wanted in flat_text(pilot) and other not in flat_text(pilot)
        released.set()
        await settle(pilot)
        assert wanted in flat_text(pilot) and other not in flat_text(pilot)


async def test_a_draft_is_found_by_its_residents_name_and_enter_goes_on_filling_it(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """A resident back for the form begun yesterday: the list found only cases, and the
    agent had to know that drafts are on 今日."""
    from station.screens.intake import IntakeScreen

    number = take_in(store, "马占福").case_number
    applicant = {"name": "马占福", "id_number": "640522195001011308", "phone": "13426488386"}
    store.save_draft("draft-ma", {"applicant": applicant, "item_name": "高龄津贴"})
    zhang = {"applicant": {"name": "张桂兰"}, "item_name": "80周岁以上高龄津贴申领"}
    store.save_draft("draft-zhang", zhang)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")  # not now: the newest draft offered back at sign-in
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"mzf")
        await settle(pilot)
        shown = flat_text(pilot)
        assert "马占福*1308" in shown.replace(" ", "") and number in shown
        assert "张桂兰" not in shown
        assert "共1条；最上面是草稿1件，选中后回车接着填写" in shown.replace(" ", "")
        await pilot.press("down", "enter")  # the first row: the draft
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen) and screen.draft.draft_id == "draft-ma"
        assert screen.draft.applicant["name"] == "马占福"  # what was typed yesterday

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CasesScreen)
        await pilot.press("ctrl+f", "ctrl+u", *"1308")  # the ID number's last digits too
        await settle(pilot)
        shown = flat_text(pilot).replace(" ", "")
        assert "马占福*1308" in shown and "没有办件；找到草稿1件，回车接着填写" in shown
        await pilot.press("ctrl+u", *"zgl gljt")  # 张桂兰 and the item, both in pinyin
        await settle(pilot)
        shown = flat_text(pilot).replace(" ", "")
        assert "张桂兰" in shown and "马占福" not in shown
