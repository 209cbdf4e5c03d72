"""GET /pull with ``own_upto``: the station's own events it holds come back as
acknowledgements; the rest (others' events, its own above the mark) in full; a station
that does not ask (older software) gets every event in full. The cursor of a pull with
nothing in scope moves past the other scopes' events."""

from __future__ import annotations

from typing import Any

from sync.protocol import API_PREFIX
from tests.central.conftest import OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE


def _pull(station: Any, **params: int) -> dict[str, Any]:
    response = station.client.get(f"{API_PREFIX}/pull", params=params, headers=station.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def test_own_events_up_to_the_mark_come_back_as_acknowledgements(enroll: Any) -> None:
    village = enroll(VILLAGE)
    first, second = village.new_case(), village.new_case()
    results = village.push(first + second)
    page = _pull(village, after=0, own_upto=4)
    assert [a["id"] for a in page["acks"]] == [str(e.id) for e in first + second[:1]]
    assert page["acks"][0] == {
        "id": str(first[0].id),
        "central_seq": results[0]["central_seq"],
        "status": "applied",
        "reason": None,
    }
    assert [e["id"] for e in page["events"]] == [str(e.id) for e in second[1:]]  # above the mark
    assert page["next_cursor"] == results[-1]["central_seq"]


def test_a_station_that_names_no_mark_gets_its_own_events_in_full(enroll: Any) -> None:
    village = enroll(VILLAGE)
    events = village.new_case()
    village.push(events)
    page = village.pull(0)  # as a station of the last release asks
    assert page["acks"] == []
    assert [e["id"] for e in page["events"]] == [str(e.id) for e in events]
    assert page["events"][0]["payload"] == events[0].payload


def test_other_stations_events_come_in_full_whatever_the_mark(enroll: Any) -> None:
    village, township = enroll(VILLAGE), enroll(TOWNSHIP, "township")
    events = village.new_case()
    village.push(events)
    page = _pull(township, after=0, own_upto=10**6)
    assert page["acks"] == [] and [e["id"] for e in page["events"]] == [str(e.id) for e in events]


def test_a_pull_with_nothing_in_scope_moves_past_other_townships_events(enroll: Any) -> None:
    village, elsewhere = enroll(VILLAGE), enroll(OTHER_TOWN_VILLAGE)
    township = enroll(TOWNSHIP, "township")
    village.push(village.new_case())
    cursor = township.pull(0)["next_cursor"]
    last = [elsewhere.push(elsewhere.new_case())[-1]["central_seq"] for _ in range(3)][-1]
    page = township.pull(cursor)
    assert page["events"] == [] and not page["has_more"]
    assert page["next_cursor"] == last  # the next pull starts after them
    mine = village.push(village.new_case())
    assert [e["central_seq"] for e in township.pull(last)["events"]] == [
        r["central_seq"] for r in mine
    ]
