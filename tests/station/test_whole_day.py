"""A village agent's whole day at the desk, in one flow, against the demo's real central.

Log in, take in two cases, sync, get one back for 补正 from the township, supplement
and resubmit it, see it accepted, forwarded and completed by the county, hand it over and rate it (好差评).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from daiban.commands.demo import (
    COUNTY,
    DEMO_USERS,
    DESK_VILLAGE,
    TOWNSHIP,
    _daiban,
    demo_accounts_for,
    demo_port,
    enroll_station,
    running_central,
    seed_accounts,
    set_up,
    set_up_central,
)
from station.app import make_app
from station.config import load_settings
from station.screens.case import CaseScreen
from station.screens.cases import CasesScreen
from station.screens.dialogs import HandOverDialog, RatingDialog, SupplementDialog
from station.screens.home import HomeScreen
from station.store import StationStore
from tests.station.cases_seed import station_agent, take_in
from tests.station.conftest import NOW, shipped_catalog
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_intake import choose_allowance, fill_allowance

RETURN_REASON = "户口簿复印件不清晰"


def at_township(base: Path, *args: str) -> Any:
    """Act as the township reviewer from its own station (as the demo tells a user to)."""
    return _daiban(*args, data=base / f"station-{TOWNSHIP[0]}", json_out=True)


def read_central_url(base: Path) -> str:
    """The demo central's address, as the township station was enrolled with it."""
    store = StationStore.open(base / f"station-{TOWNSHIP[0]}")
    try:
        return store.require_identity().central_url
    finally:
        store.close()


def at_county(base: Path, *args: str) -> Any:
    """Act as the county administrator from a county workstation, enrolled on first use."""
    data = base / f"station-{COUNTY[0]}"
    if not data.exists():
        data.mkdir(parents=True)
        enroll_station(base / "central", data, read_central_url(base), COUNTY[0])
        seed_accounts(data)
    return _daiban(*args, data=data, json_out=True)


async def sync_at_desk(pilot: Pilot[None]) -> None:
    """Press the home screen's sync key and wait for the sync and its refresh."""
    assert isinstance(pilot.app.screen, HomeScreen)
    await pilot.press("s")
    await settle(pilot)


async def open_case(pilot: Pilot[None], initials: str, case_number: str) -> None:
    """From home: the case list, search by pinyin initials, open the one case found."""
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CasesScreen)
    await pilot.press(*initials)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CaseScreen) and screen.key == case_number


async def back_home(pilot: Pilot[None]) -> None:
    """Escape from the case page and the case list to the home screen."""
    while not isinstance(pilot.app.screen, HomeScreen):
        await pilot.press("escape")
        await settle(pilot)


@pytest.mark.slow
async def test_a_whole_day_at_the_desk_against_a_real_central(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the township reviewer signs in for each command, as the demo tells a person to
    monkeypatch.setenv(
        "DAIBAN_PASSWORD", next(u.password for u in DEMO_USERS if u.username == "reviewer")
    )
    base = tmp_path / "demo"
    set_up_central(base / "central")
    with running_central(base / "central", demo_port(base)) as url:
        desk_dir = set_up(base, url)
        store = StationStore.open(desk_dir)
        try:
            app = make_app(
                load_settings(desk_dir),
                store=store,
                demo_accounts=demo_accounts_for(DESK_VILLAGE),
                clock=lambda: NOW,
                catalog=shipped_catalog(),
            )
            async with app.run_test(size=(80, 24)) as pilot:
                await walk_the_day(pilot, store, base)
            states = {c.case_number: c.state for c in store.list_cases()}
            (delivered,) = [n for n, state in states.items() if state == "delivered"]
            view = store.get_case(delivered)
            assert view is not None and view.rating == 5
            assert view.materials["bank_card"] == "provided"
            assert sorted(states.values()) == ["delivered", "submitted"]
            assert store.outbox_depth() == 0
        finally:
            store.close()


async def walk_the_day(pilot: Pilot[None], store: StationStore, base: Path) -> None:
    """The day, step by step, each step checked on screen and in the store."""
    await log_in(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)
    assert "中心：在线" in flat_text(pilot)

    # 收件 1 through the take-in screens, with the passbook copy deferred (容缺).
    await choose_allowance(pilot)
    await fill_allowance(pilot)
    await pilot.press("f9")
    await settle(pilot)
    assert "已收件" in flat_text(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HomeScreen)
    (first,) = store.list_cases()
    first_view = store.get_case(first.case_number)
    assert first_view is not None and first_view.state == "received"
    assert first_view.materials["bank_card"] == "deferred"
    # 收件 2 with the tests' seeding helper (the same CaseService the take-in screen calls):
    # driving the whole take-in flow twice adds time and no new screen.
    second = take_in(store, "李秀英", station_agent(store))
    assert store.outbox_depth() > 0

    # 同步 from the desk: both cases go up as submitted.
    await sync_at_desk(pilot)
    assert "中心：在线" in flat_text(pilot) and "待同步0" in flat_text(pilot)
    assert "待报送0" in flat_text(pilot)  # the home list read again: they went
    assert store.outbox_depth() == 0
    for number in (first.case_number, second.case_number):
        view = store.get_case(number)
        assert view is not None and view.state == "submitted"

    # The township pulls them and returns the first for correction (退回补正).
    at_township(base, "sync")
    shown = at_township(base, "case", "show", first.case_number)
    assert shown["state"] == "submitted"
    returned = at_township(
        base, "case", "return", first.case_number, "--reason", RETURN_REASON, "--as", "reviewer"
    )
    assert returned["state"] == "returned"
    at_township(base, "sync")

    # Sync at the desk: the 补正 and its reason are on the home screen.
    await sync_at_desk(pilot)
    text = flat_text(pilot)
    assert "补正1" in text and first.case_number in text and RETURN_REASON in text
    view = store.get_case(first.case_number)
    assert view is not None and view.state == "returned"

    # Supplement the deferred passbook copy and resubmit from the case page.
    await open_case(pilot, "mzf", first.case_number)
    assert RETURN_REASON in flat_text(pilot)
    await pilot.press("m")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SupplementDialog)
    await pilot.press("space", "enter")  # the 容缺 material, ticked as brought
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    assert "已报送" in flat_text(pilot)
    view = store.get_case(first.case_number)
    assert view is not None and view.state == "submitted"
    assert view.materials["bank_card"] == "provided"
    await back_home(pilot)
    await sync_at_desk(pilot)
    assert "待同步0" in flat_text(pilot) and "补正0" in flat_text(pilot)

    # The township accepts it (受理) and forwards it (转办): 高龄津贴 is the county's to decide
    # (the catalog's handling path), so the county completes it (办结).
    at_township(base, "sync")
    assert at_township(base, "case", "show", first.case_number)["state"] == "submitted"
    assert (
        at_township(base, "case", "accept", first.case_number, "--as", "reviewer")["state"]
        == "accepted"
    )
    forwarded = at_township(
        base, "case", "forward", first.case_number, "--to", "县民政局", "--as", "reviewer"
    )
    assert forwarded["state"] == "processing"
    at_township(base, "sync")
    at_county(base, "sync")
    done = at_county(base, "case", "complete", first.case_number, "--as", "admin")
    assert done["state"] == "completed"
    at_county(base, "sync")

    # Sync at the desk: the case waits to be handed over (待送达).
    await sync_at_desk(pilot)
    text = flat_text(pilot)
    assert "待送达1" in text and first.case_number in text
    view = store.get_case(first.case_number)
    assert view is not None and view.state == "completed"

    # Hand over (送达) and rate (好差评) at the desk.
    await open_case(pilot, "mzf", first.case_number)
    await pilot.press("h")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HandOverDialog)
    await pilot.press("enter")  # at the station, signed by the applicant (the defaults)
    await settle(pilot)
    await pilot.press("g")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RatingDialog)
    pilot.app.screen.query_one("#grade", Select).value = 5  # chosen: no level is preselected
    pilot.app.screen.query_one("#reason", Input).focus()
    await pilot.press("enter")  # 非常满意 needs no reason
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseScreen)
    view = store.get_case(first.case_number)
    assert view is not None and view.state == "delivered" and view.rating == 5
    assert "已送达" in flat_text(pilot)

    # The day ends with a sync: the township sees the case delivered.
    await back_home(pilot)
    assert store.outbox_depth() > 0
    await sync_at_desk(pilot)
    assert "待同步0" in flat_text(pilot) and "待送达0" in flat_text(pilot)
    at_township(base, "sync")
    assert at_township(base, "case", "show", first.case_number)["state"] == "delivered"
