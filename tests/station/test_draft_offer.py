"""At sign-in a kept take-in is offered back; with several, the question says how many
and where the others are (the agent answers for the newest, the rest head 今日)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from station.app import DaibanApp
from station.store import StationStore
from tests.station.helpers import flat_text, log_in, settle

MORNING = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
"""09:00 in Beijing."""


def _drafts(store: StationStore, hold_time: Callable[[datetime], None], names: list[str]) -> None:
    """Drafts saved a minute apart, the last of ``names`` the newest."""
    for minute, name in enumerate(names):
        hold_time(MORNING + timedelta(minutes=minute))
        store.save_draft(f"draft-{minute}", {"applicant": {"name": name}, "item_name": "高龄津贴"})


async def test_one_kept_draft_is_offered_by_its_name(
    desk: Callable[..., DaibanApp], store: StationStore, hold_time: Callable[[datetime], None]
) -> None:
    _drafts(store, hold_time, ["田桂英"])
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "有一份未完成的收件草稿：12-0209:00田桂英" in text
        assert "份未完成的收件草稿，最近的一份" not in text


async def test_several_kept_drafts_say_how_many_and_where_the_others_are(
    desk: Callable[..., DaibanApp], store: StationStore, hold_time: Callable[[datetime], None]
) -> None:
    _drafts(store, hold_time, ["田桂英", "马秀兰", "杨正福"])
    async with desk().run_test(size=(100, 30)) as pilot:
        await log_in(pilot)
        text = flat_text(pilot)
        assert "有3份未完成的收件草稿，最近的一份：12-0209:02杨正福" in text
        assert "其余的在「今日」最上面" in text
        await pilot.press("n")  # not now: every draft is still there, newest first
        await settle(pilot)
        text = flat_text(pilot)
        assert "未完成的收件草稿" not in text
        assert text.index("杨正福") < text.index("马秀兰") < text.index("田桂英")
