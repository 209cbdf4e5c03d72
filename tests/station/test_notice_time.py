"""A notice stays long enough to be read: 8 s (Textual's 5 took a sentence of Chinese away
before an agent had read it), 12 s in 长辈模式; a notice given its own time keeps it."""

from __future__ import annotations

from collections.abc import Callable

from station.app import DaibanApp
from tests.station.helpers import log_in, settle


def _times(app: DaibanApp) -> list[float]:
    return [notice.timeout for notice in app._notifications]


async def test_a_notice_stays_long_enough_to_read_and_longer_in_elder_mode(
    desk: Callable[..., DaibanApp],
) -> None:
    app = desk()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        app._notifications.clear()
        app.notify("草稿已保存")
        await pilot.press("f2")  # 长辈模式
        await settle(pilot)
        app.notify("回执已打印")
        app.notify("同步失败：连不上县中心", timeout=10)  # its own time is kept
        await pilot.press("f2")  # back to the standard desk
        await settle(pilot)
        app.notify("已提交")
        await pilot.pause()  # a notice is added when its message is handled

        # F2 says what it did, each in the mode it leaves on: 12 s on, 8 s off
        assert _times(app) == [8, 12, 12, 10, 8, 8]


async def test_a_dialog_takes_away_the_notices_already_read_and_keeps_the_rest(
    desk: Callable[..., DaibanApp],
) -> None:
    """A saved PDF's notice stood over the 暂停 dialog's 取消 button for its 8 seconds."""
    from textual.widgets import Button

    from station.screens.dialogs import ConfirmDialog

    app = desk()
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        app._notifications.clear()
        app.notify("受理通知书已保存为 PDF：/tmp/a.pdf")
        app.notify("同步失败：连不上县中心", severity="error")
        await pilot.pause()
        for shown in app._notifications:  # on show for 3 s, as a reviewer reads them
            shown.raised_at -= 3
        app.notify("草稿已保存")  # just said: not yet read
        await pilot.pause()
        app.push_screen(ConfirmDialog("暂停办理吗？"))
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.query_one("#no", Button).display
        left = [str(shown.message) for shown in app._notifications]
        assert left == ["同步失败：连不上县中心", "草稿已保存"]
