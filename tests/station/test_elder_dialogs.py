"""Elder mode (F2) in the township's decision dialogs at 80×24: every text box keeps a row
for its text (a bordered box with no room inside hid what the reviewer typed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from forms.clock import set_source
from station.screens.decisions import ForwardDialog, PauseDialog, RejectDialog, ReturnDialog
from station.store import StationStore
from tests.station.cases_seed import take_in, township
from tests.station.conftest import NOW
from tests.station.helpers import settle
from tests.station.review_helpers import open_review, township_app
from tests.station.test_roles import township_station


@pytest.fixture
def waiting(tmp_path: Path) -> Iterator[tuple[StationStore, str]]:
    set_source(lambda: NOW)
    store = township_station(tmp_path / "township")
    try:
        yield store, township(store, take_in(store).case_number).case_number
    finally:
        set_source(None)
        store.close()


@pytest.mark.parametrize(
    "dialog",
    [
        lambda: RejectDialog(),
        lambda: PauseDialog(),
        lambda: ForwardDialog("县医保局"),
        lambda: ReturnDialog([("field:name", "姓名"), ("material:id_card", "居民身份证")]),
    ],
    ids=["reject", "pause", "forward", "return"],
)
@pytest.mark.parametrize("elder", [False, True])
async def test_every_text_box_shows_what_is_typed(
    waiting: tuple[StationStore, str], tmp_path: Path, dialog: object, elder: bool
) -> None:
    store, number = waiting
    app = township_app(store, tmp_path / "township")
    async with app.run_test(size=(80, 24)) as pilot:
        if elder:
            await pilot.press("f2")
        await open_review(pilot, number)
        await settle(pilot)
        app.push_screen(dialog())  # type: ignore[operator]
        await settle(pilot)
        boxes = [box for box in app.screen.query(Input) if box.display]
        assert boxes
        for box in boxes:
            box.value = "测试原因"
            await settle(pilot)
            assert box.content_region.height >= 1, (box.id, box.region)
        ok = app.screen.query_one("#ok")
        assert ok.region.bottom <= 24, "the dialog's buttons are on the screen"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_return_dialog_shows_many_items_at_once(
    waiting: tuple[StationStore, str], tmp_path: Path, size: tuple[int, int]
) -> None:
    # 2½ of a case's items showed, at 80×24 and at 120×40 alike (25 Tabs to reach one)
    store, number = waiting
    choices = [(f"materials.m{i}", f"材料{i}") for i in range(14)]
    app = township_app(store, tmp_path / "township")
    async with app.run_test(size=size) as pilot:
        await open_review(pilot, number)
        app.push_screen(ReturnDialog(choices))
        await settle(pilot)
        items = app.screen.query_one("#return-items")
        rows = [row for row in items.query(".return-row") if row.region.height]
        shown = [row for row in rows if items.region.contains_region(row.region)]
        assert len(shown) >= (8 if size == (80, 24) else 14), [r.region for r in rows]
        assert app.screen.query_one("#ok").region.bottom <= size[1]
