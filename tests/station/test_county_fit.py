"""The county's 对账 and new-code screens and the station's 设置 at 80×24, the size village
and county PCs run the desk at (desk trials): the 对账 headers each on one line, the new
code's keys and its whole QR on the screen, the settings without scrolling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable

from station.app import DaibanApp
from station.screens.county_dialogs import CodeDialog
from station.screens.dialogs import ConfirmDialog, MessageDialog
from station.screens.reconcile_admin import ReconcileAdminScreen
from station.screens.settings import SettingsScreen
from station.services.county_admin import CodeRow
from station.store import StationStore
from sync.enroll_uri import enroll_uri, parse_enroll_uri
from tests.station.helpers import flat_text, log_in, screen_text, settle
from tests.station.test_county_completes import county_desk, county_station

SIZE = WIDTH, HEIGHT = 80, 24

FINGERPRINT = "3f9a0c17b2e4d58a6c01f7e29b3d4a5c6e7f8091a2b3c4d5e6f708192a3b4c5d"


def _on_screen(widget: Widget) -> bool:
    """Shown whole within the 80×24 screen."""
    region = widget.region
    return (
        widget.display
        and region.width > 0
        and region.height > 0
        and region.x >= 0
        and region.y >= 0
        and region.right <= WIDTH
        and region.bottom <= HEIGHT
    )


@pytest.fixture
def county(tmp_path: Path) -> Iterator[StationStore]:
    opened = county_station(tmp_path / "county")
    try:
        yield opened
    finally:
        opened.close()


async def _signed_in(pilot: Pilot[None]) -> DaibanApp:
    await log_in(pilot, "zhaojun")
    app = pilot.app
    assert isinstance(app, DaibanApp)
    return app


# ---- 对账: the stations' headers --------------------------------------------------------


def _station(name: str, cases: int, held: int | None, events: int, **more: Any) -> dict[str, Any]:
    return {
        "name": name, "cases": cases, "cases_held": held, "events": events, "gaps": [],
        "outbox_depth": 0, "oldest_unsent": None, "last_seen": "2026-11-23T01:30:00+00:00",
        **more,
    }  # fmt: skip


UNSENT = {"outbox_depth": 12, "oldest_unsent": "2026-11-19T23:40:00+00:00"}
"""Twelve events unsent since the 20th (China time)."""

HEADERS = ["标记", "站点", "中心存", "站点存", "事件", "缺号", "未传", "最近联系"]

STATIONS = [
    _station("海原县政务服务中心", 0, 1204, 3311),
    _station("海城镇便民服务中心", 0, 1185, 10432),
    _station("海城镇山门村便民服务站", 512, 512, 2290),
    _station("海城镇武塬村便民服务站", 380, 384, 1675, silent=True, **UNSENT),
    _station("山门村旧电脑", 40, None, 160, outbox_depth=None, revoked=True),
    _station("李旺镇杨山村便民服务站", 73, 70, 301, gaps=[[40, 42]]),
]


class _Centre:
    def get(self, path: str, **params: Any) -> Any:
        assert path == "/admin/reconcile", path
        silent = [s["name"] for s in STATIONS if s.get("silent")]
        return {"stations": STATIONS, "silent": silent, "duplicate_applications": []}


async def test_every_reconciliation_header_is_on_one_line_at_80x24(
    county: StationStore, tmp_path: Path
) -> None:
    """中心办件, 站点未上传, 最早未上传 and the others wrapped onto two lines at 80 columns:
    each on one line now, every count and time shown whole beside its station."""
    app = county_desk(county, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        desk = (await _signed_in(pilot)).desk
        desk.centre_line = _Centre()  # type: ignore[assignment]
        await app.push_screen(ReconcileAdminScreen(desk))
        await settle(pilot)
        table = app.screen.query_one("#recon-stations", DataTable)
        assert table.header_height == 1
        assert table.virtual_size.width <= table.size.width  # no column off the side
        lines = screen_text(pilot).splitlines()
        (header,) = [line for line in lines if "标记" in line]
        assert header.split() == HEADERS
        rows = {line.split()[-8]: line.split() for line in lines if line.rstrip().endswith("09:30")}
        # each station on one line: its name (without 便民服务站), then the counts whole
        assert rows["海城镇武塬村"] == [
            "失联", "海城镇武塬村", "380", "384", "1675", "0", "12（11-20起）", "11-23", "09:30",
        ]  # fmt: skip
        assert rows["海城镇"] == ["海城镇", "0", "1185", "10432", "0", "0", "11-23", "09:30"]
        assert rows["山门村旧电脑"] == [
            "吊销", "山门村旧电脑", "40", "—", "160", "0", "—", "11-23", "09:30",
        ]  # fmt: skip
        assert rows["李旺镇杨山村"][:3] == ["缺号", "李旺镇杨山村", "73"]
        assert len(rows) == len(STATIONS)
        # the note under the table names the columns as the headers do, and is whole
        assert "中心存：本机收件" in "".join(lines) and "站点存：站点上报" in "".join(lines)
        assert lines[-2].rstrip().endswith("d：重复申请。")


# ---- 新码: the code just issued ---------------------------------------------------------


def _code(central: str, fingerprint: str = "") -> CodeRow:
    uri = enroll_uri(central, "28TH-QBQV", fingerprint=fingerprint)
    return CodeRow(
        ref="c7", division="640522100203", division_name="海城镇杨山村",
        name="海城镇杨山村便民服务站", role="village", issued_by="赵军",
        expires_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC), code="28TH-QBQV", uri=uri,
    )  # fmt: skip


def _screen_qr(pilot: Pilot[None], qr: Widget, module: int = 6) -> Image.Image:
    """The QR as the screen draws it, in pixels: each cell one module wide and two high
    (``▀ ▄ █`` dark), what is around it on the screen dark (the dialog's background), so
    only the QR's own light border separates it from the rest."""
    region = qr.region
    strips = pilot.app.screen._compositor.render_strips()
    margin = 4 * module
    size = (region.width * module + 2 * margin, region.height * 2 * module + 2 * margin)
    image = Image.new("L", size, 0)
    for row in range(region.height):
        text = strips[region.y + row].crop(region.x, region.right).text
        assert len(text) == region.width
        for column, char in enumerate(text):
            for half, dark in enumerate((char in "▀█", char in "▄█")):
                if not dark:
                    x = margin + column * module
                    y = margin + (2 * row + half) * module
                    image.paste(255, (x, y, x + module, y + module))
    return image


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
@pytest.mark.parametrize(
    ("central", "fingerprint"),
    [
        ("https://zwfw.haiyuan.gov.cn:8765", FINGERPRINT),  # a county's name and certificate
        ("http://10.12.3.45:8765", ""),
    ],
    ids=["https", "http"],
)
async def test_the_new_code_shows_its_keys_and_its_whole_qr_at_80x24(
    county: StationStore, tmp_path: Path, central: str, fingerprint: str, elder: bool
) -> None:
    """The QR pushed the words and keys under it off the screen, and was cut itself (a
    centre on https with its fingerprint: 26 lines): nothing said how to print the slip
    or close. The keys are buttons beside the QR now, the QR is whole and reads back."""
    code = _code(central, fingerprint)
    app = county_desk(county, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in(pilot)
        if elder:
            await pilot.press("f2")
        await app.push_screen(CodeDialog(code))
        await settle(pilot)
        dialog = app.screen
        for key in ("#code-print", "#code-close", "#code-qr", "#code-text"):
            assert _on_screen(dialog.query_one(key)), key
        text = screen_text(pilot)
        assert "打印注册单（P）" in text and "关闭（Esc）" in text
        assert "28TH-QBQV" in text
        assert not dialog.query_one("#code-qr-missing").display
        (read,) = zxingcpp.read_barcodes(_screen_qr(pilot, dialog.query_one("#code-qr")))
        assert parse_enroll_uri(read.text) == parse_enroll_uri(code.uri)
        await pilot.click("#code-close")  # unprinted: asked first (see below)
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, CodeDialog)


async def test_a_code_closed_unprinted_is_asked_about_and_the_print_is_said_beside_the_qr(
    county: StationStore, tmp_path: Path
) -> None:
    """Esc or Enter closed the dialog at once, and the centre keeps only the code's hash:
    closed before its slip was printed, the code was gone. And the print's toast lay over
    the QR's corner for ten seconds, so no phone could read it then."""
    code = _code("https://zwfw.haiyuan.gov.cn:8765", FINGERPRINT)
    app = county_desk(county, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in(pilot)
        await app.push_screen(CodeDialog(code))
        await settle(pilot)
        dialog = app.screen
        for key in ("escape", "enter"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog), key
            assert "还没有打印注册单" in flat_text(pilot)
            await pilot.press("enter")  # the default: no, back to the code
            await settle(pilot)
            assert app.screen is dialog and "28TH-QBQV" in screen_text(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, MessageDialog)  # read, then Enter: not on a timer
        said = str(app.screen.text)
        assert said.startswith("已保存为 PDF：\n便民服务站注册单-海城镇杨山村便民服务站-"), said
        assert not app._notifications  # no toast over the QR
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog
        for key in ("#code-print", "#code-close", "#code-qr"):
            assert _on_screen(dialog.query_one(key)), key
        (read,) = zxingcpp.read_barcodes(_screen_qr(pilot, dialog.query_one("#code-qr")))
        assert parse_enroll_uri(read.text) == parse_enroll_uri(code.uri)
        await pilot.press("escape")  # printed: closed at once
        await settle(pilot)
        assert not isinstance(app.screen, (CodeDialog, ConfirmDialog))


async def test_a_code_issued_again_says_the_earlier_one_is_void(
    county: StationStore, tmp_path: Path
) -> None:
    """Issued again (a slip lost): the centre made the village's earlier code void, and the
    dialog says which, its keys still on the screen."""
    from dataclasses import replace

    code = replace(_code("https://zwfw.haiyuan.gov.cn:8765", FINGERPRINT), replaced=("6E06A0E3",))
    app = county_desk(county, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _signed_in(pilot)
        await app.push_screen(CodeDialog(code))
        await settle(pilot)
        said = str(app.screen.query_one("#code-text").render())
        assert said.endswith("此前的注册码（编号 6E06A0E3）已作废。"), said
        for key in ("#code-print", "#code-close", "#code-qr"):
            assert _on_screen(app.screen.query_one(key)), key


async def test_a_qr_the_window_cannot_hold_is_not_cut_but_said(
    county: StationStore, tmp_path: Path
) -> None:
    """In a window too short for it the QR is not drawn cut (no phone reads half a QR):
    the dialog says to print the slip, its keys still on the screen."""
    app = county_desk(county, tmp_path)
    async with app.run_test(size=(WIDTH, 20)) as pilot:
        await _signed_in(pilot)
        await app.push_screen(CodeDialog(_code("https://zwfw.haiyuan.gov.cn:8765", FINGERPRINT)))
        await settle(pilot)
        dialog = app.screen
        assert not dialog.query_one("#code-qr").display
        assert "窗口放不下二维码" in screen_text(pilot).replace("\n", "")
        assert dialog.query_one("#code-close").region.bottom <= 20
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        assert _on_screen(dialog.query_one("#code-qr"))


# ---- 设置 --------------------------------------------------------------------------------


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
async def test_the_settings_fit_80x24_without_scrolling(
    desk: Callable[..., DaibanApp], elder: bool
) -> None:
    """The page scrolled at 80×24: the idle lock's box and Save F9 were under the bottom
    edge. Each box's name is beside it now: every box and Save on the screen at once."""
    async with desk().run_test(size=SIZE) as pilot:
        await log_in(pilot)
        if elder:
            await pilot.press("f2")
        await pilot.press("o")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, SettingsScreen)
        body = screen.query_one("#settings-body", VerticalScroll)
        assert body.max_scroll_y == 0
        for box in ("#printer", "#paper", "#scan-folder", "#language", "#elder", "#idle", "#save"):
            widget = screen.query_one(box)
            assert _on_screen(widget) and widget.region.bottom <= HEIGHT - 1, box  # the footer
        text = screen_text(pilot)
        assert "空闲几分钟后锁屏" in text and "保存 F9" in text
