"""The case lifecycle as an explicit transition table, per role.

| state | 名称 | who moves it on |
|---|---|---|
| draft | 草稿 | agent: edit, receive, discard |
| received | 已收件 | agent: edit, submit, withdraw |
| submitted | 已报送 | township: accept, return, reject; agent: withdraw |
| returned | 补正中 | agent: correct, supplement, edit, resubmit, withdraw; township: reject |
| accepted | 已受理 | township/county: forward, pause, complete (the township only
  for items whose handling path lets it decide: ``check_handling_path``) |
| processing | 办理中 | county: pause, complete |
| paused | 特别程序 | township/county: resume |
| (any) | — | reviewer: claim 认领 (a note); anyone: acknowledge, reveal an ID (audited) |
| completed | 办结 | agent: hand over |
| delivered | 已送达 | agent: rate (once); agent/county: correct the rating (audited) |
| rejected | 不予受理 | agent: hand the 不予受理通知书 over (once; the case stays refused) |
| withdrawn / discarded | — | nobody |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sync.events import EventKind, Role


class CaseState(StrEnum):
    """Where a case is in its life."""

    draft = "draft"  # 草稿
    received = "received"  # 已收件
    submitted = "submitted"  # 已报送
    returned = "returned"  # 补正中
    accepted = "accepted"  # 已受理
    processing = "processing"  # 办理中 (转办/上级审核)
    paused = "paused"  # 特别程序 (公示/调查)
    completed = "completed"  # 办结
    delivered = "delivered"  # 已送达
    rejected = "rejected"  # 不予受理
    withdrawn = "withdrawn"  # 已撤件
    discarded = "discarded"  # 草稿已删除


TERMINAL_STATES = frozenset({CaseState.rejected, CaseState.withdrawn, CaseState.discarded})

RESUME_TO_PREVIOUS = None
"""Marker target: ``resumed`` returns the case to the state it was paused in."""


@dataclass(frozen=True)
class Transition:
    """One allowed move: in ``source``, ``kind`` by one of ``roles`` leads to ``target``."""

    source: CaseState
    kind: EventKind
    roles: frozenset[Role]
    target: CaseState | None
    """``None`` means the state does not change (an edit, a rating) or, for
    ``resumed``, the case goes back to where it was paused."""


_A = frozenset({Role.agent})
_T = frozenset({Role.reviewer})
_TC = frozenset({Role.reviewer, Role.admin})
_C = frozenset({Role.admin})
_AC = frozenset({Role.agent, Role.admin})

S, K = CaseState, EventKind

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.draft, K.edited, _A, None),
    Transition(S.draft, K.received, _A, S.received),
    Transition(S.draft, K.discarded, _A, S.discarded),
    Transition(S.received, K.edited, _A, None),
    Transition(S.received, K.supplemented, _A, None),
    Transition(S.received, K.submitted, _A, S.submitted),
    Transition(S.received, K.withdrawn, _A, S.withdrawn),
    # 容缺: the resident brings a deferred material to the station while the case is on
    # its way or being decided; the agent records it (补交), the case stays where it is
    Transition(S.submitted, K.supplemented, _A, None),
    Transition(S.submitted, K.accepted, _TC, S.accepted),
    Transition(S.submitted, K.returned, _TC, S.returned),
    Transition(S.submitted, K.rejected, _TC, S.rejected),
    Transition(S.submitted, K.withdrawn, _A, S.withdrawn),
    Transition(S.returned, K.edited, _A, None),
    Transition(S.returned, K.supplemented, _A, None),
    Transition(S.returned, K.corrected, _A, None),
    Transition(S.returned, K.resubmitted, _A, S.submitted),
    Transition(S.returned, K.withdrawn, _A, S.withdrawn),
    Transition(S.returned, K.rejected, _TC, S.rejected),
    Transition(S.accepted, K.supplemented, _A, None),
    Transition(S.accepted, K.forwarded, _TC, S.processing),
    Transition(S.accepted, K.paused, _TC, S.paused),
    Transition(S.accepted, K.completed, _TC, S.completed),
    Transition(S.processing, K.supplemented, _A, None),
    Transition(S.processing, K.paused, _C, S.paused),
    Transition(S.processing, K.completed, _C, S.completed),
    Transition(S.paused, K.supplemented, _A, None),
    Transition(S.paused, K.resumed, _TC, RESUME_TO_PREVIOUS),
    # 容缺通过: decided with a material still owed, which the resident brings afterwards
    Transition(S.completed, K.supplemented, _A, None),
    Transition(S.completed, K.handed_over, _A, S.delivered),
    Transition(S.delivered, K.supplemented, _A, None),
    Transition(S.delivered, K.rated, _A, None),
    Transition(S.delivered, K.rating_corrected, _AC, None),
    # 送达 of a refusal: the agent hands the township's 不予受理通知书 to the resident (who
    # filed through the station); the case stays refused, only its delivery is recorded
    # (once: ``sync.reducer`` refuses a second)
    Transition(S.rejected, K.handed_over, _A, None),
)

NOTE_ROLES: dict[EventKind, frozenset[Role]] = {
    EventKind.acknowledged: frozenset(Role),
    EventKind.claimed: _TC,  # 认领: a reviewer (or the county) takes the case
    EventKind.id_revealed: frozenset(Role),  # 查看完整号码: whoever looked, audited
}
"""Kinds that note something on an existing case in any state, by the roles named, and
never move it; they are not lifecycle moves and not offered in menus."""

NOTE_KINDS = frozenset(NOTE_ROLES)

DECIDING_LEVEL_OF_ROLE: dict[Role, str] = {Role.reviewer: "township", Role.admin: "county"}
"""The administrative level (``forms.catalog.model.Level``) a role decides for."""

PATH_DECIDES_ELSEWHERE = "the catalog has this item decided by the {level}: forward it"
"""Why a 办结 by a level the item's handling path does not let decide is refused."""

PATH_ACCEPTS_ELSEWHERE = "the catalog has this item accepted by the {level}: not by the township"
"""Why a township's 受理 / 退回补正 / 不予受理 of an item the county accepts is refused."""

ACCEPTING_KINDS = frozenset({EventKind.accepted, EventKind.returned, EventKind.rejected})
"""The decisions of acceptance (§32): made by the level the handling path says accepts."""

TOWNSHIP_ACCEPTS = frozenset({"village", "township"})
"""Accepting levels a township reviewer may act for (a village item goes through it too)."""

_BY_KEY: dict[tuple[CaseState, EventKind], Transition] = {
    (t.source, t.kind): t for t in TRANSITIONS
}


def find_transition(state: CaseState, kind: EventKind) -> Transition | None:
    """The transition ``kind`` makes from ``state``, or None if it is not allowed there."""
    if kind is EventKind.created:
        return None
    return _BY_KEY.get((state, kind))


def allowed_kinds(state: CaseState, role: Role) -> list[EventKind]:
    """What ``role`` may do to a case in ``state``, in table order (for menus and CLIs)."""
    return [t.kind for t in TRANSITIONS if t.source is state and role in t.roles]


def check_transition(state: CaseState | None, kind: EventKind, role: Role) -> str | None:
    """Why ``role`` may not do ``kind`` in ``state``, or None when it may.

    Args:
        state: the case's state, or None for a case that does not exist yet.
        kind: what the actor wants to do.
        role: who the actor is.

    Returns:
        A reason in English (a message id for translation), or None.
    """
    if state is None:
        if kind is EventKind.created and role is Role.agent:
            return None
        return "the case does not exist"
    if kind is EventKind.created:
        return "the case already exists"
    if kind in NOTE_KINDS:
        if role not in NOTE_ROLES[kind]:
            return f"a {role.value} may not do this while the case is {state.value}"
        return None
    transition = find_transition(state, kind)
    if transition is None:
        return f"not allowed while the case is {state.value}"
    if role not in transition.roles:
        return f"a {role.value} may not do this while the case is {state.value}"
    return None


def check_handling_path(
    kind: EventKind, role: Role, decide_level: str | None, accept_level: str | None = None
) -> str | None:
    """Why ``role`` may not do ``kind`` given the level the catalog lets decide the item.

    The catalog's handling path (``HandlingPath.decide``) names who decides (办结) an
    item: a township reviewer completes only items the township decides; the others
    are forwarded (转办). The county (admin) may complete any item.

    Args:
        kind: what the actor wants to do.
        role: who the actor is.
        decide_level: the item's ``path.decide`` (None: the item is not known here).
        accept_level: the item's ``path.accept`` (None: not known); a township reviewer
            accepts, returns or rejects only items a township (or village) accepts.

    Returns:
        A reason in English (a message id), or None.
    """
    if role is Role.admin:
        return None
    if kind in ACCEPTING_KINDS and role is Role.reviewer and accept_level is not None:
        if accept_level not in TOWNSHIP_ACCEPTS:
            return PATH_ACCEPTS_ELSEWHERE.format(level=accept_level)
        return None
    if kind is not EventKind.completed or decide_level is None:
        return None
    if DECIDING_LEVEL_OF_ROLE.get(role) == decide_level:
        return None
    return PATH_DECIDES_ELSEWHERE.format(level=decide_level)
