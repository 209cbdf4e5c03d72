"""申请内容 on the village's case page: the application as filed, as the township reads it.

The village case page showed the timeline only; a resident asking "what did you file for
me?" could not be answered at the desk. ``v`` shows who, what the form says and where each
material stands, the ID number masked; Esc goes back to the case.
"""

from __future__ import annotations

from collections.abc import Callable

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.screens.dialogs import MessageDialog
from station.store import StationStore
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_case_lifecycle import WRONG, _taken_in
from tests.station.test_intake import ELDER_ID

SMALL = (80, 24)


async def test_v_shows_the_application_as_filed_with_the_id_number_masked(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = _taken_in(store)
    async with desk().run_test(size=SMALL) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))
        await settle(pilot)
        assert "v申请内容" in flat_text(pilot)  # offered in the footer at 80 columns
        await pilot.press("v")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        shown = flat_text(pilot)
        assert f"申请内容{number}" in shown
        assert "申请人" in shown and "马占福" in shown
        assert f"{ELDER_ID[:6]}********{ELDER_ID[-4:]}" in shown and ELDER_ID not in shown
        assert "户籍地址" in shown and "山门村一组" in shown and "中国农业银行" in shown
        for _ in range(6):  # the materials are below: the body scrolls by the keyboard
            await pilot.press("pagedown")
        await settle(pilot)
        below = flat_text(pilot)
        assert "申请材料" in below and "户口簿" in below and "已提供" in below
        assert WRONG[-4:] in shown + below  # the bank account as the form holds it
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        assert number in flat_text(pilot)


def test_an_empty_table_says_none_not_its_headers_alone() -> None:
    """同时参保的家庭成员 with no one, 申请材料 of an item with none: headers alone read
    as a table that had failed to load (a county trial)."""
    from rich.console import Console

    from station.screens.application import table

    console = Console(width=60, record=True)
    console.print(table(["姓名", "与申请人关系", "身份证号码"], [], title="同时参保的家庭成员"))
    console.print(table(["姓名", "身份证号码"], [["马秀兰", "640522********1029"]]))
    text = console.export_text()
    assert text.count("（无）") == 1 and "同时参保的家庭成员" in text and "马秀兰" in text
