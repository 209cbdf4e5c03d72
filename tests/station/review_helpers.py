"""A township desk with cases waiting, and the review page opened on one (review tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.review import ReviewScreen
from station.store import StationStore
from sync.reducer import CaseView
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


def assistance(name: str = "李秀英") -> Any:
    """A 临时救助 application: an item the catalog lets the township decide (办结)."""
    from station.services.cases import Application
    from tests.station.test_intake import ELDER_ID

    return Application(
        item_code="640522-MZ-004",
        applicant={"name": name, "id_number": ELDER_ID, "phone": "13895401122"},
        fields={
            "hardship_kind": "急难型",
            "cause": "火灾、自然灾害",
            "description": "房屋失火，生活用品全部烧毁",
            "household_size": 4,
            "amount_requested": "3000",
            "is_urgent": True,
            "bank_account": "6217991234567895",
        },
        materials={
            "application": "provided",
            "id_hukou": "shared",
            "accident_proof": "provided",
            "bank_card": "provided",
        },
    )


def take_in_assistance(store: StationStore, name: str = "李秀英") -> CaseView:
    """Take a 临时救助 case in as the agent would at the desk."""
    from station.services.cases import CaseService
    from tests.station.cases_seed import AGENT

    service = CaseService(store, shipped_catalog(), AGENT)
    return service.take_in(assistance(name), today=NOW.date())
