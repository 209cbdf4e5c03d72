"""The county desk decides what the catalog has the county decide: a case forwarded to a
county department is completed (办结) from the county's 办件, as the signed-in person."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.widgets import Select

from forms.catalog.model import Division
from forms.clock import set_source
from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.cases import CasesScreen
from station.screens.decisions import CompleteDialog
from station.screens.review import ReviewScreen
from station.services.auth import hash_password
from station.services.queries import _places
from station.store import StationIdentity, StationStore
from sync.events import EventKind, Role
from sync.protocol import AccountRecord, StationRole
from tests.station.cases_seed import take_in, township
from tests.station.conftest import NOW, PASSWORD, shipped_catalog
from tests.station.helpers import flat_text, log_in, screen_text, settle

COUNTY = "640522000000"
ADMIN_ID = "u-zj"


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[None]:
    set_source(lambda: NOW)
    yield
    set_source(None)


def county_station(data_dir: Path) -> StationStore:
    """The county's workstation with its administrator 赵军 cached."""
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id="st-test-county",
            division=COUNTY,
            name="海原县政务服务中心",
            role=StationRole.county,
            central_url="http://127.0.0.1:9",
            token="t",
            signing_key="00" * 32,
        )
    )
    account = AccountRecord(
        user_id=ADMIN_ID,
        username="zhaojun",
        display_name="赵军",
        role=Role.admin,
        division=COUNTY,
        password_hash=hash_password(PASSWORD),
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    store.upsert_accounts([account])
    return store


def county_desk(store: StationStore, tmp_path: Path) -> DaibanApp:
    """The county's desk on ``store`` (offline: no centre answers)."""
    return make_app(
        load_settings(tmp_path / "county"), store=store, clock=lambda: NOW,
        catalog=shipped_catalog(),
    )  # fmt: skip


async def test_the_county_completes_a_case_forwarded_to_its_department(tmp_path: Path) -> None:
    store = county_station(tmp_path / "county")
    try:
        number = take_in(store).case_number  # 高龄津贴: the county (县民政局) decides
        forwarded = {"to": "县民政局", "target": "department", "level": "county"}
        township(store, number, (EventKind.accepted, {}), (EventKind.forwarded, forwarded))
        app = make_app(
            load_settings(tmp_path / "county"),
            store=store,
            clock=lambda: NOW,
            catalog=shipped_catalog(),
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "zhaojun")
            assert isinstance(pilot.app, DaibanApp)
            pilot.app.push_screen(CasesScreen(pilot.app.desk, county_section=1))
            await settle(pilot)
            await pilot.press("enter")  # the county's list opens on its rows: open the case
            await settle(pilot)
            assert isinstance(pilot.app.screen, ReviewScreen)
            assert "办结" in flat_text(pilot)  # offered in the footer
            await pilot.press("d")
            await settle(pilot)
            dialog = pilot.app.screen
            assert isinstance(dialog, CompleteDialog)
            assert "容缺材料尚未补交：社会保障卡或存折复印件" in flat_text(pilot)
            result = dialog.query_one("#result", Select)
            assert result.value == "approved_deferred"  # 容缺通过 first while one is owed
            result.value = "approved"
            await pilot.press("f9")
            await settle(pilot)
            assert pilot.app.screen is dialog  # 通过 is refused, in the dialog, kept open
            assert "容缺材料尚未补齐：社会保障卡或存折复印件" in flat_text(pilot)
            result.value = "approved_deferred"
            await pilot.press("f9")
            await settle(pilot)
        view = store.get_case(number)
        assert view is not None
        entry = view.history[-1]
        assert (view.state, entry.kind, entry.actor_id) == (
            "completed",
            EventKind.completed,
            ADMIN_ID,
        )
    finally:
        store.close()


def test_a_case_owing_a_deferred_material_is_completed_only_as_approved_deferred(
    tmp_path: Path,
) -> None:
    """On main 通过 was taken while the 容缺 passbook copy was still owed."""
    from station.services.cases import ActionRefused, Actor, CaseService

    store = county_station(tmp_path / "county")
    try:
        number = take_in(store).case_number  # 高龄津贴, the passbook copy 容缺
        forwarded = {"to": "县民政局", "target": "department", "level": "county"}
        township(store, number, (EventKind.accepted, {}), (EventKind.forwarded, forwarded))
        county = CaseService(store, shipped_catalog(), Actor(ADMIN_ID, Role.admin, "赵军"))
        with pytest.raises(ActionRefused) as refused:
            county.complete(number, "approved")
        assert refused.value.message == (
            "容缺材料尚未补齐：社会保障卡或存折复印件。群众补交后由收件的服务站登记；现在办结请选择“容缺通过”。"
        )
        assert store.get_case(number).state == "processing"  # type: ignore[union-attr]
        desk = CaseService(store, shipped_catalog(), Actor("u-agent", Role.agent, "马丽"))
        desk.supplement(number, {"bank_card": "provided"})  # 补交 while the county decides
        with pytest.raises(ActionRefused) as refused:
            county.complete(number, "approved_deferred")
        assert refused.value.message == "本件没有待补交的容缺材料，请以“通过”办结。"
        assert county.complete(number, "approved").state == "completed"
    finally:
        store.close()


def test_a_material_owed_after_approved_deferred_is_recorded_when_it_comes(
    tmp_path: Path,
) -> None:
    """On main, once a case was completed 容缺通过 the agent could never record the owed
    material: 补充材料 was not offered and its 尚待补交 line stayed for good."""
    from station.services.cases import Actor, CaseService

    store = county_station(tmp_path / "county")
    try:
        number = take_in(store).case_number
        forwarded = {"to": "县民政局", "target": "department", "level": "county"}
        township(store, number, (EventKind.accepted, {}), (EventKind.forwarded, forwarded))
        county = CaseService(store, shipped_catalog(), Actor(ADMIN_ID, Role.admin, "赵军"))
        assert county.complete(number, "approved_deferred").materials["bank_card"] == "deferred"
        desk = CaseService(store, shipped_catalog(), Actor("u-agent", Role.agent, "马丽"))
        view = desk.supplement(number, {"bank_card": "provided"})
        assert (view.state, view.materials["bank_card"]) == ("completed", "provided")
        desk.hand_over(number, how="当面送达", signed_by="本人")
        assert desk.store.get_case(number).state == "delivered"  # type: ignore[union-attr]
    finally:
        store.close()


async def test_a_bcs_number_searched_at_the_county_points_to_its_loops(tmp_path: Path) -> None:
    """The hint named U (办不成事), a key the county desk does not have: it follows the records
    up as 闭环 items."""
    from textual.widgets import Input

    store = county_station(tmp_path / "county")
    try:
        async with county_desk(store, tmp_path).run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "zhaojun")
            assert isinstance(pilot.app, DaibanApp)
            pilot.app.push_screen(CasesScreen(pilot.app.desk, county_section=1))
            await settle(pilot)
            pilot.app.screen.query_one("#cases-search", Input).value = "BCS-640522"
            await settle(pilot)
            text = flat_text(pilot)
            assert "县级在3（闭环）中跟进" in text and "按U" not in text
    finally:
        store.close()


async def test_the_palette_finds_a_county_section_by_its_name(tmp_path: Path) -> None:
    """Ctrl+P then 对账 (or dz) said no command matched: with the palette open the sections
    were taken for keys a dialog blocks."""
    store = county_station(tmp_path / "county")
    try:
        async with county_desk(store, tmp_path).run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "zhaojun")
            await settle(pilot)
            while type(pilot.app.screen).__name__ == "MessageDialog":  # offline: the board
                await pilot.press("enter")  # could not be read, and says so
                await settle(pilot)
            await pilot.press("ctrl+p")
            await settle(pilot)
            await pilot.press("d", "z")  # 对账: dui zhang
            await settle(pilot)
            found = flat_text(pilot)
            assert "对账" in found and "按键：7" in found and "没有相符" not in found
            await pilot.press("enter")
            await settle(pilot)
            shown = [type(s).__name__ for s in pilot.app.screen_stack]
            assert "ReconcileAdminScreen" in shown, shown  # (offline: its own message on top)
    finally:
        store.close()


def test_who_issued_or_published_is_named_as_a_person(tmp_path: Path) -> None:
    """目录 and the codes said 发布人 admin and 发码人 admin where every other screen and the
    Excel headers said 赵军."""
    from types import SimpleNamespace

    from station.services.county_admin import person_name

    store = county_station(tmp_path / "county")
    try:
        desk: Any = SimpleNamespace(store=store)
        assert person_name(desk, "zhaojun") == "赵军"
        assert person_name(desk, "someone-else") == "someone-else"  # not cached: as it is
        assert person_name(desk, "") == ""
    finally:
        store.close()


def test_the_county_names_a_village_with_its_township_only_where_another_bears_its_name() -> None:
    """Two townships may each have a 新庄村: then the township says which; a name the
    county holds once is enough (with its township the column did not fit 80 columns)."""
    catalog = shipped_catalog()
    shanmen = catalog.division_entry("640522100201")
    assert shanmen is not None
    twin = Division(code="640522101201", level="village", name=shanmen.name)
    liwang = Division(code="640522101000", level="township", name="李旺镇")
    twins = catalog.model_copy(update={"divisions": [*catalog.divisions, twin, liwang]})
    codes = {"640522100201", "640522100202", twin.code, COUNTY}
    county = SimpleNamespace(role=Role.admin, catalog=lambda: twins)
    assert _places(county, codes) == {  # type: ignore[arg-type]
        "640522100201": "山门村·海城镇",
        twin.code: "山门村·李旺镇",
        "640522100202": "武塬村",
        COUNTY: "海原县",  # its own cases: named once
    }
    town = SimpleNamespace(role=Role.reviewer, catalog=lambda: twins)  # its own villages
    assert _places(town, {"640522100201"}) == {"640522100201": "山门村"}  # type: ignore[arg-type]


async def test_the_county_list_shows_the_village_whole_at_80_columns(tmp_path: Path) -> None:
    """The 村 column read 山门村· (cut) beside a due date written with its year."""
    store = county_station(tmp_path / "county")
    try:
        number = take_in(store).case_number
        township(store, number, (EventKind.accepted, {}))
        async with county_desk(store, tmp_path).run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "zhaojun")
            pilot.app.push_screen(CasesScreen(pilot.app.desk, county_section=1))  # type: ignore[attr-defined]
            await settle(pilot)
            (row,) = [line for line in screen_text(pilot).splitlines() if number in line]
            assert re.search(r" \d{2}-\d{2} ", row) and f"{NOW.year}-" not in row  # 期限
            assert row.rstrip().endswith("高龄津贴  海原县")  # whole, and named once
        desk = pilot.app.desk  # type: ignore[attr-defined]
        villages = {"640522100201", "640522100202"}
        assert _places(desk, villages) == {"640522100201": "山门村", "640522100202": "武塬村"}
    finally:
        store.close()
