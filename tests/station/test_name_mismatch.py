"""An ID number held here under another name is said at take-in (one of the two was typed
wrong), as a warning that does not stop the take-in."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input

from station.app import DaibanApp
from station.screens.intake import IntakeScreen
from station.services.cases import NAME_MISMATCH, name_warning
from station.store import StationStore
from station.widgets.fields import FieldEditor
from tests.station.cases_seed import take_in
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import ELDER_ID


def test_the_same_name_written_another_way_is_no_mismatch(store: StationStore) -> None:
    number = take_in(store, "马占福").case_number
    assert name_warning(store, ELDER_ID, "马 占福") == []
    assert name_warning(store, "", "马占富") == [] and name_warning(store, ELDER_ID, "") == []
    (warning,) = name_warning(store, ELDER_ID, "马占富")
    assert warning.severity == "warning" and warning.rule == NAME_MISMATCH
    assert warning.field == "applicant.name"
    assert (
        number in warning.message
        and "马占福" in warning.message
        and ELDER_ID not in warning.message
    )


async def test_the_take_in_says_the_name_the_id_number_is_held_under(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    first = take_in(store, "马占福").case_number
    async with desk().run_test(size=(100, 40)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("8", "0", "enter", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen)
        editors = {e.path: e for e in screen.query(FieldEditor)}
        editors["applicant.name"].query_one(Input).value = "马占富"
        editors["applicant.id_number"].query_one(Input).value = ELDER_ID
        await settle(pilot)
        await screen.action_take_in()  # F9: to the check page, which says what is wrong
        await settle(pilot)
        text = flat_text(pilot)
        # under the name, where the cursor passed on its way to the first error (the name's
        # own check, as the cursor left it, wiped the warning)
        assert f"马占富此身份证号在本站办件{first}中登记的姓名是“马占福”，不是“马占富”" in text
        assert "⚠ 此身份证号在本站办件" in screen.query_one("#review-problems").render().plain
        assert not editors["applicant.name"].has_error  # a warning: the name may be right
