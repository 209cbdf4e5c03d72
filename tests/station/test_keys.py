"""F1 lists the keys of the screen on show; the command palette finds commands by pinyin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.cells import cell_len

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


async def test_f1_on_the_review_queue_lists_each_key_once_and_scrolls_to_the_last(
    tmp_path: Path,
) -> None:
    """The queue's help ran past 24 rows with no key to scroll it (the focus is on OK), and
    listed 1-6 then 2…6 again; 空格 stood out of line (padded by characters, not cells)."""
    from textual.containers import VerticalScroll

    from station.screens.commands import screen_commands
    from tests.station.review_helpers import township_app
    from tests.station.test_roles import township_station

    store = township_station(tmp_path / "township")
    try:
        app = township_app(store, tmp_path / "township")
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "wangfang")
            await settle(pilot)
            queue = pilot.app.screen
            labels = [command.key for command in screen_commands(queue)]
            await pilot.press("f1")
            await settle(pilot)
            dialog = pilot.app.screen
            assert isinstance(dialog, MessageDialog)
            assert "1-6" in labels and not {"2", "3", "4", "5", "6"} & set(labels)
            lines = dialog.text.splitlines()
            commands = [f"{command.key}  {command.name}" for command in screen_commands(queue)]
            ends = set()
            for text in commands:
                line = next(line for line in lines if text in line)
                ends.add(cell_len(line[: line.index(text)]) + cell_len(text.split("  ")[0]))
            # two columns (one ran past 24 rows), each key right-aligned in its own: in 8
            # screen cells on the left (空格 is 4 cells, 2 characters)
            assert len(ends) == 2 and 8 in ends, lines
            ok, frame = dialog.query_one("#ok"), dialog.query_one(".message-dialog")
            # the OK button whole inside the dialog (it was cut by the dialog's own frame)
            assert ok.region.bottom <= frame.content_region.bottom <= 24, ok.region
            body = dialog.query_one(".message-body", VerticalScroll)
            await pilot.press("end")
            await settle(pilot)
            assert body.scroll_y == body.max_scroll_y
            shown = flat_text(pilot)
            assert commands[-1].replace(" ", "") in shown  # the last key, in sight
            await pilot.press("home")
            await settle(pilot)
            assert body.scroll_y == 0
            await pilot.press("enter")
            await settle(pilot)
            assert pilot.app.screen is queue
    finally:
        store.close()


async def test_a_background_sync_is_not_toasted_over_a_dialog(
    desk: Callable[..., DaibanApp],
) -> None:
    """At 80×24 the 同步完成 toast covered the right half of the 退回补正 dialog while the
    reviewer typed its reasons; the status line shows the sync, and one asked for is said."""
    from station.screens.syncing import SyncDone
    from station.services.desk import SyncState
    from station.services.desksync import SyncOutcome

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        app = pilot.app
        app.push_screen(MessageDialog("标题", "正文"))
        await settle(pilot)
        moved = SyncOutcome(SyncState(outbox=0), moved="同步完成：上传 3 条", changed=True)
        app.post_message(SyncDone(moved, manual=False))
        await settle(pilot)
        assert not [n for n in app._notifications if "同步完成" in str(n.message)]
        app.post_message(SyncDone(moved, manual=True))
        await settle(pilot)
        assert [n for n in app._notifications if "同步完成" in str(n.message)]
        await pilot.press("escape")
        await settle(pilot)
        app.post_message(SyncDone(moved, manual=False))  # no dialog: said as before
        await settle(pilot)
        # said again in the same words: in place of the first, not stacked beside it
        assert len([n for n in app._notifications if "同步完成" in str(n.message)]) == 1


async def test_a_notice_said_again_is_shown_once_and_syncing_goes_when_the_sync_ends(
    desk: Callable[..., DaibanApp],
) -> None:
    """同步 pressed five times while a sync ran: four 已有同步正在进行。 stacked over the screen,
    and 正在同步… stood beside 同步完成 until its time ran out."""
    from station.screens.syncing import SyncDone
    from station.services.desk import SyncState
    from station.services.desksync import SyncOutcome

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        app = pilot.app
        app.clear_notifications()
        for _ in range(3):
            app.notify("已有同步正在进行。", severity="warning")
        app.notify("正在同步…")
        await settle(pilot)
        told = [str(n.message) for n in app._notifications]
        assert told == ["已有同步正在进行。", "正在同步…"]
        moved = SyncOutcome(SyncState(outbox=0), moved="同步完成：上传 3 条", changed=True)
        app.post_message(SyncDone(moved, manual=True))
        await settle(pilot)
        told = [str(n.message) for n in app._notifications]
        assert "正在同步…" not in told and "同步完成：上传 3 条" in told
