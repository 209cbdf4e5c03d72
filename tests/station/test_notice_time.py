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
