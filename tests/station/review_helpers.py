"""A township desk with cases waiting, and the review page opened on one (review tests)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.review import ReviewScreen
from station.store import StationStore
from tests.station.conftest import NOW, shipped_catalog
from tests.station.helpers import log_in, settle

REVIEWER_ID = "u-wf"
"""王芳, the reviewer signed in at the township desk (tests.station.test_roles)."""


def township_app(store: StationStore, data_dir: Path) -> DaibanApp:
    """The township desk through the one factory, with the fixed clock."""
    return make_app(
        load_settings(data_dir), store=store, clock=lambda: NOW, catalog=shipped_catalog()
    )


async def open_review(pilot: Pilot[None], number: str) -> ReviewScreen:
    """Sign in as 王芳 and open the review page of ``number`` (as Enter in the queue does)."""
    await log_in(pilot, "wangfang")
    app = pilot.app
    assert isinstance(app, DaibanApp)
    screen = ReviewScreen(app.desk, number)
    app.push_screen(screen)
    await settle(pilot)
    return screen
