"""At 80×24 every key label of the footer is whole and no button hides under the nav bar."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Select
from textual.widgets._footer import FooterKey

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.store import StationStore
from tests.station.cases_seed import take_in
from tests.station.helpers import log_in, settle

WIDTH, HEIGHT = 80, 24


def clipped_keys(pilot: Pilot[None]) -> list[str]:
    """Footer keys that do not fit whole on the screen (cut at the right edge, or squeezed)."""
    bad = []
    for key in pilot.app.screen.query(FooterKey):
        label = f"{key.key_display} {key.description}"
        region = key.region
        if (
            region.width == 0
            or region.right > WIDTH
            or key.size.width < key.get_content_width(key.size, key.size)
        ):
            bad.append(label)
    return bad


async def open_intake(pilot: Pilot[None], step_keys: tuple[str, ...] = ()) -> None:
    await pilot.press("n")
    await settle(pilot)
    await pilot.press("8", "0", "enter", "enter")
    await settle(pilot)
    pilot.app.screen.query_one("#relation", Select).value = "relative"
    await settle(pilot)
    for key in step_keys:
        await pilot.press(key)
        await settle(pilot)


@pytest.mark.parametrize("elder", [False, True])
@pytest.mark.parametrize(
    "where", ["home", "cases", "case", "applicant", "form", "materials", "review", "unresolved"]
)
async def test_every_footer_key_fits_at_80x24(
    desk: Callable[..., DaibanApp], store: StationStore, where: str, elder: bool
) -> None:
    case = take_in(store)
    async with desk().run_test(size=(WIDTH, HEIGHT)) as pilot:
        await log_in(pilot)
        if elder:
            await pilot.press("f2")
        if where == "cases":
            await pilot.press("l")
        elif where == "case":
            pilot.app.push_screen(CaseScreen(pilot.app.desk, case.case_number))
        elif where == "unresolved":
            await pilot.press("u")
        elif where != "home":
            steps = {"applicant": (), "form": ("f8",), "materials": ("f8", "f8")}
            await open_intake(pilot, steps.get(where, ("f8", "f8", "f8")))
        await settle(pilot)
        assert pilot.app.screen.query(FooterKey), "no footer keys found"
        assert clipped_keys(pilot) == []


async def test_the_authorization_button_is_whole_above_the_nav_bar(
    desk: Callable[..., DaibanApp],
) -> None:
    async with desk().run_test(size=(WIDTH, HEIGHT)) as pilot:
        await log_in(pilot)
        await open_intake(pilot)
        button = pilot.app.screen.query_one("#authorization", Button)
        button.focus()
        await settle(pilot)
        nav = pilot.app.screen.query_one("#intake-nav")
        assert button.region.height > 0
        assert button.region.bottom <= nav.region.y, (button.region, nav.region)


@pytest.mark.parametrize("elder", [False, True])
async def test_the_principal_fields_come_into_view_when_typed_in(
    desk: Callable[..., DaibanApp], elder: bool
) -> None:
    from station.widgets.fields import FieldEditor

    async with desk().run_test(size=(WIDTH, HEIGHT)) as pilot:
        await log_in(pilot)
        if elder:
            await pilot.press("f2")
        await open_intake(pilot)
        nav = pilot.app.screen.query_one("#intake-nav")
        for path in ("principal.name", "principal.phone"):
            editor = next(e for e in pilot.app.screen.query(FieldEditor) if e.path == path)
            editor.focus_input()
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            field = editor.query_one("Input")
            visible = field.region  # on screen: not clipped away, above the nav bar
            assert visible.height > 0 and visible.bottom <= nav.region.y, (path, visible)
        button = pilot.app.screen.query_one("#authorization", Button)
        button.focus()
        await settle(pilot)
        assert 0 < button.region.height and button.region.bottom <= nav.region.y


async def test_ctrl_d_discards_from_a_text_field_and_home_forgets_the_draft(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    from station.screens.home import HomeScreen
    from station.widgets.fields import FieldEditor
    from tests.station.helpers import flat_text

    async with desk().run_test(size=(WIDTH, HEIGHT)) as pilot:
        await log_in(pilot)
        await open_intake(pilot)
        name = next(e for e in pilot.app.screen.query(FieldEditor) if e.path == "applicant.name")
        name.focus_input()
        await pilot.press("m", "a")
        await settle(pilot)
        assert len(store.list_drafts()) == 1
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert "删除这份草稿吗" in flat_text(pilot)
        await pilot.press("enter")  # a hurried Enter keeps the draft: 否 has the focus
        await settle(pilot)
        assert "删除这份草稿吗" not in flat_text(pilot) and len(store.list_drafts()) == 1
        await pilot.press("ctrl+d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HomeScreen)
        assert "草稿(0)" in flat_text(pilot).replace("（", "(").replace("）", ")")  # none listed
    assert store.list_drafts() == []


async def test_f9_in_elder_mode_scrolls_to_the_first_error(desk: Callable[..., DaibanApp]) -> None:
    from station.widgets.fields import FieldEditor
    from tests.station.test_intake import ELDER_ID, fill

    async with desk().run_test(size=(WIDTH, HEIGHT)) as pilot:
        await log_in(pilot)
        await pilot.press("f2")
        await open_intake(pilot)
        await fill(pilot, "applicant.name", "马占福")
        await fill(pilot, "applicant.id_number", ELDER_ID)
        await fill(pilot, "applicant.phone", "13895401122")
        await fill(pilot, "principal.name", "马小军")
        await pilot.press("f9")
        await settle(pilot)
        first = next(
            e for e in pilot.app.screen.query(FieldEditor) if e.path == "principal.id_number"
        )
        field = first.query_one("Input")
        nav = pilot.app.screen.query_one("#intake-nav")
        assert pilot.app.screen.focused is field
        assert field.region.height > 0 and field.region.bottom <= nav.region.y, field.region


async def test_who_comes_to_file_is_chosen_by_typing_its_pinyin(
    desk: Callable[..., DaibanApp],
) -> None:
    # 由谁来办理 and 户籍所在乡镇 were Textual's Select: a typed key did nothing
    from station.widgets.dropdown import Dropdown

    async with desk().run_test(size=(WIDTH, HEIGHT)) as pilot:
        await log_in(pilot)
        await open_intake(pilot)
        relation = pilot.app.screen.query_one("#relation", Dropdown)
        assert isinstance(pilot.app.screen.query_one("#residence"), Dropdown)
        relation.focus()
        await pilot.press("s", "t", "enter")  # 受托人: shou tuo ren
        await settle(pilot)
        assert relation.value == "agent"
