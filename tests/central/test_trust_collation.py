"""Scope filtering under the collation a county creates its PostgreSQL database with.

Found by an independent test: on a cluster made with glibc ``zh_CN.UTF-8`` or ICU
``zh-Hans-CN``, township and county stations pulled nothing (the range bound
``prefix + ':'`` sorts before the digits there) and sync said all was well; a
replacement PC learnt no case numbers of its village (``prefix + '~'``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

from central.services.accounts import create_user
from central.services.stations import numbers_used
from forms.clock import china_today
from sync.events import EventKind
from sync.ids import case_number
from sync.protocol import CASE_NUMBER_TAKEN
from tests.central.conftest import COUNTY, OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2
from tests.pgcluster import PgCluster, has_locale, start_cluster

COLLATIONS = {
    "C": {},
    "zh_CN.UTF-8": {"locale": "zh_CN.UTF-8"},
    "icu-zh-Hans-CN": {"icu_locale": "zh-Hans-CN"},
}

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("trust-collation")]


@pytest.fixture(scope="module", params=list(COLLATIONS))
def locale_cluster(request: pytest.FixtureRequest) -> Iterator[PgCluster]:
    """A throwaway cluster created with the collation under test."""
    options = COLLATIONS[request.param]
    if "locale" in options and not has_locale(options["locale"]):
        pytest.fail(f"the machine lacks the {options['locale']} locale (.ci/system-deps.sh)")
    try:
        cluster = start_cluster(**options, in_memory=True)
    except RuntimeError as exc:
        pytest.skip(f"!!! PostgreSQL tests SKIPPED: {exc} !!!")
    yield cluster
    cluster.stop()


@pytest.fixture
def db_url(locale_cluster: PgCluster) -> str:
    """The central's database on the collation's cluster (overrides the suite's)."""
    return locale_cluster.create_database(f"t_{uuid.uuid4().hex[:12]}")


def _divisions(page: dict[str, Any]) -> set[str]:
    return {event["division"] for event in page["events"]}


def test_township_and_county_pull_their_scope_under_any_collation(
    enroll: Any, session: Session
) -> None:
    agents = {}  # each village's own 代办员 (made for its events)
    for division in (VILLAGE, VILLAGE_2, OTHER_TOWN_VILLAGE):
        station = enroll(division)
        station.push(station.new_case())
        agents[division] = f"agent-{station.id}"
    create_user(
        session=session,
        username="agent-v2",
        display_name="李四",
        role="agent",
        division=VILLAGE_2,
        password="agent-pass-1",
    )
    township, county = enroll(TOWNSHIP, "township"), enroll(COUNTY, "county")

    town_page = township.pull()
    assert _divisions(town_page) == {VILLAGE, VILLAGE_2}
    assert len(town_page["events"]) == 6
    assert sorted(a["username"] for a in town_page["accounts"]) == sorted(
        ["agent-v2", agents[VILLAGE], agents[VILLAGE_2]]
    )
    assert _divisions(county.pull()) == {VILLAGE, VILLAGE_2, OTHER_TOWN_VILLAGE}


def test_a_replacement_pc_learns_its_villages_numbers_under_any_collation(
    enroll: Any, session: Session
) -> None:
    old = enroll(VILLAGE)
    created = old.event(EventKind.created, case_number=case_number(VILLAGE, china_today(), 7))
    old.push([created])

    cases, _records = numbers_used(session, VILLAGE)

    assert cases == {china_today().strftime("%Y%m%d"): 7}


def test_a_held_case_number_is_refused_and_a_new_one_taken_under_any_collation(
    enroll: Any,
) -> None:
    """The push's look-up of its new cases' numbers (one index probe per number) finds a
    number held under the county's collation, and only that one."""
    village = enroll(VILLAGE)
    first = village.new_case()
    village.push(first)

    clash = [e.model_copy(update={"case_number": first[0].case_number}) for e in village.new_case()]
    fresh = village.new_case()
    results = village.push([*clash, *fresh])

    assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied"] * 3
    assert {r["reason"] for r in results[:3]} == {CASE_NUMBER_TAKEN}
