"""The village prints the township's papers for its cases: the 不予受理通知书 it hands the
resident at 送达 was on no desk of the village (补打 gave the receipt only)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from station.app import DaibanApp
from station.screens.case import CaseScreen
from station.screens.dialogs import ChoiceDialog
from station.store import StationStore
from sync.events import EventKind
from tests.station.cases_seed import take_in, township
from tests.station.helpers import flat_text, log_in, settle


def _words(path: Path) -> str:
    shown = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return re.sub(r"\s+", "", shown.stdout.decode("utf-8"))


async def test_the_agent_prints_the_township_s_refusal_to_hand_it_over(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = take_in(store, "马占福").case_number
    refusal = {"reason": "不属于本机关职权范围", "apply_instead": "县医保局"}
    township(store, number, (EventKind.rejected, refusal))
    documents = store.data_dir / "documents"
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)  # 马丽, the village's agent
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChoiceDialog)
        text = flat_text(pilot)
        assert "收件回执" in text and "不予受理通知书" in text
        await pilot.press("down", "enter")  # the second: the refusal
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)
        # kept under its Chinese title and the case number, and said by that name
        (paper,) = documents.glob("*.pdf")
        assert paper.name == f"不予受理通知书-{number}.pdf"
        said = " ".join(str(n.message) for n in pilot.app._notifications)
        assert f"已保存为 PDF：\n{paper.name}" in said, said
    words = _words(paper)
    assert "不予受理通知书" in words and number in words
    assert "不属于本机关职权范围" in words and "县医保局" in words
    assert "马占福" in words
    assert "经办人：马丽" not in words  # the agent printing it decided nothing
    assert not list(documents.glob("帮代办收件回执-*"))  # not the receipt


async def test_a_case_the_township_has_not_decided_reprints_its_receipt_at_once(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    number = take_in(store, "马占福").case_number
    documents = store.data_dir / "documents"
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        assert isinstance(pilot.app.screen, CaseScreen)  # no choice to make
    assert f"帮代办收件回执-{number}-补打20261123.pdf" in [p.name for p in documents.glob("*.pdf")]


async def test_a_completed_case_offers_each_paper_it_had_by_its_item_s_name(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """A 办结 case offered only its 办结 paper, named 准予许可决定书（办结通知书） for an item
    that is no 行政许可; its 受理通知书 was missing."""
    number = take_in(store, "马占福").case_number
    township(store, number, (EventKind.accepted, {}), (EventKind.completed, {"result": "approved"}))
    documents = store.data_dir / "documents"
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        pilot.app.push_screen(CaseScreen(pilot.app.desk, number))  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceDialog)
        offered = [label for label, _kind in dialog.choices]
        assert offered == ["收件回执（补打）", "受理通知书", "办结通知书"]
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
    (paper,) = documents.glob("*.pdf")
    assert paper.name == f"办结通知书-{number}.pdf"  # as its title reads
    words = _words(paper)
    assert "办结通知书" in words and "准予行政许可" not in words and "马占福" in words
