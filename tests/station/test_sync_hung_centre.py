"""A centre that takes the connection and never answers: the desk says so, once.

On main the status line said 中心：在线 for the ~95 s such a sync took (the probe only
opens a TCP connection), kept saying it after the sync failed, and a background sync's
failure was not told at all.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest
from textual.pilot import Pilot

from station.app import DaibanApp
from station.screens.home import HomeScreen
from station.store import StationStore
from tests.station.helpers import PASSWORD, flat_text, log_in, settle, type_into


@pytest.fixture
def hung_centre(store: StationStore) -> Iterator[str]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(16)
        url = f"http://127.0.0.1:{listening.getsockname()[1]}"
        store.save_identity(store.require_identity().model_copy(update={"central_url": url}))
        yield url


def told(pilot: Pilot[None]) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications if "同步失败" in str(n.message)]


@pytest.mark.slow
async def test_a_centre_that_never_answers_is_shown_and_told_once(
    desk: Callable[..., DaibanApp], hung_centre: str
) -> None:
    app = desk(sync_timeout_seconds=0.3)
    async with app.run_test(size=(100, 24)) as pilot:
        await type_into(pilot, "#username", "agent201")
        await pilot.press("enter")
        await type_into(pilot, "#password", PASSWORD)
        await pilot.press("enter")  # signing in syncs once in the background
        while not isinstance(pilot.app.screen, HomeScreen):
            await pilot.pause()
        await pilot.pause()
        # the centre cannot have answered: it never does; the sync can only time out
        assert "正在同步" in flat_text(pilot) and "中心：在线" not in flat_text(pilot)
        await settle(pilot)
        assert "中心：离线" in flat_text(pilot)
        # waited for once (~95 s at the desk's 30 s before: three silences, three tries)
        assert told(pilot) == [
            "同步失败：中心没有应答：连接超时（下次同步会再试，已发出的不会重复）"
        ]

        pilot.app._background_sync()  # the next tick fails the same way: not told again
        await pilot.pause()
        assert "正在同步" in flat_text(pilot)
        await settle(pilot)
        assert len(told(pilot)) == 1 and "中心：离线" in flat_text(pilot)

        first = [n.identity for n in pilot.app._notifications if "同步失败" in str(n.message)]
        await pilot.press("f5")  # asked for: always told (anew, in place of the same words)
        await settle(pilot)
        again = [n.identity for n in pilot.app._notifications if "同步失败" in str(n.message)]
        assert len(again) == 1 and again != first


async def test_working_offline_is_shown_not_told_until_asked(
    desk: Callable[..., DaibanApp],
) -> None:
    """A station that is often offline is not interrupted by it; asked to sync, it says so."""
    async with desk().run_test(size=(100, 24)) as pilot:
        await log_in(pilot)  # the centre's port refuses: the background sync finds it offline
        assert "中心：离线" in flat_text(pilot)
        offline = "连不上中心，继续离线办理。"
        assert offline not in [str(n.message) for n in pilot.app._notifications]
        await pilot.press("f5")
        await settle(pilot)
        # and, at the village's home, the USB stick's way for a station without a line
        (said,) = [str(n.message) for n in pilot.app._notifications]
        assert (
            said == offline + "\n长期不通网：按 b 把待报送的记录导出到 U 盘，带到乡镇或县里导入。"
        )


async def test_offline_the_status_line_keeps_the_last_sync_the_store_remembers(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """On main the background probe of an offline desk turned 上次同步 12-05 21:39 into
    上次同步 从未 (the session's state had no time before its first sync)."""
    from datetime import UTC, datetime

    from sync.engine import SyncReport

    done = datetime(2026, 12, 5, 13, 39, tzinfo=UTC)  # 21:39 in China
    store.record_sync(SyncReport(started_at=done, finished_at=done, pushed=1))
    async with desk().run_test(size=(100, 24)) as pilot:
        await log_in(pilot)  # the centre's port refuses: the background sync finds it offline
        await settle(pilot)
        assert "中心：离线" in flat_text(pilot)
        assert "上次同步12-0521:39" in flat_text(pilot)
        pilot.app._background_sync()  # the next tick of the background probe: still offline
        await settle(pilot)
        assert "中心：离线" in flat_text(pilot)
        assert "上次同步12-0521:39" in flat_text(pilot)


async def test_a_sync_updates_the_status_line_of_the_screens_under_a_dialog(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """On main only the screen on top got the new state: the county's dashboard, under a
    dialog when a sync ended, showed the old one until the next sync."""
    from station.screens.dialogs import MessageDialog
    from station.widgets.status import DeskStatus
    from tests.station.cases_seed import take_in

    async with desk().run_test(size=(100, 24)) as pilot:
        await log_in(pilot)
        home = pilot.app.screen
        assert home.query_one(DeskStatus).state.outbox == 0
        take_in(store)  # two events to send
        pilot.app.push_screen(MessageDialog("提示", "对话框"))
        await pilot.pause()
        pilot.app._background_sync()
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        assert home.query_one(DeskStatus).state.outbox == 2
