"""A centre that takes the connection and never answers (a hung process, a half-open
line): the desk's read is not sent a second time, the person is told in Chinese, and the
status line stops saying 在线."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input, Static
from textual.worker import WorkerFailed

from station.app import DaibanApp
from station.screens.county_dialogs import NewAccountDialog
from station.screens.dialogs import MessageDialog
from station.services.centre import CentreError, CentreLine, CentreSession
from station.services.county_admin import CountyAdmin, DivisionChoice
from station.store import StationIdentity
from station.widgets.status import DeskStatus
from sync.protocol import StationRole
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_county_completes import COUNTY, county_desk, county_station

VILLAGE = DivisionChoice("640522100201", "village", "山门村")
QUICK = httpx.Timeout(0.5, connect=0.5)
"""The desk's waits, short for the test (``DESK_TIMEOUT`` is 20 s for the answer)."""


class HungCentre:
    """A listening socket nobody reads: the kernel takes each connection (and the request
    bytes), no answer ever comes."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self._held: list[socket.socket] = []

    def connections(self) -> int:
        """The connections made to it so far (taken from the backlog, and held open)."""
        self.socket.setblocking(False)
        while True:
            try:
                self._held.append(self.socket.accept()[0])
            except BlockingIOError:
                return len(self._held)

    def close(self) -> None:
        for held in self._held:
            held.close()
        self.socket.close()


@pytest.fixture
def hung() -> Iterator[HungCentre]:
    centre = HungCentre()
    yield centre
    centre.close()


def _line(url: str) -> CentreLine:
    identity = StationIdentity(
        station_id="st-test-county",
        division=COUNTY,
        name="海原县政务服务中心",
        role=StationRole.county,
        central_url=url,
        token="t",
        signing_key="00" * 32,
    )
    person = CentreSession("person-token", datetime(2027, 1, 1, tzinfo=UTC), "zhaojun", "admin")
    return CentreLine(identity, person, timeout=QUICK)


def test_a_read_the_centre_took_and_never_answered_is_not_sent_again(hung: HungCentre) -> None:
    with pytest.raises(CentreError) as raised:
        _line(hung.url).get("/dashboard")

    assert raised.value.silent
    assert (
        raised.value.message
        == "县中心没有及时回应（可能正忙，或网络断了）。什么都没有改动，请稍后再试。"
    )
    assert hung.connections() == 1  # one wait, not two


def test_an_act_without_an_answer_may_have_been_done_and_is_not_sent_again(
    hung: HungCentre,
) -> None:
    with pytest.raises(CentreError) as raised:
        _line(hung.url).post("/admin/accounts", {"username": "niu"})

    assert raised.value.silent
    assert "可能已经办成" in raised.value.message
    assert hung.connections() == 1


async def test_the_board_that_got_no_answer_says_so_and_the_status_line_says_offline(
    tmp_path: Path, hung: HungCentre
) -> None:
    store = county_station(tmp_path / "county")
    try:
        app = county_desk(store, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "zhaojun")  # offline at sign-in: the board says it has no line
            assert isinstance(pilot.app, DaibanApp)
            while isinstance(pilot.app.screen, MessageDialog):
                await pilot.press("enter")
                await settle(pilot)
            desk = pilot.app.desk
            desk.centre_line = _line(hung.url)  # the line opened, then the centre hung
            pilot.app._show_sync_state(replace(desk.sync_state, reachable=True))
            await settle(pilot)
            assert "中心：在线" in flat_text(pilot)

            await pilot.press("r")  # 刷新: read the board again
            reading = next(w for w in pilot.app.workers if w.group == "dashboard")
            with pytest.raises(WorkerFailed):  # after the one wait for an answer
                await reading.wait()
            await settle(pilot)

            assert isinstance(pilot.app.screen, MessageDialog)
            assert "县中心没有及时回应" in flat_text(pilot)
            await pilot.press("enter")
            await settle(pilot)
            status = pilot.app.screen.query_one(DeskStatus)
            assert not status.state.reachable
            assert "中心：离线" in flat_text(pilot)
            assert hung.connections() == 1
    finally:
        store.close()


async def test_an_account_the_centre_never_answered_keeps_the_form_and_says_offline(
    tmp_path: Path, hung: HungCentre
) -> None:
    """The new-account dialog said the centre's words in red and kept the form, but the
    header went on saying 在线 after the centre fell silent."""
    store = county_station(tmp_path / "county")
    try:
        app = county_desk(store, tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "zhaojun")
            assert isinstance(pilot.app, DaibanApp)
            while isinstance(pilot.app.screen, MessageDialog):
                await pilot.press("enter")
                await settle(pilot)
            desk = pilot.app.desk
            desk.centre_line = _line(hung.url)
            pilot.app._show_sync_state(replace(desk.sync_state, reachable=True))
            admin = CountyAdmin(desk)
            admin._names = {VILLAGE.code: VILLAGE.name}  # the division table, read before

            def create(fields: dict[str, str]) -> object:
                return admin.create_account(**fields)

            dialog = NewAccountDialog([VILLAGE], create)
            await pilot.app.push_screen(dialog)
            typed = {"name": "马丽", "id": "640522199001011234", "username": "mali"}
            for key, value in {**typed, "password": "secret-2026"}.items():
                dialog.query_one(f"#account-{key}", Input).value = value
            dialog.query_one("#division-search", Input).value = "山门"
            await pilot.pause()
            dialog.query_one("#account-password", Input).focus()
            await pilot.press("enter")
            await settle(pilot)

            assert pilot.app.screen is dialog
            said = str(dialog.query_one("#account-message", Static).render())
            assert "县中心没有及时回应" in said and "可能已经办成" in said
            assert {k: dialog.query_one(f"#account-{k}", Input).value for k in typed} == typed
            assert not desk.sync_state.reachable
            assert all(
                not status.state.reachable
                for screen in pilot.app.screen_stack
                for status in screen.query(DeskStatus)
            )
            assert hung.connections() == 1
    finally:
        store.close()
