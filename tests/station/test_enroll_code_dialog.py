"""The county's n 新码 dialog says why a typed division code finds nothing, as
``daiban central enroll`` does, instead of only 请选区划并填写站名."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input, Static

from station.screens.stations_admin import EnrollCodeDialog
from station.services.county_admin import DivisionChoice
from tests.station.helpers import type_into

CHOICES = [
    DivisionChoice("640522000000", "county", "海原县", "海原县政务服务中心"),
    DivisionChoice("640522100000", "township", "海城镇", "海城镇便民服务中心"),
    DivisionChoice("640522100201", "village", "山门村", "海城镇山门村便民服务站"),
]


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(EnrollCodeDialog(CHOICES), self.answers.append)


async def _enter(typed: str) -> tuple[str, list[Any]]:
    """What the dialog says after ``typed`` in the division box and Enter."""
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#division-search", typed)
        await pilot.press("enter")
        await pilot.pause()
        if app.answers:
            return "", app.answers
        return str(app.screen.query_one("#code-message", Static).render()), app.answers


async def test_a_code_missing_from_the_division_table_is_named_with_what_to_do() -> None:
    message, answers = await _enter("640522100204")
    assert answers == []
    assert message == "区划表中没有640522100204：请先在区划表（divisions.toml）中添加并发布目录"


async def test_a_code_of_another_county_is_said_to_be_so() -> None:
    message, _answers = await _enter("640521100204")
    assert message == "640521100204不是本县（640522）的区划"


async def test_a_name_that_finds_nothing_still_asks_to_pick_a_division() -> None:
    message, _answers = await _enter("不存在")
    assert message == "请选区划并填写站名。"


async def test_a_listed_code_still_issues_the_code() -> None:
    _message, answers = await _enter("640522100201")
    assert answers == [("640522100201", "海城镇山门村便民服务站", "village")]


async def test_enter_in_the_station_name_box_says_the_same() -> None:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#division-search", "640522100204")
        app.screen.query_one("#station-name", Input).focus()
        await type_into(pilot, "#station-name", "武塬村便民服务站")
        await pilot.press("enter")
        await pilot.pause()
        message = str(app.screen.query_one("#code-message", Static).render())
    assert app.answers == [] and message.startswith("区划表中没有640522100204")
