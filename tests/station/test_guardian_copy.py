"""监护人代办 for an item whose form asks for the guardian too (残疾人证): the guardian's
name and phone, typed once as the one who files, fill the form's 监护人 fields."""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import Input, Select

from station.app import DaibanApp
from station.screens.intake import IntakeScreen
from station.widgets.fields import FieldEditor
from tests.station.helpers import log_in, settle


async def test_the_guardian_is_typed_once(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(100, 40)) as pilot:
        await log_in(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"残疾人证", "enter", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen)
        assert screen.item is not None and screen.item.code == "640522-CL-003"

        def editor(path: str) -> Input:
            found = next(e for e in screen.query(FieldEditor) if e.path == path)
            return found.query_one(Input)

        editor("principal.name").value = "马建国"  # typed before the relation was chosen
        await settle(pilot)
        assert editor("fields.guardian_name").value == ""  # a relative's name is not copied
        screen.query_one("#relation", Select).value = "guardian"
        await settle(pilot)
        assert editor("fields.guardian_name").value == "马建国"
        editor("principal.phone").value = "13895401122"
        editor("principal.name").value = "马建军"  # corrected: the copy follows
        await settle(pilot)
        assert editor("fields.guardian_name").value == "马建军"
        assert editor("fields.guardian_phone").value == "13895401122"
        assert screen.draft.fields["guardian_name"] == "马建军"  # in the draft, saved
        editor("fields.guardian_phone").value = "09554012345"  # typed by hand: kept
        await settle(pilot)
        editor("principal.phone").value = "13895401123"
        await settle(pilot)
        assert editor("fields.guardian_phone").value == "09554012345"
