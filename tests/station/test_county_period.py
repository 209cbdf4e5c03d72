"""c 自定义 on the 看板: a date that is not one keeps the dialog open with what was typed and
says which box and what is wrong; Esc after typing asks first. A bad date closed the box and
lost the text, and ``2026-13-01`` — in the very shape asked for — was called the wrong shape."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import App
from textual.widgets import Input, Static

from station.screens.county_period import PeriodDialog
from station.screens.dialogs import ConfirmDialog
from station.services.dashboard import Period, PeriodChoice
from tests.station.helpers import flat_text

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30), PeriodChoice.this_month)


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(PeriodDialog(NOVEMBER), self.answers.append)


async def test_a_bad_date_names_its_box_and_what_is_wrong_and_nothing_is_lost() -> None:
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        said = []
        for box, typed in (
            ("#period-last", "2026-13-01"),
            ("#period-last", "2026-02-30"),
            ("#period-first", "11月1日"),
            ("#period-first", ""),
        ):
            field = dialog.query_one(box, Input)
            field.focus()
            field.value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog and field.value == typed  # open, the text kept
            assert dialog.focused is field  # the cursor on the box to mend
            said.append(str(dialog.query_one("#period-message", Static).render()))
        assert said == [
            "结束日期：没有 2026-13-01 这一天（一年只有 1–12 月，没有 13 月）。",
            "结束日期：没有 2026-02-30 这一天（2026 年 2 月只有 1–28 日）。",
            "开始日期：请写成 2026-11-01 这样（年-月-日）。",
            "开始日期：请填写日期，如 2026-11-01。",
        ]
        dialog.query_one("#period-first", Input).value = "2026-11-20"
        dialog.query_one("#period-last", Input).value = "2026-11-10"
        await pilot.press("enter")
        await pilot.pause()
        message = str(dialog.query_one("#period-message", Static).render())
        assert message == "结束日期：早于开始日期。" and app.answers == []
        assert "开始日期" in flat_text(pilot) and "结束日期" in flat_text(pilot)  # named boxes
        dialog.query_one("#period-last", Input).value = "2026-11-30"
        await pilot.press("enter")
        await pilot.pause()
    assert app.answers == [Period(date(2026, 11, 20), date(2026, 11, 30), PeriodChoice.custom)]


async def test_esc_asks_once_something_was_typed_and_keeps_it_on_no() -> None:
    app = _Host()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await pilot.press("escape")  # nothing changed: closes at once
        await pilot.pause()
        assert app.answers == [None]
        app.push_screen(PeriodDialog(NOVEMBER), app.answers.append)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        dialog.query_one("#period-first", Input).value = "2026-11-1"
        await pilot.press("escape")
        await pilot.pause()
        asking = app.screen
        assert isinstance(asking, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is dialog
        assert dialog.query_one("#period-first", Input).value == "2026-11-1"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.answers == [None, None]
