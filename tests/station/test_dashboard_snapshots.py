"""The county 看板 at 80×24 (normal and elder mode), and its keys, against an in-process
centre holding the county's November (``tests.central.dashboard_seed``).

The desk's line to the centre goes through the test client's transport, so the figures
are the centre's own and the picture does not depend on the machine's clock.
Review the SVGs (``pytest --snapshot-report``) before ``--snapshot-update``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session
from textual.pilot import Pilot
from textual.widgets import DataTable

from central.app import create_app
from central.models import Station
from central.services.accounts import create_user
from central.services.stations import enroll_code
from central.settings import CentralSettings
from forms.clock import set_source
from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.dashboard import DashboardScreen
from station.screens.dashboard_cases import DrillScreen
from station.services.auth import hash_password
from station.services.centre import CentreLine, CentreSession
from station.store import StationIdentity, StationStore
from sync.events import Role
from sync.protocol import API_PREFIX, AccountRecord, EnrollResponse, StationRole
from tests.central.conftest import StationClient, account_maker
from tests.central.dashboard_seed import ITEM_2, Seeded, Writer, seed_month
from tests.station.conftest import NOW, PASSWORD, shipped_catalog
from tests.station.helpers import OneAtATime, elder_on, flat_text, log_in, screen_text, settle

Snap = Callable[..., bool]
COUNTY = "640522000000"


@dataclass
class County:
    """The centre (in-process), its November, and a county workstation's store."""

    client: TestClient
    seeded: Seeded
    store: StationStore
    data_dir: Path
    line: CentreLine


def _enroll(client: TestClient, session: Session) -> Callable[..., StationClient]:
    def enroll(division: str, role: str = "village", name: str = "站") -> StationClient:
        code = enroll_code(session=session, division=division, name=name, role=role, ttl_minutes=60)
        answer = client.post(f"{API_PREFIX}/enroll", json={"code": code})
        assert answer.status_code == 200, answer.text
        credential = EnrollResponse.model_validate(answer.json())
        return StationClient(client, credential, account_maker(session))

    return enroll


def _workstation(data_dir: Path, credential: EnrollResponse) -> StationStore:
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id=credential.station_id,
            division=COUNTY,
            name="海原县政务服务中心",
            role=StationRole.county,
            central_url="http://127.0.0.1:9",  # the desk's own sync finds nobody: offline
            token=credential.token,
            signing_key="00" * 32,
        )
    )
    store.upsert_accounts(
        [
            AccountRecord(
                user_id="u-xu",
                username="xu",
                display_name="徐文",
                role=Role.admin,
                division=COUNTY,
                password_hash=hash_password(PASSWORD),
                updated_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        ]
    )
    return store


@pytest.fixture
def county(tmp_path: Path) -> Iterator[County]:
    set_source(lambda: NOW)
    settings = CentralSettings(
        data_dir=tmp_path / "central",
        db_url=f"sqlite:///{tmp_path / 'central.db'}",
        secret_key="test-secret-key-0123456789",
    )
    app = create_app(settings)
    client = TestClient(app)
    try:
        with Session(app.state.engine, expire_on_commit=False) as session:
            enroll = _enroll(client, session)
            seeded = seed_month(enroll)
            quiet = seeded.stations["c"].id
            session.connection().execute(
                update(Station).where(Station.id == quiet).values(last_seen=NOW - timedelta(days=5))  # type: ignore[arg-type]
            )
            workstation = enroll(COUNTY, "county", "海原县政务服务中心")
            create_user(
                session=session, username="xu", display_name="徐文", role="admin",
                division=COUNTY, password=PASSWORD,
            )  # fmt: skip
            session.commit()
        opened = client.post(
            f"{API_PREFIX}/auth/session",
            json={"username": "xu", "password": PASSWORD},
            headers=workstation.headers,
        ).json()
        store = _workstation(tmp_path / "county", workstation.credential)
        identity = store.identity()
        assert identity is not None
        person = CentreSession(
            opened["token"], datetime.fromisoformat(opened["expires_at"]), "xu", "admin"
        )
        line = CentreLine(identity, person, transport=OneAtATime(client._transport))
        yield County(client, seeded, store, tmp_path / "county", line)
        store.close()
    finally:
        set_source(None)
        app.state.engine.dispose()


def _app(county: County) -> DaibanApp:
    return make_app(
        load_settings(county.data_dir),
        store=county.store,
        clock=lambda: NOW,
        catalog=shipped_catalog(),
    )


async def _board(pilot: Pilot[None], county: County) -> None:
    await log_in(pilot, "xu")
    app = pilot.app
    assert isinstance(app, DaibanApp)
    app.desk.centre_line = county.line  # the person's line, through the in-process centre
    await app.push_screen(DashboardScreen(app.desk))
    await settle(pilot)


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_dashboard_snapshot(snap_compare: Snap, county: County, mode: str) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        if mode == "elder":
            await elder_on(pilot)
        await _board(pilot, county)

    assert snap_compare(_app(county), terminal_size=(80, 24), run_before=run_before)


def test_dashboard_chart_snapshot(snap_compare: Snap, county: County) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await _board(pilot, county)
        await pilot.press("g")
        await settle(pilot)

    assert snap_compare(_app(county), terminal_size=(80, 24), run_before=run_before)


async def test_periods_figures_and_a_township_cell_drill_down(county: County) -> None:
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        text = flat_text(pilot)
        assert "2026-11-01至2026-11-30（本月）" in text
        assert "66.7%" in text  # 2 of 3 ratings 满意 or better
        await pilot.press("l")  # 上月: October
        await settle(pilot)
        text = flat_text(pilot)
        assert "2026-10-01至2026-10-31（上月）" in text and "0.0%" in text
        await pilot.press("m")
        await settle(pilot)
        table = app.screen.query_one("#table-townships", DataTable)
        table.focus()
        table.cursor_coordinate = table.cursor_coordinate._replace(row=0, column=2)  # 海城镇's red
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        rows = app.screen.query_one(DataTable)
        numbers = {str(rows.get_row_at(r)[0]) for r in range(rows.row_count)}
        assert numbers == {county.seeded.numbers[county.seeded.cases["red_decision"]]}
        assert rows.get_row_at(0)[2] == "11-09 超期10个工作日"  # this year: no year
        assert rows.virtual_size.width <= rows.size.width  # all on screen at 80, wrapped


async def test_stalled_stations_are_listed_with_why(county: County) -> None:
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        await pilot.press("tab")  # from 收件 along the cards
        card = app.screen.query_one("#figure-stalled")
        card.focus()
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#table-stations", DataTable)
        assert table.has_focus
        assert str(table.get_row_at(0)[0]) == "李俊村站" and str(table.get_row_at(0)[2]) == "失联"


async def test_each_table_has_its_own_key_said_on_its_tab_and_in_f1(county: County) -> None:
    """The tables were reached only by Tab through the eight cards and then ← →, and
    nothing on the screen said so."""
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        assert "乡镇 t  村 v  事项 i  审核人 e  站点 s  图表 g" in screen_text(pilot)
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#table-stations", DataTable)
        assert table.has_focus and str(table.get_row_at(0)[0]) == "李俊村站"
        await pilot.press("v")  # straight to another table, the focus with it
        await settle(pilot)
        assert app.screen.query_one("#table-villages", DataTable).has_focus
        await pilot.press("f1")
        await settle(pilot)
        listed = screen_text(pilot)
        assert all(f"{key}  {name}" in listed for key, name in (("t", "乡镇"), ("e", "审核人")))


async def test_the_chart_takes_the_cards_room_and_gives_it_back(county: County) -> None:
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        figures = app.screen.query_one("#board-figures")
        await pilot.press("g")
        await settle(pilot)
        assert not figures.display and "各乡镇收件量" in flat_text(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert figures.display and app.screen.focused is app.screen.query_one("#figure-received")


async def test_the_board_reads_again_when_the_person_comes_back_to_it(county: County) -> None:
    """A case taken in (or decided) while the person was on another screen still counted as it
    was until r was pressed."""
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        before = str(app.screen.query_one("#figure-received").render())
        await pilot.press("enter")  # 收件's cases
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        Writer(county.seeded).case(
            "late", county.seeded.stations["a"], ITEM_2, NOW.date() - timedelta(days=1)
        )
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        after = str(app.screen.query_one("#figure-received").render())
        count = [int(n) for n in re.findall(r"\d+", before)][0]
        assert str(count + 1) in after and after != before, (before, after)


async def test_a_bcs_record_opened_from_the_board_opens_its_loop(county: County) -> None:
    """Enter on a 办不成事 record said it was not on this workstation yet and to sync (F5),
    which never helped: a record is no case. Then it said to go to 3（闭环）, and its state
    read 办不成事登记 whatever its 闭环's: it shows the 闭环's state and opens its item."""
    from station.screens.loops import LoopItemScreen

    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        app.screen.query_one("#figure-unresolved").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        rows = app.screen.query_one(DataTable)
        assert rows.row_count >= 1
        number = str(rows.get_row_at(0)[0])
        assert number.startswith("BCS-")
        assert str(rows.get_row_at(0)[1]).startswith("闭环")
        rows.focus()
        await pilot.press("enter")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert not any("同步" in n for n in said), said
        assert isinstance(app.screen, LoopItemScreen)
        assert number in flat_text(pilot)


async def test_closing_the_offline_message_does_not_bring_it_back(county: County) -> None:
    """The board read again each time it came back into view, a dialog closing too: offline,
    the message that the centre could not be reached came back at once after every Enter."""
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "xu")  # the county desk opens on its board; no line: offline
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack[1:]] == [
            "DashboardScreen",
            "MessageDialog",
        ]
        assert "没有连上县中心" in flat_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_a_bad_custom_date_keeps_the_box_open_and_a_good_one_reads_the_board(
    county: County,
) -> None:
    """c 自定义: 2026-13-01 closed the box, lost the text, and was called the wrong shape."""
    from textual.widgets import Input

    from station.screens.county_period import PeriodDialog

    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, PeriodDialog)
        last = dialog.query_one("#period-last", Input)
        assert last.value == "2026-11-30"  # the boxes start with the period shown
        last.value = "2026-13-01"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog and last.value == "2026-13-01"
        assert "结束日期：没有2026-13-01这一天" in flat_text(pilot)
        last.value = "2026-11-15"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert "2026-11-01至2026-11-15（自定义）" in flat_text(pilot)


def test_a_deadline_due_today_reads_as_the_review_queue_says_it() -> None:
    """After China's midnight the drill-down said 剩0个工作日 and the village's home 还剩 0 个
    工作日, which read as too late; the 审核台 says 今天到期, and so do they now."""
    from types import SimpleNamespace

    from station.screens.dashboard_cases import _row
    from station.services.dashboard import CaseLine
    from station.services.today import _due_text

    line = CaseLine(
        case_number="640522100202-20261206-0002",
        case_id="c",
        item_name="医保参保",
        village="武塬村",
        state="accepted",
        received_on="2026-12-06",
        deadline="2026-12-07",
        days_left=0,
        record=False,
    )
    assert _row(line, 2026, {})[2] == "12-07 今天到期"
    assert _row(replace(line, days_left=1), 2026, {})[2] == "12-07 剩1个工作日"
    due = SimpleNamespace(due_date=date(2026, 12, 7))
    assert _due_text(due, date(2026, 12, 7)) == "期限 2026-12-07，今天到期"
    assert _due_text(due, date(2026, 12, 4)) == "期限 2026-12-07，还剩 1 个工作日"


async def test_enter_on_a_township_s_name_lists_its_received_and_on_0s_says_so(
    county: County,
) -> None:
    """Enter on the row's name did nothing and said nothing (only ← → onto a number and
    Enter listed cases), though the footer says ⏎ 查看办件."""
    app = _app(county)
    async with app.run_test(size=(80, 24)) as pilot:
        await _board(pilot, county)
        await pilot.press("t")
        table = app.screen.query_one("#table-townships", DataTable)
        assert table.has_focus and table.cursor_coordinate.column == 0
        received = str(table.get_row_at(0)[1])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        assert app.screen.query_one(DataTable).row_count == int(received)
        assert "收件" in flat_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        board = app.screen
        board.keys["townships"] = {}  # type: ignore[attr-defined]  # as a row of 0s leaves it
        await pilot.press("t", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, DrillScreen)
        said = [str(n.message) for n in app._notifications]
        assert "这里没有可列出的办件：数字为 0。" in said
