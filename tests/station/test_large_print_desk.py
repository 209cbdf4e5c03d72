"""大字版 from the case page: one key prints the receipt in large print for an elderly resident."""

from __future__ import annotations

from collections.abc import Callable

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.store import StationStore
from tests.station.helpers import flat_text, log_in, settle
from tests.station.test_case_lifecycle import WIDE, _taken_in
from tests.unit.printing.conftest import pdf_text


async def test_l_on_the_case_page_prints_the_large_print_receipt(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = _taken_in(store)
    async with desk().run_test(size=WIDE) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))
        await settle(pilot)
        assert "大字版回执" in flat_text(pilot)  # the key is in the footer
        await pilot.press("l")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        notices = " ".join(str(n.message) for n in pilot.app._notifications)
        # the clerk is told where it went: the name it is kept under, 大字版 in it
        assert f"已保存为 PDF：\n帮代办收件回执-{number}-大字版.pdf" in notices
        # and, with no printer set, why there is no paper and where to set one
        assert "本机未设置打印机" in notices and "按 o 打开“设置”" in notices
        # the folder once, in the hint; the paper by its file's name (a whole path for each
        # paper made the notice 6–8 lines tall at 80 columns)
        folder = store.data_dir / "documents"
        assert notices.count(str(folder)) == 1 and f"PDF 在 {folder} 文件夹里" in notices
        pilot.app.clear_notifications()
        await pilot.press("l")  # again: the paper's name, the hint not repeated
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        again = " ".join(str(n.message) for n in pilot.app._notifications)
        assert f"帮代办收件回执-{number}-大字版-补打20261123.pdf" in again
        assert "本机未设置打印机" not in again
    large = store.data_dir / "documents" / f"帮代办收件回执-{number}-大字版.pdf"
    assert large.exists()
    text = "".join(pdf_text(large.read_bytes()).split())
    # no public address set: the code holds the case number, and says so (not 查进度)
    assert "办件编号二维码" in text and "扫码查进度" not in text
    assert "马占福" in text and "补打" not in text
