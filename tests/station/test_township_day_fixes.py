"""What the township day (tests/e2e/test_township_day.py) found, pinned without a clock's luck.

A material the township names in a 补正 is offered for supplementing though it was
provided; a 转办 says where the case went; the review page's "submitted on" is the day
in China.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forms.clock import set_source
from station.screens.case import supplement_choices
from station.services.review import review_page
from station.services.timeline import people, timeline
from station.store import StationStore
from sync.events import EventKind, Role
from tests.station.cases_seed import take_in, township
from tests.station.conftest import shipped_catalog
from tests.station.test_roles import township_station

LATE_EVENING_UTC = datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
"""01:30 on 24 November in China."""


@pytest.fixture
def station(tmp_path: Path) -> Iterator[StationStore]:
    set_source(lambda: LATE_EVENING_UTC)
    store = township_station(tmp_path / "township")
    yield store
    store.close()
    set_source(None)


def test_materials_named_in_a_return_are_offered_ticked_though_provided(
    station: StationStore,
) -> None:
    number = take_in(station).case_number  # 户口簿 provided, bank card 容缺
    view = township(
        station, number, (EventKind.returned, {"reason": "复印件不清晰", "missing": ["hukou"]})
    )
    item = shipped_catalog().get(view.item_code)
    assert view.materials["hukou"] == "provided"
    assert supplement_choices(view, item) == [
        ("户口簿首页及本人页复印件", "hukou", True),
        ("社会保障卡或存折复印件", "bank_card", True),
    ]


def test_a_forward_says_where_the_case_went(station: StationStore) -> None:
    number = take_in(station).case_number
    view = township(
        station, number, (EventKind.accepted, {}), (EventKind.forwarded, {"to": "县民政局"})
    )
    line = timeline(view, people(station))[-1]
    assert (line.what, line.note) == ("转办", "县民政局")


def test_the_review_page_gives_the_day_of_submission_in_china(station: StationStore) -> None:
    number = take_in(station).case_number
    view = township(station, number, (EventKind.returned, {"reason": "材料不全"}))
    page = review_page(station, shipped_catalog(), view, Role.reviewer, LATE_EVENING_UTC.date())
    assert "报送于 2026-11-24" in page.header
