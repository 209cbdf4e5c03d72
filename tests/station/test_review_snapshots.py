"""Snapshots of the township review page (审核页) at 80×24, in normal and in elder mode.

Review the SVGs (``pytest --snapshot-report``) before ``--snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from forms.clock import set_source
from station.store import StationStore
from tests.station.cases_seed import take_in, township
from tests.station.conftest import NOW
from tests.station.helpers import elder_on, settle
from tests.station.review_helpers import open_review, township_app
from tests.station.test_roles import township_station

Snap = Callable[..., bool]


@pytest.fixture
def waiting(tmp_path: Path) -> Iterator[tuple[StationStore, str]]:
    """A township station with one 高龄津贴 case waiting for a decision, stamped at NOW."""
    set_source(lambda: NOW)
    store = township_station(tmp_path / "township")
    try:
        number = township(store, take_in(store).case_number).case_number
        yield store, number
    finally:
        set_source(None)
        store.close()


@pytest.mark.parametrize("mode", ["normal", "elder"])
def test_review_page_snapshot(
    snap_compare: Snap, waiting: tuple[StationStore, str], tmp_path: Path, mode: str
) -> None:
    store, number = waiting

    async def run_before(pilot: Pilot[None]) -> None:
        if mode == "elder":
            await elder_on(pilot)
        await open_review(pilot, number)
        await settle(pilot)

    app = township_app(store, tmp_path / "township")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
