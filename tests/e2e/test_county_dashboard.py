"""The county desk's 看板 and 对账 against a real central: two villages push cases, the
county administrator signs in, reads the figures, opens the cases behind one, opens a
case (after the workstation syncs), and sees the same resident's application at two
stations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import DataTable

from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.case import CaseScreen
from station.screens.dashboard import DashboardScreen, FigureCard
from station.screens.dashboard_cases import DrillScreen
from station.screens.reconcile_admin import ReconcileAdminScreen
from station.screens.review import ReviewScreen
from station.store import StationStore
from tests.e2e.conftest import (
    PASSWORD,
    Central,
    Station,
    enrolled_station,
    id_number,
    running_central,
    write_cases,
)
from tests.station.helpers import flat_text, log_in, settle

pytestmark = pytest.mark.slow  # a real central, two villages and a county workstation

COUNTY = "640522000000"
SHANMEN = "640522100201"
WUYUAN = "640522100202"


@pytest.fixture
def own_central(tmp_path: Path) -> Iterator[Central]:
    """A central of this test's own: the board counts everything the county holds."""
    with running_central(tmp_path / "centre", ()) as running:
        yield running


@pytest.fixture
def county_month(
    own_central: Central, tmp_path: Path
) -> tuple[Station, Station, Station, list[str]]:
    """Two villages, each with cases pushed (the first case of each: the same resident and
    item), and a county workstation with its administrator ``xu``."""
    county = enrolled_station(
        own_central, tmp_path / "county", COUNTY, "海原县政务服务中心", "county"
    )
    own_central.cli(
        "user", "add", "--username", "xu", "--name", "徐county", "--role", "admin",
        "--division", COUNTY, "--password", PASSWORD, "--id-number", id_number("64052219910707001"),
    )  # fmt: skip
    county.cli("sync")  # the administrator's account comes down; no case yet
    shanmen = enrolled_station(
        own_central, tmp_path / "shanmen", SHANMEN, "山门村便民服务站", "village"
    )
    wuyuan = enrolled_station(
        own_central, tmp_path / "wuyuan", WUYUAN, "武塬村便民服务站", "village"
    )
    numbers = shanmen.cli("case", "import", str(write_cases(tmp_path / "three.jsonl", 3)))[
        "case_numbers"
    ]
    numbers += wuyuan.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]
    for village in (shanmen, wuyuan):
        village.cli("sync")
    return shanmen, wuyuan, county, numbers


@asynccontextmanager
async def county_desk(county: Station) -> AsyncIterator[tuple[DaibanApp, Pilot[None]]]:
    store = StationStore.open(county.data_dir)
    try:
        app = make_app(load_settings(county.data_dir), store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "xu", PASSWORD)
            yield app, pilot
    finally:
        store.close()


def _rows(app: DaibanApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(r)[0]) for r in range(table.row_count)]


async def test_the_county_reads_the_board_drills_down_and_opens_a_case(
    county_month: tuple[Station, Station, Station, list[str]], tmp_path: Path
) -> None:
    shanmen, _wuyuan, county, numbers = county_month
    async with county_desk(county) as (app, pilot):  # signing in synced the workstation
        await app.push_screen(DashboardScreen(app.desk))
        await settle(pilot)
        text = flat_text(pilot)
        assert "收件" in text and "红牌" in text and "满意率" in text and "本月" in text
        received = app.screen.query_one("#figure-received", FigureCard)
        assert str(received.render()).split() == ["收件", "4"]  # 3 at 山门村, 1 at 武塬村
        assert "黄牌：办结时限剩1个工作日" in text  # the rule is stated on screen

        await pilot.press("enter")  # the focused card: 收件
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)
        assert sorted(_rows(app)) == sorted(numbers)
        assert "山门村" in flat_text(pilot) and "已报送" in flat_text(pilot)
        await pilot.press("enter")  # the workstation holds it: the case page opens
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert sorted(numbers)[0] in flat_text(pilot)

        later = shanmen.cli(
            "case", "import", str(write_cases(tmp_path / "later.jsonl", 1, first=4))
        )
        shanmen.cli("sync")  # a case the workstation has not pulled yet
        (new,) = later["case_numbers"]
        await pilot.press("escape", "escape", "r")
        await settle(pilot)
        assert str(received.render()).split() == ["收件", "5"]
        await pilot.press("enter")
        await settle(pilot)
        rows = _rows(app)
        assert new in rows
        for _step in range(rows.index(new)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DrillScreen)  # not here yet: said, not opened
        assert "本工作站还没有" in "".join(str(n.message) for n in app._notifications)
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen) and new in flat_text(pilot)

        await pilot.press("escape", "escape", "l")  # 上月: nothing was taken in then
        await settle(pilot)
        villages = app.screen.query_one("#table-villages", DataTable)
        # said whole, in a column wide enough (it read "本")
        assert str(villages.get_row_at(0)[0]) == "本时段没有数据"
        assert villages.ordered_columns[0].width >= cell_len("本时段没有数据")


async def test_the_county_sees_a_duplicate_application_across_two_villages(
    own_central: Central, county_month: tuple[Station, Station, Station, list[str]]
) -> None:
    shanmen, wuyuan, county, numbers = county_month
    report = own_central.cli("report", "reconcile")
    pairs = [
        d for d in report["duplicate_applications"]
        if {c["station"] for c in d["cases"]} == {shanmen.station_id, wuyuan.station_id}
    ]  # fmt: skip
    assert len(pairs) == 1
    assert {c["case_number"] for c in pairs[0]["cases"]} == {numbers[0], numbers[3]}
    assert "*" in pairs[0]["id_masked"]

    async with county_desk(county) as (app, pilot):
        await app.push_screen(ReconcileAdminScreen(app.desk))
        await settle(pilot)
        text = flat_text(pilot)
        stations = app.screen.query_one("#recon-stations", DataTable)
        names = {str(stations.get_row_at(r)[1]) for r in range(stations.row_count)}
        assert "山门村" in names and "中心存站点存事件缺号未传最近联系" in text  # one line each
        assert stations.virtual_size.width <= stations.size.width  # no column off the side
        # the strip, the summary and the tabs' names are on screen (the table pushed
        # them off the top, and the note's last words off the bottom)
        assert "1看板2办件" in text and "对账：" in text and "站点重复申请" in text
        assert text.endswith("d：重复申请。r刷新d重复申请Esc返回F2长辈模式F1帮助")
        assert "中心存：本机收件" in text and "站点存：站点上报" in text  # the columns
        await pilot.press("d")
        await settle(pilot)
        table = app.screen.query_one("#recon-duplicates", DataTable)
        rows = [table.get_row_at(r) for r in range(table.row_count)]
        assert {str(r[2]) for r in rows} >= {numbers[0], numbers[3]}
        # short names: at 80 columns the full ones wrapped over four and three lines
        assert {str(r[3]) for r in rows} >= {"山门村", "武塬村"}, rows
        assert "医保参保" in {str(r[1]) for r in rows}
        assert not any("195001" in str(cell) for row in rows for cell in row)  # the ID masked
        # Enter on a duplicate opens that case's page (a trial saw the 办件 list instead)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen), type(app.screen)
        assert app.screen.case_number == str(rows[0][2])
