"""A notice over a bordered box keeps every Chinese character (Textual issue #6357): the
box's edge under the notice cut a character in two and both halves became spaces, and
已打开长辈模式（再按 F2 关闭） read 开长辈模式（再   F2 over the take-in's buttons."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

import station.app  # noqa: F401 - applies the patch, as the desk does
from tests.station.helpers import screen_text

SAID = "已打开长辈模式（再按F2关闭）。字还嫌小：按Ctrl和+放大。"


class BoxesScreen(Screen[None]):
    """Bordered boxes whose edges run under the notices, at several columns."""

    CSS = """
    BoxesScreen { align: left bottom; }
    Static { border: heavy white; height: 3; }
    #a { width: 41; } #b { width: 50; } #c { width: 57; } #d { width: 64; }
    #e { width: 71; } #f { width: 75; }
    """

    def compose(self) -> ComposeResult:
        for name in "abcdef":
            yield Static("收件", id=name)


class Boxes(App[None]):
    """The boxes' screen (a pushed screen holds the notices, as the desk's do)."""

    def on_mount(self) -> None:
        self.push_screen(BoxesScreen())


@pytest.mark.parametrize("lead", ["", "a"])  # a half-width lead shifts every character by one
async def test_a_notice_over_box_edges_keeps_every_character(lead: str) -> None:
    app = Boxes()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        app.notify(lead + SAID, timeout=30)
        for _ in range(5):  # the notice is mounted, then laid out over the boxes
            await pilot.pause()
        # the notice's own text: what each of its lines shows right of its left edge (▌)
        screen = screen_text(pilot).splitlines()
        notice = "".join(line.rpartition("▌")[2] for line in screen if "▌" in line)
        assert lead + SAID in "".join(notice.split()), "\n".join(screen)
