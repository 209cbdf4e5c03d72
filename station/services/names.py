"""People-facing names of states, actions and roles (translated on use)."""

from __future__ import annotations

from station.services import _
from sync.events import EventKind, Role
from sync.lifecycle import CaseState
from sync.unresolved import UnresolvedState

STATE_NAMES: dict[CaseState, str] = {
    CaseState.draft: "draft",
    CaseState.received: "taken in",
    CaseState.submitted: "submitted",
    CaseState.returned: "returned for correction",
    CaseState.accepted: "accepted",
    CaseState.processing: "in process",
    CaseState.paused: "paused for a special procedure",
    CaseState.completed: "completed",
    CaseState.delivered: "delivered",
    CaseState.rejected: "rejected",
    CaseState.withdrawn: "withdrawn",
    CaseState.discarded: "discarded",
}

ACTION_NAMES: dict[EventKind, str] = {
    EventKind.created: "create",
    EventKind.edited: "edit",
    EventKind.discarded: "discard",
    EventKind.received: "take in",
    EventKind.submitted: "submit",
    EventKind.accepted: "accept",
    EventKind.returned: "return for correction",
    EventKind.supplemented: "supplement materials",
    EventKind.resubmitted: "resubmit",
    EventKind.rejected: "reject",
    EventKind.forwarded: "forward",
    EventKind.paused: "pause",
    EventKind.resumed: "resume",
    EventKind.completed: "complete",
    EventKind.handed_over: "hand over",
    EventKind.rated: "rate",
    EventKind.withdrawn: "withdraw",
    EventKind.acknowledged: "acknowledge",
    EventKind.corrected: "correct",
    EventKind.rating_corrected: "correct the rating",
    EventKind.reported: "record what could not be done",
    EventKind.claimed: "claim",
    EventKind.id_revealed: "look at the full ID number",
}

RECORD_STATE_NAMES: dict[UnresolvedState, str] = {
    UnresolvedState.reported: "reported",
}
"""States of a 办不成事 record."""

ROLE_NAMES: dict[Role, str] = {
    Role.agent: "village agent",
    Role.reviewer: "township reviewer",
    Role.admin: "county administrator",
}


MATERIAL_STATE_NAMES: dict[str, str] = {
    "provided": "provided",
    "deferred": "deferred (容缺)",
    "shared": "shared 免证办",
    "missing": "missing",
}
"""A material's states by their stored value (translated on use)."""


def material_state_name(state: str) -> str:
    """The translated name of a material's state (已提供, 容缺后补, ...); an unknown one as is."""
    return _(MATERIAL_STATE_NAMES[state]) if state in MATERIAL_STATE_NAMES else state


def state_name(state: CaseState | str) -> str:
    """The translated name of a case state (已收件, 补正中, ...)."""
    state = CaseState(state)
    return _(STATE_NAMES.get(state, state.value))


def action_name(kind: EventKind | str) -> str:
    """The translated name of an action (受理, 退回补正, ...)."""
    kind = EventKind(kind)
    return _(ACTION_NAMES.get(kind, kind.value))


def role_name(role: Role | str) -> str:
    """The translated name of a role (代办员, 乡镇审核员, 县级管理员)."""
    role = Role(role)
    return _(ROLE_NAMES.get(role, role.value))


def record_state_name(state: UnresolvedState | str) -> str:
    """The translated name of a 办不成事 record's state (已登记, ...)."""
    state = UnresolvedState(state)
    return _(RECORD_STATE_NAMES.get(state, state.value))
