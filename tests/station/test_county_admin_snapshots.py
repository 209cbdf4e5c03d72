"""Snapshots of the county desk's 服务站 and 账号 screens at 80×24.

The centre is a real one, in process (its app behind an httpx transport, on a SQLite
file), so the rows are what the admin API answers; a fixed, stepping clock makes the
times and the order of PCs enrolled one after the other stable.
Review the SVGs (``pytest --snapshot-report``) before ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from textual.pilot import Pilot
from textual.widgets import DataTable

from central.app import create_app
from central.services.accounts import create_user
from central.services.stations import enroll_code, revoke_station
from central.settings import CentralSettings
from forms.clock import set_source
from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.accounts_admin import AccountsScreen
from station.screens.stations_admin import StationsScreen
from station.services.auth import hash_password
from station.services.centre import open_line
from station.store import StationIdentity, StationStore
from sync.events import Role
from sync.protocol import API_PREFIX, AccountRecord, EnrollResponse, StationRole
from tests.station.conftest import NOW, PASSWORD, shipped_catalog
from tests.station.helpers import OneAtATime, log_in, settle

Snap = Callable[..., bool]
COUNTY = "640522000000"
SECRET = "test-secret-key-0123456789"


@dataclass
class County:
    """An in-process centre with stations and accounts, and the county desk's store."""

    client: TestClient
    store: StationStore
    identity: StationIdentity


class SteppingClock:
    """NOW, one minute later at every :meth:`step` (PCs enrolled one after the other)."""

    def __init__(self) -> None:
        self.now = NOW.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def step(self) -> None:
        self.now += timedelta(minutes=1)


def _enroll(
    client: TestClient, session: Session, division: str, name: str, role: str
) -> EnrollResponse:
    code = enroll_code(session=session, division=division, name=name, role=role)
    answer = client.post(f"{API_PREFIX}/enroll", json={"code": code})
    assert answer.status_code == 200, answer.text
    return EnrollResponse.model_validate(answer.json())


def _hello(client: TestClient, station: EnrollResponse, outbox: int, cases: int) -> None:
    body = {
        "software_version": "0.9.1",
        "schema_version": 1,
        "outbox_depth": outbox,
        "oldest_unsent": (NOW - timedelta(days=2)).isoformat() if outbox else None,
        "catalog_version": "2026.11.1",
        "cases_held": cases,
    }
    headers = {"Authorization": f"Bearer {station.token}"}
    assert client.post(f"{API_PREFIX}/hello", json=body, headers=headers).status_code == 200


ACCOUNTS = (
    ("zhaojun", "赵军", "admin", COUNTY, "640522197511110049"),
    ("mali", "马丽", "agent", "640522100201", "640522198001010018"),
    ("liqiang", "李强", "agent", "640522100202", "640522198505050021"),
    ("wangfang", "王芳", "reviewer", "640522100000", "640522199009090037"),
)


def _people(session: Session) -> None:
    for username, name, role, division, number in ACCOUNTS:
        create_user(
            session=session, username=username, display_name=name, role=role,
            division=division, password=PASSWORD, id_number=number, secret_key=SECRET,
        )  # fmt: skip
    create_user(
        session=session,
        username="old-agent",
        display_name="张旧",
        role="agent",
        division="640522100201",
        password=PASSWORD,
    )  # fmt: skip  (an account from before ID numbers: no masked number)


@pytest.fixture
def county(tmp_path: Path) -> Iterator[County]:
    clock = SteppingClock()
    set_source(clock)
    settings = CentralSettings(
        data_dir=tmp_path / "central", db_url=f"sqlite:///{tmp_path / 'central.db'}",
        secret_key=SECRET,
    )  # fmt: skip
    api = create_app(settings)
    with TestClient(api) as client, Session(api.state.engine, expire_on_commit=False) as session:
        desk_station = _enroll(client, session, COUNTY, "海原县政务服务中心", "county")
        clock.step()
        township = _enroll(client, session, "640522100000", "海城镇便民服务中心", "township")
        _hello(client, township, 0, 12)
        clock.step()
        dead = _enroll(client, session, "640522100201", "山门村旧电脑", "village")
        _hello(client, dead, 3, 40)
        clock.step()
        revoke_station(session=session, station_id=dead.station_id)
        clock.step()
        shanmen = _enroll(client, session, "640522100201", "海城镇山门村便民服务站", "village")
        _hello(client, shanmen, 0, 41)
        clock.step()
        _enroll(client, session, "640522100202", "海城镇武塬村便民服务站", "village")
        clock.step()
        _people(session)
        identity = StationIdentity(
            station_id=desk_station.station_id, division=COUNTY, name=desk_station.name,
            role=StationRole.county, central_url="http://127.0.0.1:9",
            token=desk_station.token, signing_key=desk_station.signing_key,
        )  # fmt: skip
        store = StationStore.open(tmp_path / "desk")
        store.save_identity(identity)
        store.upsert_accounts(
            [
                AccountRecord(
                    user_id="u-zhaojun", username="zhaojun", display_name="赵军",
                    role=Role.admin, division=COUNTY, password_hash=hash_password(PASSWORD),
                    updated_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            ]
        )  # fmt: skip
        try:
            yield County(client, store, identity)
        finally:
            store.close()
            set_source(None)
    api.state.engine.dispose()


async def _signed_in(pilot: Pilot[None], county: County) -> DaibanApp:
    """Sign in as 赵军; the line to the in-process centre goes through its transport."""
    await log_in(pilot, "zhaojun", PASSWORD)
    app = pilot.app
    assert isinstance(app, DaibanApp)
    transport = OneAtATime(county.client._transport)  # the centre's app, in process
    app.desk.centre_line = open_line(county.identity, "zhaojun", PASSWORD, transport=transport)
    # The board's first read may have gone before the line was set: let it end (its
    # failure's dialog comes then, not keys later; under CI's load it came after "4").
    await app.workers.wait_for_complete()
    await settle(pilot)
    return app


def _desk(county: County, tmp_path: Path) -> DaibanApp:
    return make_app(
        load_settings(tmp_path / "desk"),
        store=county.store,
        clock=lambda: NOW,
        catalog=shipped_catalog(),
    )


def test_stations_screen_snapshot(snap_compare: Snap, county: County, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        app = await _signed_in(pilot, county)
        app.push_screen(StationsScreen(app.desk))
        await settle(pilot)

    assert snap_compare(_desk(county, tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_accounts_screen_snapshot(snap_compare: Snap, county: County, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        app = await _signed_in(pilot, county)
        app.push_screen(AccountsScreen(app.desk))
        await settle(pilot)

    assert snap_compare(_desk(county, tmp_path), terminal_size=(80, 24), run_before=run_before)


async def test_the_stations_list_shows_what_each_station_reported(
    county: County, tmp_path: Path
) -> None:
    app = _desk(county, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _signed_in(pilot, county)
        screen = StationsScreen(app.desk)
        app.push_screen(screen)
        await settle(pilot)
        rows = {(r.name, r.revoked): r for r in screen.rows}
        dead = rows[("山门村旧电脑", True)]
        assert (dead.division_name, dead.outbox_depth, dead.cases_held) == ("山门村", 3, 40)
        assert dead.oldest_unsent == NOW - timedelta(days=2)
        assert rows[("海城镇山门村便民服务站", False)].catalog_version == "2026.11.1"
        silent = rows[("海城镇武塬村便民服务站", False)]
        assert (silent.outbox_depth, silent.catalog_version) == (None, "")  # never reported


def test_the_desk_draws_the_qr_in_half_blocks() -> None:
    import segno

    from station.services.county_admin import qr_lines

    text = "daiban://enroll?central=http%3A%2F%2F10.0.0.5%3A8765&code=ABCD-EFGH"
    lines = qr_lines(text, border=1)
    size = segno.make(text, error="l").symbol_size(border=1)[0]
    assert len(lines) == (size + 1) // 2 and {len(line) for line in lines} == {size}
    assert set("".join(lines)) <= set(" ▀▄█")


async def _accounts(pilot: Pilot[None], county: County) -> AccountsScreen:
    """The administrator signed in, on the accounts list (its rows read)."""
    app = await _signed_in(pilot, county)
    screen = AccountsScreen(app.desk)
    app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_disabling_ones_own_account_is_refused_before_the_question(
    county: County, tmp_path: Path
) -> None:
    """d on one's own row asked 停用赵军（admin）？ and only after Y said the centre refused;
    d on an account already disabled did nothing, without a word."""
    app = _desk(county, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _accounts(pilot, county)
        table = screen.query_one(DataTable)
        table.focus()
        usernames = [row.username for row in screen.rows]
        table.move_cursor(row=usernames.index("zhaojun"))
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen  # no question asked
        said = [str(n.message) for n in app._notifications]
        assert "不能停用自己的账号。" in said, said
        table.move_cursor(row=usernames.index("zhaojun"))
        await pilot.press("e")
        await settle(pilot)
        said = [str(n.message) for n in app._notifications]
        assert any("已是启用状态" in n for n in said), said


async def test_the_strips_digits_open_sections_from_the_case_list_and_the_catalog(
    county: County, tmp_path: Path
) -> None:
    """2办件 and 6目录 opened with the cursor in their search or folder box, so the strip's
    "4" was typed into the box; the box is now a shown key away (^F or / on 办件, f on 目录)."""
    from textual.widgets import Input

    from station.screens.cases import CasesScreen
    from station.screens.catalog_admin import CatalogAdminScreen
    from station.screens.dialogs import MessageDialog
    from tests.station.helpers import flat_text

    app = _desk(county, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _signed_in(pilot, county)
        while isinstance(app.screen, MessageDialog):  # the board read before the line was set
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen) and "^F查找" in flat_text(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, CatalogAdminScreen) and "f文件夹" in flat_text(pilot)
        assert app.screen.query_one("#catalog-folder", Input).value == ""
        await pilot.press("f")  # the folder box, on purpose: now it takes digits
        await pilot.press(*"/srv/2026")
        assert app.screen.query_one("#catalog-folder", Input).value == "/srv/2026"
        await pilot.press("tab")  # out of the box: digits open sections again
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, StationsScreen)
        await pilot.press("2")
        await settle(pilot)
        search = app.screen.query_one("#cases-search", Input)
        assert search.value == ""
        await pilot.press("slash")
        await pilot.press(*"6405")
        assert isinstance(app.screen, CasesScreen) and search.value == "6405"


async def test_the_accounts_list_names_roles_as_the_rest_of_daiban(
    county: County, tmp_path: Path
) -> None:
    """The accounts list said 审核员 and 代办员 where the case timelines, the new-account
    answer and ``daiban central account list`` say 乡镇审核员 and 村代办员."""
    app = _desk(county, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _accounts(pilot, county)
        table = screen.query_one(DataTable)
        roles = {str(table.get_row_at(index)[2]) for index in range(table.row_count)}
        assert roles <= {"村代办员", "乡镇审核员", "县级管理员"} and "乡镇审核员" in roles, roles
