"""Who may write what on a case routed to another township (区内通办)."""

from __future__ import annotations

import pytest

from central.services.scope import scope_prefix, write_problem
from sync.events import Role
from sync.protocol import StationRole

VILLAGE = "640522100201"
HAICHENG = "640522100000"
LIWANG = "640522101000"
OUTSIDE = "the case is outside this station's scope"


@pytest.mark.parametrize(
    ("role", "station", "station_role", "scope", "expected"),
    [
        # a usual case: the village's township decides, as before
        (Role.reviewer, HAICHENG, StationRole.township, "", None),
        (Role.agent, VILLAGE, StationRole.village, "", None),
        # routed to 李旺镇: 李旺镇 decides, 海城镇 may not, the village keeps its intake
        (Role.reviewer, LIWANG, StationRole.township, LIWANG, None),
        (Role.reviewer, HAICHENG, StationRole.township, LIWANG, OUTSIDE),
        (Role.agent, VILLAGE, StationRole.village, LIWANG, None),
        (
            Role.agent,
            LIWANG,
            StationRole.township,
            LIWANG,
            "a township station may not write agent events for this case",
        ),
        (Role.admin, "640522000000", StationRole.county, LIWANG, None),
    ],
)
def test_write_problem_follows_the_handling_division(
    role: Role, station: str, station_role: StationRole, scope: str, expected: str | None
) -> None:
    assert write_problem(VILLAGE, role, station, station_role, scope) == expected


def test_a_township_taking_in_for_another_township_writes_intake_only() -> None:
    assert write_problem(HAICHENG, Role.agent, HAICHENG, StationRole.township, LIWANG) is None
    assert write_problem(HAICHENG, Role.reviewer, HAICHENG, StationRole.township, LIWANG) == (
        "a township station may not write reviewer events for this case"
    )


def test_a_station_role_is_the_same_as_text_or_member_and_another_text_is_refused() -> None:
    assert scope_prefix(VILLAGE, "township") == scope_prefix(VILLAGE, StationRole.township)
    assert scope_prefix(VILLAGE, "county") == "640522"
    assert write_problem(VILLAGE, Role.agent, VILLAGE, "village") is None
    with pytest.raises(ValueError, match="'province' is not a valid StationRole"):
        scope_prefix(VILLAGE, "province")
    with pytest.raises(ValueError, match="'province' is not a valid StationRole"):
        write_problem(VILLAGE, Role.agent, VILLAGE, "province")
