"""The county administrator's desk against a real central: the 看板 is home, digits open
the sections, a catalog folder is checked, compared and published from the desk, and the
月报 is saved as a workbook — all over the person's own line to the centre."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from textual.widgets import DataTable, Input, Select

from station.app import make_app
from station.config import load_settings
from station.screens.cases import CasesScreen
from station.screens.catalog_admin import CatalogAdminScreen
from station.screens.dashboard import DashboardScreen
from station.screens.dialogs import ConfirmDialog
from station.screens.reports_admin import ReportsScreen
from station.services.catalogs import active_catalog_version
from station.store import StationStore
from tests.e2e.conftest import PASSWORD, Central, enrolled_station, id_number, running_central
from tests.station.helpers import flat_text, log_in, settle, type_into

pytestmark = pytest.mark.slow  # a real central and a county workstation

COUNTY = "640522000000"


@pytest.fixture
def own_central(tmp_path: Path) -> Iterator[Central]:
    with running_central(tmp_path / "centre", ()) as running:
        yield running


def edited_catalog(folder: Path) -> Path:
    """The shipped catalog with 高龄津贴 promised in 15 working days instead of 20."""
    import forms.catalog as catalog_package

    shutil.copytree(
        Path(catalog_package.__file__).parent,
        folder,
        ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md"),
    )
    header = folder / "catalog.toml"
    header.write_text(
        re.sub(r'(?m)^version = ".*"$', 'version = "2026.12.9"', header.read_text("utf-8")),
        encoding="utf-8",
    )
    item = folder / "items" / "06-old-age-allowance.toml"
    text = item.read_text("utf-8")
    text = re.sub(r"(?m)^version = (\d+)$", lambda m: f"version = {int(m[1]) + 1}", text, count=1)
    item.write_text(re.sub(r"(?m)^promised_days = \d+$", "promised_days = 15", text), "utf-8")
    return folder


async def test_the_county_desk_publishes_a_catalog_and_saves_the_monthly_report(
    own_central: Central, tmp_path: Path
) -> None:
    county = enrolled_station(
        own_central, tmp_path / "county", COUNTY, "海原县政务服务中心", "county"
    )
    own_central.cli(
        "user", "add", "--username", "xu", "--name", "徐县", "--role", "admin",
        "--division", COUNTY, "--password", PASSWORD, "--id-number", id_number("64052219920808002"),
    )  # fmt: skip
    county.cli("sync")  # the administrator's account comes down
    folder = edited_catalog(tmp_path / "county-catalog")
    store = StationStore.open(county.data_dir)
    try:
        app = make_app(load_settings(county.data_dir), store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "xu", PASSWORD)
            assert isinstance(app.screen, DashboardScreen)  # the county's home
            assert "1看板2办件3闭环4站点5账号6目录7对账8报表" in flat_text(pilot)

            await pilot.press("6")
            await settle(pilot)
            assert isinstance(app.screen, CatalogAdminScreen)
            await type_into(pilot, "#catalog-folder", str(folder))
            assert app.screen.query_one("#catalog-folder", Input).value == str(folder)
            await pilot.press("enter")  # check and compare
            await settle(pilot)
            text = flat_text(pilot)
            assert "2026.12.9" in text and "高龄津贴" in text and "15" in text
            await pilot.press("f9")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.press("y")
            await settle(pilot)
            assert "已发布为第1版" in flat_text(pilot).replace(" ", "")
            table = app.screen.query_one("#catalog-versions", DataTable)
            assert [str(table.get_row_at(r)[0]) for r in range(table.row_count)] == ["1"]

            await pilot.press("escape")  # out of the field: digits navigate again
            await settle(pilot)
            await pilot.press("8")
            await settle(pilot)
            assert isinstance(app.screen, ReportsScreen)
            month = app.screen.query_one("#month", Input)
            month.value = f"{app.desk.clock().year + 1}-06"  # a month to come: refused, said
            await pilot.press("f9")
            await settle(pilot)
            assert "尚未到来" in flat_text(pilot)
            assert not list((county.data_dir / "exports").glob("*.xlsx"))
            month.value = app.desk.clock().strftime("%Y-%m")
            await pilot.press("f9")
            await settle(pilot)
            saved = next((county.data_dir / "exports").glob("*.xlsx"))
            sheet = load_workbook(saved).active
            assert sheet is not None and "月报" in str(sheet["A1"].value)
            assert saved.name in flat_text(pilot)
            # 对账表 is as of today: no month is asked for, and the file says so
            app.screen.query_one("#kind", Select).value = "reconcile"
            await settle(pilot)
            assert month.disabled and "对账表是截至今天的情况" in flat_text(pilot)
            month.value = "2026-10"  # what the walkthrough typed: not the file's name
            await pilot.press("f9")
            await settle(pilot)
            today = app.desk.clock().date()
            (reconciled,) = (county.data_dir / "exports").glob("对账表-*.xlsx")
            assert reconciled.name == f"对账表-截至{today:%Y-%m-%d}.xlsx"
            await pilot.press("f9")  # again: a numbered file beside it, the first one kept
            await settle(pilot)
            again = county.data_dir / "exports" / f"对账表-截至{today:%Y-%m-%d}（2）.xlsx"
            assert again.exists() and reconciled.exists() and again.name in flat_text(pilot)
            # the cursor back on the report's kind: an Enter after it wrote a third copy
            assert app.focused is app.screen.query_one("#kind", Select)
            app.screen.query_one("#kind", Select).value = "disposition"  # 收件去向表: a month's
            await settle(pilot)
            assert not month.disabled
            month.value = app.desk.clock().strftime("%Y-%m")
            await pilot.press("f9")
            await settle(pilot)
            (disposed,) = (county.data_dir / "exports").glob("收件去向表-*.xlsx")
            assert disposed.name == f"收件去向表-{month.value}.xlsx"
            table = load_workbook(disposed).active
            assert table is not None and "收件去向表" in str(table["A1"].value)
            blocker = county.data_dir / "a-file"  # a folder typed where a file is: said so
            blocker.write_text("x", encoding="utf-8")
            app.screen.query_one("#folder", Input).value = str(blocker / "reports")
            await pilot.press("f9")
            await settle(pilot)
            said = flat_text(pilot).replace("█", "")  # the dialog's frame
            assert f"无法把报表保存到{blocker / 'reports'}：" in said, said
            assert "上级目录是一个文件" in said and "意外" not in said
            await pilot.press("enter")  # the message closes; the form is as it was
            await settle(pilot)
            assert app.screen.query_one("#folder", Input).value == str(blocker / "reports")
            elsewhere = tmp_path / "县里的报表"  # typed once: offered again next time
            app.screen.query_one("#folder", Input).value = str(elsewhere)
            await pilot.press("f9")
            await settle(pilot)
            assert [p.name for p in elsewhere.glob("*.xlsx")] == [f"收件去向表-{month.value}.xlsx"]
            before = app.screen
            await pilot.press("escape", "1")  # out of the field, to 看板
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen)
            await pilot.press("8")  # 报表 again: the folder the last report went to
            await settle(pilot)
            assert isinstance(app.screen, ReportsScreen) and app.screen is not before
            assert app.screen.query_one("#folder", Input).value == str(elsewhere)
            app.screen.query_one("#folder", Input).value = ""

            await pilot.press("escape")  # out of the month field: digits navigate again
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 2

            await pilot.press("2")  # 办件: its search box takes the keys, Esc leads home
            await settle(pilot)
            assert isinstance(app.screen, CasesScreen)
            assert "1看板2办件3闭环" in flat_text(pilot) and "返回" in flat_text(pilot)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, DashboardScreen) and len(app.screen_stack) == 2
    finally:
        store.close()
    county.cli("sync")
    assert active_catalog_version(county.data_dir) == "1:2026.12.9"
