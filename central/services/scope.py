"""Which divisions a station may read and write (its scope 辖区).

A village station's scope is its own 12-digit division; a township station's
is its 9-digit township prefix; a county workstation's the 6-digit county prefix.
A case taken in for a resident of another township (区内通办) is in the scope of
the township in charge (its ``scope_division``), not of the taking village's
township; the taking village keeps it (by its own division).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, and_, bindparam

from sync.events import Role
from sync.protocol import SCOPE_DIGITS, StationRole

_ROLES_ELSEWHERE = {
    StationRole.village: frozenset[Role](),
    StationRole.township: frozenset({Role.reviewer}),
    StationRole.county: frozenset({Role.reviewer, Role.admin}),
}
_ROLES_AT_HOME = {
    StationRole.village: frozenset({Role.agent}),
    StationRole.township: frozenset({Role.agent, Role.reviewer}),
    StationRole.county: frozenset({Role.agent, Role.reviewer, Role.admin}),
}


_INTAKE_ROLES = frozenset({Role.agent})
"""What the taking station may still write on a case routed elsewhere (区内通办)."""


def scope_prefix(division: str, role: StationRole | str) -> str:
    """The division prefix a station of ``role`` at ``division`` covers."""
    return division[: SCOPE_DIGITS[_role(role)]]


_ROLES = {role.value: role for role in StationRole}


def _role(role: StationRole | str) -> StationRole:
    """``StationRole(role)`` (ValueError for another text) without the enum's call, which
    costs ten dict look-ups: it runs twice for every pushed event."""
    return _ROLES.get(role) or StationRole(role)


def in_scope(division: str, station_division: str, role: StationRole | str) -> bool:
    """Whether a case of ``division`` is in the scope of the station."""
    return division.startswith(scope_prefix(station_division, role))


def write_problem(
    case_division: str,
    actor_role: Role,
    station_division: str,
    station_role: StationRole | str,
    scope_division: str = "",
) -> str | None:
    """Why a station may not write an event by ``actor_role`` on a case of ``case_division``.

    A village writes agent events for its own cases only; a township writes its
    own cases and reviewer events for the cases it handles: its villages' and
    those routed to it (区内通办, ``scope_division``); a county also writes admin
    (county) events. The taking station keeps writing its intake (agent) events
    on a case routed elsewhere, never decisions.

    Args:
        case_division: the case's division (the taking station's).
        actor_role: who acts.
        station_division: the writing station's division.
        station_role: its role.
        scope_division: where the case is handled (default: ``case_division``).

    Returns:
        An English reason, or None when the station may write the event.
    """
    role = _role(station_role)
    scope = scope_division or case_division
    home = case_division == station_division
    handled_here = in_scope(scope, station_division, role)
    if not (home or handled_here):
        return "the case is outside this station's scope"
    if home:
        allowed = _ROLES_AT_HOME[role] if handled_here else _INTAKE_ROLES
    else:
        allowed = _ROLES_ELSEWHERE[role]
    if actor_role not in allowed:
        return f"a {role.value} station may not write {actor_role.value} events for this case"
    return None


def division_filter(column: ColumnElement[str], prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as an index-friendly range (no LIKE).

    Division codes are digits only, and every collation a county may create its
    database with (C, glibc ``zh_CN.UTF-8``, ICU ``zh-Hans-CN``) orders strings of
    digits digit by digit. So the range is bounded by digit strings only:
    ``prefix <= column < successor(prefix)`` (``341102`` -> ``341103``). A bound with
    punctuation (``prefix + ':'``) is not: glibc's Chinese locales ignore ``':'`` and
    ICU sorts it before the digits, and the range came out empty there.
    """
    if len(prefix) == 12:
        return column == prefix
    upper = digit_successor(prefix)
    if upper is None:  # all nines: nothing sorts after the prefix's codes
        return column >= prefix
    return and_(column >= prefix, column < upper)


def division_params(prefix: str, *, equal: bool) -> tuple[str, dict[str, str]]:
    """How a column is matched to ``prefix`` with parameters (for a statement built once,
    :func:`division_match`): ``equal`` (a whole code, or ``equal`` asked for), a
    ``range`` of digit strings as in :func:`division_filter`, or ``from`` (all nines);
    and the parameters' values."""
    if equal or len(prefix) == 12:
        return "equal", {"prefix": prefix}
    upper = digit_successor(prefix)
    if upper is None:
        return "from", {"prefix": prefix}
    return "range", {"prefix": prefix, "upper": upper}


def division_match(column: ColumnElement[str], kind: str) -> ColumnElement[bool]:
    """:func:`division_filter` with bound parameters ``prefix`` (and ``upper``), of the
    ``kind`` :func:`division_params` gives."""
    if kind == "equal":
        return column == bindparam("prefix", type_=String)
    if kind == "from":
        return column >= bindparam("prefix", type_=String)
    return (column >= bindparam("prefix", type_=String)) & (
        column < bindparam("upper", type_=String)
    )


def digit_successor(prefix: str) -> str | None:
    """The next digit string of the same length (``'640522'`` -> ``'640523'``), None after
    all nines; every code starting with ``prefix`` sorts before it, every other code after.

    Raises:
        ValueError: ``prefix`` is not digits.
    """
    if not prefix.isdigit():
        raise ValueError(f"a division prefix is digits, got {prefix!r}")
    number = int(prefix) + 1
    if number >= 10 ** len(prefix):
        return None
    return str(number).zfill(len(prefix))
