"""What a new agent tripped over on a first day at the desk, each pinned by a test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable, Input, OptionList, Select

from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.case import CaseScreen
from station.screens.dialogs import SupplementDialog
from station.screens.home import HomeScreen
from station.screens.intake import IntakeScreen
from station.screens.login import DemoHelp
from station.screens.syncing import SyncDone, SyncOutcome
from station.services.auth import DemoAccount
from station.store import StationStore
from station.widgets.status import SyncState
from sync.events import EventKind
from tests.station.cases_seed import take_in, township
from tests.station.conftest import NOW, PASSWORD, shipped_catalog
from tests.station.helpers import flat_text, log_in, screen_text, settle

TOWNSHIP_DIR = "/demo/station-640522100000"
EVERY_DEMO_ACCOUNT = [
    DemoAccount("agent201", "马丽", "agent", PASSWORD),
    DemoAccount("agent202", "李强", "agent", PASSWORD, "/demo/station-640522100202", "武塬村"),
    DemoAccount("reviewer", "王芳", "reviewer", PASSWORD, TOWNSHIP_DIR, "海城镇"),
    DemoAccount("admin", "赵军", "admin", PASSWORD, "/demo/station-640522000000", "海原县"),
]


def demo_desk(station_dir: Path, store: StationStore) -> DaibanApp:
    settings = load_settings(station_dir)
    return make_app(
        settings,
        store=store,
        demo_accounts=EVERY_DEMO_ACCOUNT,
        clock=lambda: NOW,
        catalog=shipped_catalog(),
    )


def footer_line(pilot: object) -> str:
    return screen_text(pilot).splitlines()[-1]  # type: ignore[arg-type]


async def test_demo_login_shows_every_account_and_how_to_use_the_others(
    station_dir: Path, store: StationStore
) -> None:
    async with demo_desk(station_dir, store).run_test(size=(80, 24)) as pilot:
        text = flat_text(pilot)
        for username in ("agent201", "agent202", "reviewer", "admin"):
            assert username in text
        assert "本台" in text and "demo1234" in text and "F1" in text
        table = pilot.app.screen.query_one("#demo-table", DataTable)
        table.focus()
        table.move_cursor(row=2)  # the township reviewer: not an account of this desk
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DemoHelp)
        help_text = flat_text(pilot)
        # the demo of this data directory (/demo/station-… lies in /), not one of its own
        assert "daiban--data-dir/demo--desktownship" in help_text and TOWNSHIP_DIR in help_text
        assert "海城镇的工作台" in help_text
        await pilot.press("escape")
        assert pilot.app.screen.query_one("#username", Input).value == ""


async def test_footer_is_chinese_and_fits_80_columns(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        assert "F1帮助" in footer_line(pilot).replace(" ", "")  # F1 lists every key, Ctrl+P too
        await log_in(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
        footer = footer_line(pilot)
        assert "长辈模式" in footer and "帮助" in footer and "palette" not in footer
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("g", "l", "j", "t", "enter")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        choice = pilot.app.screen.query(Select).first()
        choice.focus()
        await pilot.press("enter")  # the list opens: its Escape key is shown in Chinese too
        await pilot.pause()
        assert "收起列表" in footer_line(pilot) and "Dismiss" not in footer_line(pilot)


async def test_enter_takes_the_one_item_found_by_its_initials(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("g", "l", "j", "t", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen)
        assert screen.draft.item_code == "640522-MZ-001"
        assert "申请人姓名" in flat_text(pilot)


async def test_enter_takes_the_highlighted_item_of_several_and_down_another(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("l", "n", "r")  # 老年人…: more than one item
        await settle(pilot)
        results = pilot.app.screen.query_one("#item-results", OptionList)
        assert results.option_count > 1
        first = results.get_option_at_index(0).id
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen) and screen.draft.item_code == first
        await pilot.press("escape")  # nothing typed: no draft; take in another
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert "还没有填写任何内容，没有保存草稿。" in notices  # said, not silent
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("l", "n", "r")
        await settle(pilot)
        results = pilot.app.screen.query_one("#item-results", OptionList)
        second = results.get_option_at_index(1).id  # (the item used last may come first now)
        await pilot.press("down", "enter")  # into the list at the next one, take it
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen) and screen.draft.item_code == second


async def test_enter_when_nothing_matches_says_so_and_keeps_the_words(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("x", "q", "z", "x", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen) and screen.draft.item_code in ("", None)
        assert screen.query_one("#item-search", Input).value == "xqzx"
        assert "没有找到相符的事项" in " ".join(str(n.message) for n in pilot.app._notifications)


async def test_enter_in_an_empty_item_list_leaves_the_desk_answering(
    desk: Callable[..., DaibanApp],
) -> None:
    """Enter in the results list with nothing in it chose nothing, yet held every key
    after it for the form that never came: the desk answered no key, Ctrl+Q included."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("z", "z", "z", "z", "tab")
        await settle(pilot)
        results = pilot.app.screen.query_one("#item-results", OptionList)
        assert results.option_count == 0 and pilot.app.focused is results
        await pilot.press("enter", "shift+tab", "end", "a")  # back to the search box, type
        await settle(pilot)
        assert pilot.app.screen.query_one("#item-search", Input).value == "zzzza"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)


async def test_a_return_brought_by_sync_shows_on_home_at_once(
    desk: Callable[..., DaibanApp], store: StationStore, hold_time: Callable[[datetime], None]
) -> None:
    # the township's 退回补正 written at the desk's own now (Monday 23 November, 10:00):
    # stamped by the machine's clock, its 期限 moved with the real day, and the test failed
    # once China's day turned (00:00 in Beijing is 16:00 UTC)
    hold_time(NOW)
    case = take_in(store, "李秀英")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        assert "补正0" in flat_text(pilot)
        reason = "社保卡复印件不清晰"
        township(store, case.case_number, (EventKind.returned, {"reason": reason}))
        pilot.app.post_message(SyncDone(SyncOutcome(SyncState(), moved="", changed=True), False))
        await settle(pilot)
        text = flat_text(pilot)
        assert "补正1" in text and "补正原因：" + reason in text
        # by when the village is to correct it (the township's queue counted it; home not)
        (due,) = [line for line in screen_text(pilot).splitlines() if "期限" in line]
        assert "期限 2026-11-30，还剩 5 个工作日" in due  # 5 working days from Monday


async def test_the_home_keeps_a_line_highlighted_when_the_lines_move(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    case = take_in(store, "李秀英")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        options = pilot.app.screen.query_one("#home-list", OptionList)
        before = options.highlighted
        assert before is not None and not options.get_option_at_index(before).disabled
        # returned: the case moves up into 补正, and its old place is now a section's title
        township(store, case.case_number, (EventKind.returned, {"reason": "请补交"}))
        pilot.app.post_message(SyncDone(SyncOutcome(SyncState(), moved="", changed=True), False))
        await settle(pilot)
        now = options.highlighted
        assert now is not None and not options.get_option_at_index(now).disabled
        await pilot.press("enter")  # Enter opens the line shown as chosen
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)


async def test_supplement_names_the_materials_and_records_only_those_ticked(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    case = take_in(store, "李秀英")
    township(store, case.case_number, (EventKind.returned, {"reason": "请补交"}))
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SupplementDialog)
        text = flat_text(pilot)
        assert "社会保障卡或存折复印件" in text and "bank_card" not in text
        await pilot.press("space", "enter")  # ticked as brought (nothing is at first)
        await settle(pilot)
    after = store.get_case(case.case_number)
    assert after is not None and after.materials["bank_card"] == "provided"
    untouched = {k: v for k, v in case.materials.items() if k != "bank_card"}
    assert {k: after.materials[k] for k in untouched} == untouched


async def test_resubmitted_case_no_longer_shows_the_old_reason_and_counts_the_outbox(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    case = take_in(store, "李秀英")
    township(store, case.case_number, (EventKind.returned, {"reason": "请补交社保卡复印件"}))
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))  # type: ignore[attr-defined]
        await settle(pilot)
        assert "补正原因：请补交社保卡复印件" in flat_text(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")  # nothing brought since the return: it asks first
        await settle(pilot)
        header = flat_text(pilot).split("时间")[0]
        assert "已报送" in header and "请补交" not in header  # it stays in the timeline only
        assert "请补交" in flat_text(pilot)
        assert f"待同步{store.outbox_depth()}" in flat_text(pilot) and store.outbox_depth() > 0


async def test_home_lists_cases_taken_in_and_not_yet_sent_and_says_what_to_do_when_empty(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        assert "按n开始收件" in flat_text(pilot)
    case = take_in(store, "张桂兰")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "待报送1" in text and case.case_number in text and "开始收件" not in text


async def test_enter_in_the_case_search_opens_the_one_case_found(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    take_in(store, "张桂兰")
    found = take_in(store, "李秀英")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("l")
        await settle(pilot)
        await pilot.press("l", "x", "y")  # pinyin initials of 李秀英
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, CaseScreen) and screen.key == found.case_number


async def test_authorization_key_shows_only_when_someone_files_for_the_applicant(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("g", "l", "j", "t", "enter")
        await settle(pilot)
        assert "授权委托书" not in footer_line(pilot) and "长辈模式" in footer_line(pilot)
        pilot.app.screen.query_one("#relation", Select).value = "relative"
        await settle(pilot)
        assert "授权委托书" in footer_line(pilot)


async def test_f2_on_the_settings_screen_moves_the_elder_switch_too(
    desk: Callable[..., DaibanApp],
) -> None:
    from textual.widgets import Switch

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("o")
        await settle(pilot)
        switch = pilot.app.screen.query_one("#elder", Switch)
        assert switch.value is False
        await pilot.press("f2")
        await pilot.pause()
        assert pilot.app.has_class("elder") and switch.value is True
