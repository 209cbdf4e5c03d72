"""The focused button of a dialog is plain to see: Textual only reversed its label's
letters, and a reviewer could not tell which of two blue buttons Enter would press."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.color import Color
from textual.widgets import Button, Input

from station.app import DaibanApp
from station.screens.decisions import PauseDialog
from station.screens.dialogs import ConfirmDialog
from station.store import StationStore
from sync.events import EventKind
from tests.station.cases_seed import take_in, township
from tests.station.helpers import log_in, settle
from tests.station.review_helpers import open_review, township_app
from tests.station.test_review import fixed_clock as fixed_clock  # noqa: F401 - autouse
from tests.station.test_review import station as station  # noqa: F401 - the fixture


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


async def test_the_box_the_keys_go_to_stands_out_and_follows_tab(
    station: StationStore,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    """暂停: the focused box's olive beside the other's dark teal was missed, and a reason
    was typed into 预计天数 (a trial). The box with the cursor is amber, as the button is."""
    number = township(station, take_in(station).case_number, (EventKind.accepted, {})).case_number
    async with township_app(station, tmp_path / "township").run_test(size=(80, 24)) as pilot:
        await open_review(pilot, number)
        await pilot.press("z")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PauseDialog)
        marked = Color.parse(pilot.app.theme_variables["warning"])
        reason, days = dialog.query_one("#reason", Input), dialog.query_one("#days", Input)
        assert pilot.app.focused is reason
        assert reason.styles.background == marked and days.styles.background != marked
        await pilot.press("tab")
        await pilot.pause()
        assert pilot.app.focused is days
        assert days.styles.background == marked and reason.styles.background != marked
