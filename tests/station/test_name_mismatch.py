"""An ID number held here under another name (one of the two was typed wrong) is said
under the name as soon as both are typed, and asked about before the take-in."""

from __future__ import annotations

from collections.abc import Callable

from station.app import DaibanApp
from station.screens.dialogs import ConfirmDialog
from station.screens.intake import IntakeScreen
from station.services.cases import NAME_MISMATCH, name_warning
from station.store import StationStore
from tests.station.cases_seed import take_in
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import (
    ELDER_ID,
    choose_allowance,
    editor,
    fill,
    fill_allowance_rest,
)


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
    said = f"此身份证号在本站办件{first}中登记的姓名是“马占福”，不是“马占富”"
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await choose_allowance(pilot)
        await fill(pilot, "applicant.name", "马占富")
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IntakeScreen)
        name = editor(pilot, "applicant.name")
        # under the name as soon as both are typed, not only at the bottom of 核对
        assert said in flat_text(pilot) and not name.has_error
        await fill(pilot, "applicant.name", "马占福")
        await settle(pilot)
        assert said[:10] not in flat_text(pilot)  # the same name: nothing to say
        await fill(pilot, "applicant.name", "马占富")
        await fill_allowance_rest(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "重复申请" in flat_text(pilot)  # asked first: an open case of the item
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)  # then the name, before anything
        asked = flat_text(pilot).replace("█", "")
        assert said in asked and "姓名和身份证号都已核对无误，仍要收件吗" in asked
        await pilot.press("enter")  # a hurried Enter says no
        await settle(pilot)
        assert pilot.app.screen is screen and store.count_cases() == 1
        await pilot.press("f9")
        await settle(pilot)
        assert "姓名和身份证号都已核对无误" in flat_text(pilot)  # asked again, not the 重复申请
        await pilot.press("y")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
    assert store.count_cases() == 2
    assert sorted(c.applicant_name for c in store.list_cases(ELDER_ID[-4:])) == ["马占富", "马占福"]
