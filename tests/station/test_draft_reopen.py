"""A kept take-in reopens at the step it was left at, and keeps the time it was last changed:
opening it to look (or moving between its steps) is no change; what is typed is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Select

from station.app import DaibanApp
from station.screens.home import HomeScreen
from station.screens.intake import IntakeScreen
from station.store import StationStore
from station.widgets.materials import MaterialRow
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import choose_allowance, fill_allowance

FILLED = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
"""09:00 in Beijing: the draft is typed."""
LINE = "马占福80周岁以上高龄津贴申领"
"""The draft's line under 草稿, after its time."""


async def leave(pilot: Pilot[None]) -> None:
    """Esc: back home, the draft kept."""
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)


async def reopen(pilot: Pilot[None]) -> IntakeScreen:
    """Enter on the draft home has the cursor on (the one just left)."""
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, IntakeScreen)
    return screen


def step_shown(screen: IntakeScreen) -> str | None:
    return screen.query_one(ContentSwitcher).current


async def test_a_draft_left_at_the_check_page_reopens_there(
    desk: Callable[..., DaibanApp], store: StationStore, hold_time: Callable[[datetime], None]
) -> None:
    """Left at ⑤ 核对 after the last change at ④, it reopened at ④ (③ when the last
    change was in the form): a move between steps was never written."""
    hold_time(FILLED)
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)  # the last change at ④ 材料
        await pilot.press("f8")
        await settle(pilot)
        await leave(pilot)
        screen = await reopen(pilot)
        assert step_shown(screen) == "step-review"
        assert "收件前核对" in flat_text(pilot)
        await pilot.press("f7", "f7")  # back to ③ 表单, nothing changed
        await settle(pilot)
        await leave(pilot)
        screen = await reopen(pilot)
        assert step_shown(screen) == "step-form"


async def test_opening_a_draft_keeps_its_time_and_a_change_moves_it(
    desk: Callable[..., DaibanApp], store: StationStore, hold_time: Callable[[datetime], None]
) -> None:
    """Opened at 09:30 and left as it was, the draft read 09:30 under 草稿 (the materials'
    rows gave their values as they were shown, and each was written as a change)."""
    hold_time(FILLED)
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill_allowance(pilot)
        await leave(pilot)
        assert f"11-2309:00{LINE}" in flat_text(pilot)

        hold_time(FILLED + timedelta(minutes=30))
        await reopen(pilot)
        await pilot.press("f7")  # a look at ③ 表单: the step is kept, not the time
        await settle(pilot)
        await leave(pilot)
        assert f"11-2309:00{LINE}" in flat_text(pilot)
        (draft,) = store.list_drafts()
        assert draft.updated_at == FILLED
        assert draft.data["step"] == 2

        hold_time(FILLED + timedelta(minutes=45))
        screen = await reopen(pilot)
        await pilot.press("f8")  # to ④ 材料: the bank card brought after all
        await settle(pilot)
        row = next(r for r in screen.query(MaterialRow) if r.spec.key == "bank_card")
        row.query_one("#state", Select).value = "provided"
        await settle(pilot)
        await leave(pilot)
        assert f"11-2309:45{LINE}" in flat_text(pilot)
    (draft,) = store.list_drafts()
    assert draft.updated_at == FILLED + timedelta(minutes=45)
    assert draft.data["materials"]["bank_card"] == "provided"
