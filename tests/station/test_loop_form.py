"""A 闭环 act's form refuses a time that is no time, naming the field, and keeps the rest;
Enter in a box sends it (once), or says what is still missing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from forms.clock import set_source
from station.screens.loops import Field, LoopForm


@pytest.fixture(autouse=True)
def noon() -> Iterator[None]:
    """Now is 2026-12-05 12:00 in China (the form refuses a time still to come)."""
    set_source(lambda: datetime(2026, 12, 5, 4, 0, tzinfo=UTC))
    yield
    set_source(None)


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        fields = [
            Field("when", "时间", value="2026-12-05 09:30"),
            Field("how", "方式", [("电话", "电话")]),
            Field("response", "群众意见"),
        ]
        self.push_screen(LoopForm("反馈", fields), self.answers.append)


async def test_an_impossible_feedback_time_is_refused_and_nothing_is_lost() -> None:
    """``2026-13-45 99:99`` went to the centre and into the 闭环's log as the time."""
    app = _Host()
    async with app.run_test() as pilot:
        form = app.screen
        assert isinstance(form, LoopForm)
        form.query_one("#f-when", Input).value = "2026-13-45 99:99"
        form.query_one("#f-response", Input).value = "满意"
        form.query_one("#f-how").value = "电话"  # type: ignore[attr-defined]
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen is form and app.answers == []
        said = str(form.query_one("#form-message", Static).render())
        assert "时间：不是有效的日期时间" in said and "2026-12-05 09:30" in said
        assert form.query_one("#f-response", Input).value == "满意"
        form.query_one("#f-when", Input).value = "2026-12-05 10:15"
        await pilot.press("f9")
        await pilot.pause()
    assert app.answers == [{"when": "2026-12-05 10:15", "how": "电话", "response": "满意"}]


async def test_assigning_takes_a_township_or_a_department_never_both_silently() -> None:
    """The 分派 form with both filled saved the township and dropped the department."""
    from station.screens.loops import _one_unit

    class _Assign(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.answers: list[Any] = []

        def on_mount(self) -> None:
            fields = [
                Field("unit", "乡镇", [("海城镇", "640522100000")], required=False),
                Field("department", "或县直部门", required=False),
            ]
            self.push_screen(LoopForm("分派", fields, _one_unit), self.answers.append)

    app = _Assign()
    async with app.run_test() as pilot:
        form = app.screen
        assert isinstance(form, LoopForm)
        said = []
        for township, department in ((None, ""), ("640522100000", "县医疗保障局")):
            if township:
                form.query_one("#f-unit").value = township  # type: ignore[attr-defined]
            form.query_one("#f-department", Input).value = department
            await pilot.press("f9")
            await pilot.pause()
            said.append(str(form.query_one("#form-message", Static).render()))
        assert said == [
            "请选一个乡镇，或填写县直部门。",
            "乡镇和县直部门只能选一个：请清空其中一个。",
        ]
        assert app.screen is form and app.answers == []
        form.query_one("#f-department", Input).value = ""
        await pilot.press("f9")
        await pilot.pause()
    assert app.answers == [{"unit": "640522100000", "department": ""}]


async def test_a_visit_before_the_items_last_step_is_refused() -> None:
    """A 回访 at 12:00 was recorded for an item made at 18:27 and assigned at 18:30."""
    from functools import partial

    from station.screens.loops import _last_step, _not_before

    item = {
        "created_at": "2026-12-05T00:27:00+00:00",  # 08:27 in China
        "steps": [{"action": "assigned", "at": "2026-12-05T02:30:00+00:00"}],  # 10:30
    }

    class _Visit(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.answers: list[Any] = []

        def on_mount(self) -> None:
            fields = [Field("when", "时间", value="2026-12-05 11:00"), Field("found", "核实情况")]
            check = partial(_not_before, _last_step(item))
            self.push_screen(LoopForm("回访核实", fields, check), self.answers.append)

    app = _Visit()
    async with app.run_test() as pilot:
        form = app.screen
        assert isinstance(form, LoopForm)
        form.query_one("#f-when", Input).value = "2026-12-05 09:30"
        form.query_one("#f-found", Input).value = "属实"
        await pilot.press("f9")
        await pilot.pause()
        said = str(form.query_one("#form-message", Static).render())
        assert app.screen is form and "早于该事项的上一步（2026-12-05 10:30）" in said
        assert form.query_one("#f-found", Input).value == "属实"
        form.query_one("#f-when", Input).value = "2026-12-05 10:30"  # the same minute will do
        await pilot.press("f9")
        await pilot.pause()
    assert app.answers == [{"when": "2026-12-05 10:30", "found": "属实"}]


class _Act(App[None]):
    """One 闭环 act's form over an empty screen; what it answers is kept."""

    def __init__(self, fields: list[Field]) -> None:
        super().__init__()
        self.fields = fields
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(LoopForm("办结", self.fields), self.answers.append)


async def _two_quick_enters(pilot: Pilot[None]) -> None:
    """Enter twice, the second sent before the first is handled (a double press)."""
    driver = pilot.app._driver
    assert driver is not None
    for _ in range(2):
        key = events.Key("enter", "\r")
        key.set_sender(pilot.app)
        driver.send_message(key)
    await pilot.pause()
    await pilot.pause()


@pytest.mark.parametrize("quick", [False, True])
async def test_enter_in_the_note_sends_it_once(quick: bool) -> None:
    """The county's 闭环 forms took F9 only: a note typed and sent with Enter left the
    administrator on the OK button, nothing sent (every other county dialog sends on Enter)."""
    app = _Act([Field("text", "说明", required=False)])
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.screen
        assert isinstance(form, LoopForm)
        assert "确定（回车/F9）" in str(form.query_one("#ok", Button).label)  # the keys it takes
        await pilot.press(*"已电话告知群众")
        if quick:
            await _two_quick_enters(pilot)
        else:
            await pilot.press("enter", "enter")
        await pilot.pause()
        assert app.screen is not form
    assert app.answers == [{"text": "已电话告知群众"}]


async def test_enter_with_a_required_box_empty_names_it_and_keeps_what_was_typed() -> None:
    app = _Act(
        [
            Field("overturn", "裁定", [("撤销差评", "1"), ("维持差评", "0")]),
            Field("note", "说明", required=False),
        ]
    )
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.screen
        assert isinstance(form, LoopForm)
        await pilot.press("tab", *"经核实差评属实", "enter")
        await pilot.pause()
        assert app.screen is form and app.answers == []
        assert str(form.query_one("#form-message", Static).render()) == "请填写：裁定"
        assert app.focused is form.query_one("#f-overturn", Select)  # where it is missing
        assert form.query_one("#f-note", Input).value == "经核实差评属实"
        await pilot.press("enter", "down", "down", "enter")  # the list: 维持差评
        await pilot.pause()
        assert str(form.query_one("#form-message", Static).render()) == ""  # answered: gone
        await pilot.press("tab", "enter")
        await pilot.pause()
    assert app.answers == [{"overturn": "0", "note": "经核实差评属实"}]


async def test_enter_in_the_first_of_several_boxes_names_those_still_empty() -> None:
    """回访: Enter after the time says what else the visit needs, and goes there."""
    app = _Act(
        [
            Field("when", "时间", value="2026-12-05 09:30"),
            Field("how", "方式", [("电话", "电话")]),
            Field("found", "核实情况"),
        ]
    )
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.screen
        assert isinstance(form, LoopForm)
        # the cursor at the time's end (a key typed does not replace the prefilled time)
        await pilot.press("backspace", "5", "enter")
        await pilot.pause()
        assert app.screen is form and app.answers == []
        said = str(form.query_one("#form-message", Static).render())
        assert said == "请填写：方式、核实情况"
        assert app.focused is form.query_one("#f-how", Select)
        assert form.query_one("#f-when", Input).value == "2026-12-05 09:35"
