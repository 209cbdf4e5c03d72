"""闭环 at the desk: the county's and the township's work items, and the outcomes a village sees.

The county administrator and the township reviewer work over the person's own line
to the centre (:meth:`Desk.centre`); a station fetches the outcomes of what it
recorded with its token during sync (:func:`fetch_outcomes`), and never fails a
sync for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forms.clock import format_minute
from station.services import _
from station.services.desk import Desk
from station.store import StationStore
from station.store.outcomes import loop_cursor, outcome_of, save_outcomes
from sync.client import CentralClient
from sync.events import Role

log = logging.getLogger(__name__)

STATE_NAMES = {
    "open": _("to assign 待分派"),
    "assigned": _("assigned 已分派"),
    "visited": _("visited 已回访"),
    "rectified": _("rectified 已整改"),
    "fed_back": _("fed back 已反馈"),
    "closed": _("closed 已办结"),
    "withdrawn": _("withdrawn 已撤销"),
}
STEP_NAMES = {
    "created": _("created 生成"),
    "assigned": _("assign 分派"),
    "visited": _("visit 回访核实"),
    "rectified": _("rectify 整改"),
    "fed_back": _("feedback 反馈"),
    "appealed": _("appeal 申诉"),
    "appeal_decided": _("appeal decided 申诉裁定"),
    "closed": _("close 办结"),
    "withdrawn": _("withdrawn 撤销"),
    "reopened": _("reopened 重新打开"),
    "rating_corrected": _("rating corrected 评价更正"),
}
CARD_NAMES = {"red": _("red 红牌"), "yellow": _("yellow 黄牌"), "": ""}
STEP_FROM = {
    "visited": ("assigned", "visited"),
    "rectified": ("visited", "rectified"),
    "fed_back": ("rectified", "fed_back"),
}
OPEN_STATES = ("open", "assigned", "visited", "rectified", "fed_back")


def fetch_outcomes(store: StationStore, client: CentralClient) -> int:
    """Fetch the outcomes of items recorded here since the last fetch; never raises.

    Returns:
        How many outcomes arrived (0 also when the fetch failed: the next sync retries).
    """
    try:
        answer = client.request("GET", "/loops/outcomes", params={"after": loop_cursor(store)})
        body = answer.json()
        save_outcomes(store, list(body["items"]), int(body["next"]))
        return len(body["items"])
    except Exception as error:  # noqa: BLE001 - an outcome fetch must never fail the sync
        log.warning("loop outcomes not fetched: %s", type(error).__name__)
        return 0


INTERNAL_DETAIL = frozenset({"unit_kind", "unit"})
"""Step details kept for the record but not for people (codes; the unit's name is shown)."""


def _when(text: str | None) -> str:
    return format_minute(datetime.fromisoformat(text)) if text else ""


OUTCOME_NAMES = {"overturned": "bad rating overturned", "upheld": "bad rating upheld"}
"""An appeal's decision as the centre records it (a code), in words (translated on use)."""


def step_line(step: dict[str, Any]) -> str:
    """One step as a line: when (China time), what, who, and what was said."""
    detail = step.get("detail") or {}
    said = "；".join(
        _(OUTCOME_NAMES[value]) if key == "outcome" and value in OUTCOME_NAMES else str(value)
        for key, value in detail.items()
        if value not in (None, "") and key not in INTERNAL_DETAIL
    )
    who = step.get("actor_name") or step.get("actor_username") or _("the centre")
    name = STEP_NAMES.get(step["action"], step["action"])
    return f"{_when(step.get('at'))}  {name}  {who}" + (f"：{said}" if said else "")


def outcome_lines(store: StationStore, number: str) -> list[str]:
    """What the county's 闭环 made of the case or record ``number`` (empty when none)."""
    outcome = outcome_of(store, number)
    if outcome is None:
        return []
    state = STATE_NAMES.get(outcome["state"], outcome["state"])
    head = _("闭环 {state} · responsible unit: {unit}").format(
        state=state, unit=outcome.get("unit_name") or "—"
    )
    shown = ("visited", "rectified", "fed_back", "appeal_decided", "closed", "withdrawn")
    return [head] + [step_line(s) for s in outcome.get("steps", []) if s["action"] in shown]


def loop_state(store: StationStore, number: str) -> str:
    """The 闭环 state of the case or record ``number`` ("" before the county took it up)."""
    outcome = outcome_of(store, number)
    if outcome is None:
        return ""
    return _("闭环 {state}").format(state=STATE_NAMES.get(outcome["state"], outcome["state"]))


@dataclass(frozen=True)
class LoopRow:
    """One line of the loop list."""

    id: int
    card: str
    source: str
    unit: str
    days_left: str
    state: str


def source_text(item: dict[str, Any]) -> str:
    """差评 of case N / 办不成事 record BCS-…."""
    if item["source_kind"] == "rating":
        return _("差评 {number}").format(number=item["source_number"])
    return _("办不成事 {number}").format(number=item["source_number"])


def row_of(item: dict[str, Any]) -> LoopRow:
    """The list's line of an item."""
    open_ = item["state"] in OPEN_STATES
    return LoopRow(
        id=int(item["id"]),
        card=CARD_NAMES.get(item.get("card", ""), ""),
        source=source_text(item),
        unit=item.get("unit_name") or "—",
        days_left=_days_left(item.get("days_left")) if open_ else "",
        state=STATE_NAMES.get(item["state"], item["state"]),
    )


def limit_text(item: dict[str, Any]) -> str:
    """The item's time limit: counted down (or 超期) while it is open, its date alone once
    it is closed or withdrawn (a closed item still said 剩余 15 个工作日)."""
    due = item.get("due", "")
    if item["state"] not in OPEN_STATES:
        return _("time limit {due}").format(due=due) if due else ""
    days = item.get("days_left")
    if isinstance(days, int) and days < 0:
        return _("due {due}, {n} working days over").format(due=due, n=-days)
    return _("due {due}, {days} working days left").format(due=due, days=days)


def _days_left(days: int | None) -> str:
    """Working days left, or how many the item is overdue (超期)."""
    if days is None:
        return ""
    return str(days) if days >= 0 else _("overdue {n}").format(n=-days)


def actions_for(role: Role | None, item: dict[str, Any]) -> list[str]:
    """What the signed-in role may do to the item now (the centre checks again)."""
    state, found = item["state"], []
    if role is Role.admin:
        found += ["assign"] if state in ("open", "assigned") else []
        found += ["decide"] if item.get("appeal") == "pending" else []
        found += ["close"] if state == "fed_back" else []
    unit_does = role is Role.reviewer or (role is Role.admin and item["unit_kind"] == "department")
    if unit_does:
        found += [action for action, before in STEP_FROM.items() if state in before]
    appealable = item["source_kind"] == "rating" and not item.get("appeal")
    if role is Role.reviewer and appealable and state in OPEN_STATES[1:]:
        found.append("appeal")
    return found


class Loops:
    """The loop list and its acts, over the signed-in person's line to the centre."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def items(self, state: str | None = None, card: str | None = None) -> list[dict[str, Any]]:
        """The items the person may see (the county's, or the township's own)."""
        params = {k: v for k, v in (("state", state), ("card", card)) if v}
        return list(self.desk.centre().get("/loops", **params))

    def item(self, item_id: int) -> dict[str, Any]:
        """One item with its steps."""
        return dict(self.desk.centre().get(f"/loops/{item_id}"))

    def townships(self) -> list[tuple[str, str]]:
        """(name, code) of the county's townships, for 分派."""
        divisions = self.desk.catalog().divisions
        return [(d.name, d.code) for d in divisions if d.level == "township"]

    def act(self, item_id: int, action: str, answer: dict[str, Any]) -> dict[str, Any]:
        """Do ``action`` (assign, visited, rectified, fed_back, appeal, decide, close)."""
        line, base = self.desk.centre(), f"/loops/{item_id}"
        if action == "assign":
            return dict(line.post(f"{base}/assign", answer))
        if action in STEP_FROM:
            return dict(line.post(f"{base}/steps/{action}", {"detail": answer}))
        if action == "decide":
            return dict(line.post(f"{base}/appeal-decision", answer))
        path = {"appeal": "appeal", "close": "close"}[action]
        return dict(line.post(f"{base}/{path}", {"text": answer.get("text", "")}))
