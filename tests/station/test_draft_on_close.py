"""What was typed last is in the draft when the desk closes, even if its background write
never ran (a thread worker still queued when the app shut down is cancelled)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from station.app import DaibanApp
from station.screens.intake import IntakeScreen
from station.store import StationStore
from station.widgets.fields import FieldEditor
from tests.station.helpers import log_in, settle
from tests.station.test_fit import open_intake


@pytest.mark.parametrize("how", ["ctrl+q", "escape"])
async def test_the_last_keys_typed_are_kept_when_the_desk_closes_at_once(
    desk: Callable[..., DaibanApp], store: StationStore, how: str
) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await open_intake(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen)
        name = next(e for e in screen.query(FieldEditor) if e.path == "applicant.name")
        name.focus_input()
        await pilot.press(*"wang")
        await settle(pilot)
        assert store.list_drafts()[0].data["applicant"]["name"] == "wang"
        queued: list[int] = []

        def never_runs(revision: int, data: dict[str, Any]) -> None:
            queued.append(revision)  # the worker was cancelled before it started

        screen._write_draft = never_runs  # type: ignore[method-assign]
        await pilot.press(*"wu")
        await pilot.press(how)  # ctrl+q closes the desk, Esc goes home (the draft kept)
        await settle(pilot)
        assert queued  # the typing did ask for its writes
    drafts = store.list_drafts()
    assert [d.data["applicant"]["name"] for d in drafts] == ["wangwu"]


async def choose_old_age(pilot: Any) -> IntakeScreen:
    """n, then 高龄津贴 chosen (80 Enter Enter), nothing typed; its draft written."""
    await pilot.press("n")
    await settle(pilot)
    await pilot.press("8", "0", "enter", "enter")
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    screen = pilot.app.screen
    assert isinstance(screen, IntakeScreen) and screen.draft.item_code
    return screen


async def test_an_item_chosen_and_left_at_once_is_not_kept_as_a_draft(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """Home listed it under 草稿 as 未填申请人; once a name is typed the draft is kept."""
    from tests.station.helpers import flat_text

    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_old_age(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert not isinstance(pilot.app.screen, IntakeScreen)
        assert store.list_drafts() == []
        assert "未填申请人" not in flat_text(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert "还没有填写任何内容，没有保存草稿。" in notices
        screen = await choose_old_age(pilot)
        name = next(e for e in screen.query(FieldEditor) if e.path == "applicant.name")
        name.focus_input()
        await pilot.press(*"wang", "escape")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
    assert [d.data["applicant"]["name"] for d in store.list_drafts()] == ["wang"]


async def test_an_item_chosen_when_the_desk_closes_is_not_kept_either(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """Choosing the item wrote the draft; closing the desk then left 未填申请人 under 草稿."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_old_age(pilot)
        assert len(store.list_drafts()) == 1  # written when the item was chosen
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert store.list_drafts() == []
