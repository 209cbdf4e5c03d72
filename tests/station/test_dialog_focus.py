"""The focused button of a dialog is plain to see: Textual only reversed its label's
letters, and a reviewer could not tell which of two blue buttons Enter would press."""

from __future__ import annotations

from collections.abc import Callable

from textual.color import Color
from textual.widgets import Button

from station.app import DaibanApp
from station.screens.dialogs import ConfirmDialog
from tests.station.helpers import log_in


async def test_the_button_enter_presses_stands_out_and_follows_tab(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(ConfirmDialog("删除这份草稿吗？"))
        await pilot.pause()
        marked = Color.parse(pilot.app.theme_variables["warning"])
        yes, no = (
            pilot.app.screen.query_one("#yes", Button),
            pilot.app.screen.query_one("#no", Button),
        )
        assert pilot.app.focused is yes
        assert yes.styles.background == marked and no.styles.background != marked
        assert yes.styles.color == Color.parse("black") and yes.styles.text_style.bold
        await pilot.press("tab")
        await pilot.pause()
        assert pilot.app.focused is no
        assert no.styles.background == marked and yes.styles.background != marked
