"""闭环: the county follows every 差评 and 办不成事 to its end (items are opened by ``loop_intake``).

| state | 名称 | next, by whom |
|---|---|---|
| open | 待分派 | 分派 assign: the county |
| assigned | 已分派 | 回访核实 visit: the township reviewer (the county for a department) |
| visited | 已回访 | 整改 rectify: the same |
| rectified | 已整改 | 反馈 feedback to the resident: the same |
| fed_back | 已反馈 | 办结 close: the county |
| closed | 已办结 | — |
| withdrawn | 已撤销 | the rating was corrected out of 差评 before anyone worked on it |

Closing is the county's alone: the township reports 反馈, the county checks and
closes (one place that says an item is done). A 差评 the responsible unit thinks
mistaken is appealed (申诉复核) and decided by the county; an overturned one closes
the item and leaves the satisfaction figures (:func:`overturned_ratings`).
Every step is an append-only ``loop_step`` row and an audited ``admin_action``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlmodel import Session

from central.i18n import _
from central.models import LoopItem, LoopStep, Station, as_utc, utcnow
from central.services.admin_audit import record_action
from central.services.loop_intake import ITEMS, add_step, touch
from central.services.scope import in_scope
from central.services.sessions import Person
from forms.clock import china_day, china_today
from forms.workdays import due_date, working_days_between

OPEN_STATES = frozenset({"open", "assigned", "visited", "rectified", "fed_back"})
STEP_FROM = {
    "visited": frozenset({"assigned", "visited"}),
    "rectified": frozenset({"visited", "rectified"}),
    "fed_back": frozenset({"rectified", "fed_back"}),
}
"""回访 / 整改 / 反馈: the states each may be recorded in (again, to add to it)."""
YELLOW_DAYS = 3
"""黄牌: this many working days left, or fewer."""


class LoopRefused(Exception):
    """The act is not allowed; ``status`` is the HTTP status, the message is Chinese."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Deadline:
    """An item's limit: the due day, working days left, and its card (red/yellow/none)."""

    due: date
    days_left: int
    card: str


def deadline(item: LoopItem, limit: int, today: date | None = None) -> Deadline:
    """The item's due day (``limit`` working days after creation) and its 红黄牌 today.

    A closed or withdrawn item carries no card.
    """
    created = as_utc(item.created_at)
    assert created is not None
    due = due_date(china_day(created), limit).date
    left = working_days_between(today or china_today(), due)
    card = ""
    if item.state in OPEN_STATES:
        card = "red" if left < 0 else "yellow" if left <= YELLOW_DAYS else ""
    return Deadline(due, left, card)


def _is_admin(person: Person) -> bool:
    return person.user.role == "admin" and person.station.role == "county"


def _is_unit_reviewer(person: Person, item: LoopItem) -> bool:
    station = person.station
    return (
        person.user.role == "reviewer"
        and station.role == "township"
        and item.unit_kind == "township"
        and item.unit[:9] == station.division[:9]
    )


def visible(person: Person, item: LoopItem) -> bool:
    """Whether the person may see the item: the county's admin, or its township's reviewer."""
    if _is_admin(person):
        return in_scope(item.division, person.station.division, "county")
    return _is_unit_reviewer(person, item)


def list_items(
    *,
    session: Session,
    person: Person,
    limit: int,
    state: str | None = None,
    unit: str | None = None,
    card: str | None = None,
) -> list[tuple[LoopItem, Deadline]]:
    """The items the person may see, oldest first, filtered by state, unit and card colour."""
    query = select(LoopItem).order_by(LoopItem.id)  # type: ignore[arg-type]
    if state:
        query = query.where(LoopItem.state == state)  # type: ignore[arg-type]
    if unit:
        query = query.where(LoopItem.unit == unit)  # type: ignore[arg-type]
    today = china_today()
    found = []
    for item in session.scalars(query):
        if not visible(person, item):
            continue
        line = deadline(item, limit, today)
        if card and line.card != card:
            continue
        found.append((item, line))
    return found


def get_item(session: Session, person: Person, item_id: int) -> LoopItem:
    """One item the person may see.

    Raises:
        LoopRefused: 404 when there is none (or the person may not see it).
    """
    item = session.get(LoopItem, item_id)
    if item is None or not visible(person, item):
        raise LoopRefused(404, _("There is no such 闭环 item."))
    return item


def steps_of(session: Session, item_id: int) -> list[LoopStep]:
    """The item's steps, in order."""
    query = select(LoopStep).where(LoopStep.item_id == item_id).order_by(LoopStep.id)  # type: ignore[arg-type]
    return list(session.scalars(query))


def _step(session: Session, person: Person, item: LoopItem, action: str, **changes: Any) -> None:
    """Record one act: its step, the item's change, its audit — one transaction, committed."""
    detail = changes.pop("detail", {})
    connection = session.connection()
    assert item.id is not None
    add_step(
        connection,
        item.id,
        action,
        username=person.username,
        name=person.user.display_name,
        role=person.user.role,
        detail=detail,
    )
    if changes or action:
        touch(connection, item.id, **changes)
    record_action(
        session, person, f"loop.{action}", item.source_number, {"item": item.id, **detail}
    )
    session.commit()
    session.refresh(item)


def _need(condition: bool, status: int, message: str) -> None:
    if not condition:
        raise LoopRefused(status, message)


def assign(
    *, session: Session, person: Person, item_id: int, unit_kind: str, unit: str, unit_name: str
) -> LoopItem:
    """分派: the county names the responsible unit (a township by code, or a department)."""
    item = get_item(session, person, item_id)
    _need(_is_admin(person), 403, _("Only the county assigns a 闭环 item."))
    _need(item.state in {"open", "assigned"}, 409, _("This item is past assignment."))
    _need(
        unit_kind in {"township", "department"} and bool(unit.strip()),
        422,
        _("Name the responsible unit."),
    )
    if unit_kind == "township":
        _need(
            len(unit) == 12
            and unit.isdigit()
            and in_scope(unit, person.station.division, "county"),
            422,
            _("The township must be one of this county's."),
        )
    detail = {"unit_kind": unit_kind, "unit": unit.strip(), "unit_name": unit_name.strip() or unit}
    _step(
        session,
        person,
        item,
        "assigned",
        state="assigned",
        detail=detail,
        unit_kind=unit_kind,
        unit=unit.strip(),
        unit_name=detail["unit_name"],
    )
    return item


def record(
    *, session: Session, person: Person, item_id: int, action: str, detail: dict[str, str]
) -> LoopItem:
    """回访核实 / 整改 / 反馈: the responsible township's reviewer (the county for a department).

    ``detail``: visited — when, how (电话/上门/来访), found; rectified — what;
    fed_back — when, how, response (the resident's).
    """
    item = get_item(session, person, item_id)
    allowed = _is_unit_reviewer(person, item) or (
        _is_admin(person) and item.unit_kind == "department"
    )
    _need(allowed, 403, _("Only the responsible unit records this."))
    _need(action in STEP_FROM, 422, _("Unknown step."))
    _need(item.state in STEP_FROM[action], 409, _("This step does not come next for the item."))
    needed = {
        "visited": ("when", "how", "found"),
        "rectified": ("what",),
        "fed_back": ("when", "how", "response"),
    }
    clean = {key: str(detail.get(key, "")).strip() for key in needed[action]}
    _need(all(clean.values()), 422, _("Fill in every part of the step."))
    _step(session, person, item, action, state=action, detail=clean)
    return item


def appeal(*, session: Session, person: Person, item_id: int, reason: str) -> LoopItem:
    """申诉复核: the responsible unit says the 差评 was mistaken, and why."""
    item = get_item(session, person, item_id)
    _need(_is_unit_reviewer(person, item), 403, _("Only the responsible unit appeals."))
    _need(item.source_kind == "rating", 409, _("Only a 差评 can be appealed."))
    _need(
        item.state in OPEN_STATES and item.appeal == "", 409, _("This item cannot be appealed now.")
    )
    _need(bool(reason.strip()), 422, _("Say why the 差评 is mistaken."))
    _step(session, person, item, "appealed", appeal="pending", detail={"reason": reason.strip()})
    return item


def decide_appeal(
    *, session: Session, person: Person, item_id: int, overturn: bool, note: str
) -> LoopItem:
    """The county decides an appeal: upheld (the 差评 stands) or overturned (it is excluded)."""
    item = get_item(session, person, item_id)
    _need(_is_admin(person), 403, _("Only the county decides an appeal."))
    _need(item.appeal == "pending", 409, _("There is no appeal to decide."))
    outcome = "overturned" if overturn else "upheld"
    changes: dict[str, Any] = {"appeal": outcome}
    if overturn:  # a mistaken 差评: nothing left to follow up
        changes.update(state="closed", closed_at=utcnow())
    _step(
        session,
        person,
        item,
        "appeal_decided",
        detail={"outcome": outcome, "note": note.strip()},
        **changes,
    )
    return item


def close(*, session: Session, person: Person, item_id: int, note: str) -> LoopItem:
    """办结: the county closes an item once the resident was given feedback."""
    item = get_item(session, person, item_id)
    _need(_is_admin(person), 403, _("Only the county closes a 闭环 item."))
    _need(item.state == "fed_back", 409, _("An item is closed after the feedback to the resident."))
    _step(
        session,
        person,
        item,
        "closed",
        state="closed",
        closed_at=utcnow(),
        detail={"note": note.strip()},
    )
    return item


def outcomes(
    *, session: Session, station: Station, after: int, limit: int = 200
) -> list[tuple[LoopItem, list[LoopStep]]]:
    """Items changed after ``after`` whose source is in the station's scope, with their steps."""
    query = (
        select(LoopItem)
        .where(LoopItem.updated_seq > after)  # type: ignore[arg-type]
        .order_by(LoopItem.updated_seq)  # type: ignore[arg-type]
    )
    found = []
    for item in session.scalars(query):
        if in_scope(item.division, station.division, station.role):
            assert item.id is not None
            found.append((item, steps_of(session, item.id)))
        if len(found) >= limit:
            break
    return found


LATEST_SEQ = select(ITEMS.c.updated_seq).order_by(ITEMS.c.updated_seq.desc()).limit(1)
"""Built once: every pull page announces it (``central.services.pull.page_status``)."""


def latest_seq(session: Session) -> int:
    """The newest change stamp of any item (a station's cursor moves past what it may not
    see; a pull page announces it, so a station fetches outcomes only when it moved)."""
    return int(session.connection().execute(LATEST_SEQ).scalar() or 0)


def overturned_ratings(session: Session) -> set[UUID]:
    """The case ids whose 差评 the county overturned on appeal (left out of satisfaction figures)."""
    query = select(ITEMS.c.source_id).where(
        ITEMS.c.source_kind == "rating", ITEMS.c.appeal == "overturned"
    )
    return set(session.scalars(query))
