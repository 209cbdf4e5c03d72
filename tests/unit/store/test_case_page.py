"""A page of the case list is the same page whichever way the store finds it: by looking
each match up (a rare name) or by walking the cases newest first (a common one, from
``ORDERED_SCAN_MIN`` matches up), in one read with its total."""

from __future__ import annotations

import pytest

from station.services.cases import CaseService
from station.store import StationStore, caselist
from tests.unit.store.conftest import application
from tests.unit.store.test_lifecycle_fixes import TODAY

NAMES = ["冯志桂", "冯兰", "马冯", "张三", "冯志强", "李四", "冯秀英", "冯志桂"]


@pytest.fixture
def numbers(service: CaseService) -> list[str]:
    """The cases taken in, in turn (the newest last)."""
    return [
        service.take_in(application(name, serial), today=TODAY).case_number
        for serial, name in enumerate(NAMES, start=1)
    ]


def _pages(store: StationStore, query: str, size: int, **filters: object) -> list[list[str]]:
    pages = []
    for offset in range(0, len(NAMES), size):
        rows, _total = store.case_page(query, limit=size, offset=offset, **filters)
        pages.append([row.case_number for row in rows])
    return pages


@pytest.mark.parametrize("walk_from", [1, 10_000])
def test_a_search_pages_the_same_newest_first_walked_or_looked_up(
    store: StationStore, numbers: list[str], walk_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caselist, "ORDERED_SCAN_MIN", walk_from)
    with_feng = [n for n, name in zip(numbers, NAMES, strict=True) if "冯" in name][::-1]

    assert _pages(store, "冯", 2) == [with_feng[0:2], with_feng[2:4], with_feng[4:6], []]
    rows, total = store.case_page("冯", limit=50)
    assert total == len(with_feng) == 6
    assert [row.case_number for row in rows] == with_feng
    assert rows[0].applicant_name == "冯志桂" and rows[0].item_name  # the row read whole
    assert rows[0].division == "640522100201" and rows[0].flagged is False
    assert "*" in rows[0].id_masked and rows[0].due_date is None  # received: none yet
    assert store.case_page("冯志桂")[1] == 2
    assert store.case_page("王五") == ([], 0)
    assert [row.case_number for row in store.list_cases("冯", limit=3)] == with_feng[:3]
    assert store.count_cases("冯") == 6


def test_a_search_with_a_state_counts_what_it_lists(
    service: CaseService, store: StationStore, numbers: list[str]
) -> None:
    service.act(numbers[0], "submitted")
    rows, total = store.case_page("冯", state="submitted")
    assert ([row.case_number for row in rows], total) == ([numbers[0]], 1)
    assert store.count_cases("冯", state="received") == 5
    rows, total = store.case_page("", limit=3)
    assert total == len(NAMES)  # the one just submitted is the newest
    assert [row.case_number for row in rows] == [numbers[0], *numbers[::-1][:2]]
    assert store.case_page("", limit=3, counted=False)[1] == -1
