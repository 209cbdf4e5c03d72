"""闭环 over the API: the county's list and decisions, the township's steps, the stations' outcomes.

The county administrator (``AdminDep``) lists, assigns, decides appeals and closes;
a township reviewer signed in at a township station (``PersonDep``) lists the items
assigned to the township and records 回访 / 整改 / 反馈 and 申诉. A station's token
alone reads only the outcomes of what it recorded (``GET /loops/outcomes``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from central.api.deps import AdminDep, PersonDep, SessionDep, SettingsDep, StationDep
from central.api.routing import ReleasingRoute
from central.models import LoopItem, LoopStep, as_utc
from central.services import loops
from central.services.loops import Deadline, LoopRefused

router = APIRouter(prefix="/loops", tags=["loops"], route_class=ReleasingRoute)


class AssignRequest(BaseModel):
    """分派: a township (``unit`` its 12-digit code) or a county department (``unit`` its name)."""

    unit_kind: str
    unit: str
    unit_name: str = ""


class StepRequest(BaseModel):
    """回访 (when, how, found) / 整改 (what) / 反馈 (when, how, response)."""

    detail: dict[str, str]


class TextRequest(BaseModel):
    """An appeal's reason, or a note on a decision or a close."""

    text: str = ""


class DecisionRequest(BaseModel):
    """申诉复核: overturn the 差评 (True) or uphold it (False)."""

    overturn: bool
    note: str = ""


def _when(moment: datetime | None) -> str | None:
    moment = as_utc(moment)
    return moment.isoformat() if moment else None


def _step(step: LoopStep) -> dict[str, Any]:
    return {
        "action": step.action,
        "at": _when(step.at),
        "actor_username": step.actor_username,
        "actor_name": step.actor_name,
        "actor_role": step.actor_role,
        "detail": step.detail,
    }


def _item(item: LoopItem, line: Deadline | None = None) -> dict[str, Any]:
    public = {
        "id": item.id,
        "source_kind": item.source_kind,
        "source_id": str(item.source_id),
        "source_number": item.source_number,
        "division": item.division,
        "station_name": item.station_name,
        "words": item.words,
        "rating": item.rating,
        "created_at": _when(item.created_at),
        "state": item.state,
        "unit_kind": item.unit_kind,
        "unit": item.unit,
        "unit_name": item.unit_name,
        "appeal": item.appeal,
        "closed_at": _when(item.closed_at),
        "updated_seq": item.updated_seq,
    }
    if line is not None:
        public |= {"due": line.due.isoformat(), "days_left": line.days_left, "card": line.card}
    return public


def _refusals(act: Callable[[], LoopItem]) -> LoopItem:
    try:
        return act()
    except LoopRefused as refused:
        raise HTTPException(refused.status, refused.message) from refused


@router.get("/outcomes")
def outcomes(station: StationDep, session: SessionDep, after: int = 0) -> dict[str, Any]:
    """What became of the items whose case or record is in the station's scope, after ``after``."""
    found = loops.outcomes(session=session, station=station, after=after)
    full = len(found) >= 200
    cursor = found[-1][0].updated_seq if full else max(after, loops.latest_seq(session))
    items = [_item(item) | {"steps": [_step(s) for s in steps]} for item, steps in found]
    return {"items": items, "next": cursor}


@router.get("")
def list_items(
    person: PersonDep,
    session: SessionDep,
    settings: SettingsDep,
    state: str | None = None,
    unit: str | None = None,
    card: str | None = None,
) -> list[dict[str, Any]]:
    """The county's items (an administrator) or the township's own (its reviewer)."""
    found = loops.list_items(
        session=session,
        person=person,
        limit=settings.loop_limit_workdays,
        state=state,
        unit=unit,
        card=card,
    )
    return [_item(item, line) for item, line in found]


@router.get("/{item_id}")
def show(
    item_id: int, person: PersonDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """One item with its steps."""
    item = _refusals(lambda: loops.get_item(session, person, item_id))
    line = loops.deadline(item, settings.loop_limit_workdays)
    assert item.id is not None
    return _item(item, line) | {"steps": [_step(s) for s in loops.steps_of(session, item.id)]}


@router.post("/{item_id}/assign")
def assign(
    item_id: int, request: AssignRequest, admin: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """分派 (the county)."""
    item = _refusals(
        lambda: loops.assign(
            session=session,
            person=admin,
            item_id=item_id,
            unit_kind=request.unit_kind,
            unit=request.unit,
            unit_name=request.unit_name,
        )
    )
    return _item(item)


@router.post("/{item_id}/steps/{action}")
def record(
    item_id: int, action: str, request: StepRequest, person: PersonDep, session: SessionDep
) -> dict[str, Any]:
    """回访 ``visited`` / 整改 ``rectified`` / 反馈 ``fed_back`` (the responsible unit)."""
    item = _refusals(
        lambda: loops.record(
            session=session, person=person, item_id=item_id, action=action, detail=request.detail
        )
    )
    return _item(item)


@router.post("/{item_id}/appeal")
def appeal(
    item_id: int, request: TextRequest, person: PersonDep, session: SessionDep
) -> dict[str, Any]:
    """申诉复核 (the responsible township)."""
    item = _refusals(
        lambda: loops.appeal(session=session, person=person, item_id=item_id, reason=request.text)
    )
    return _item(item)


@router.post("/{item_id}/appeal-decision")
def decide(
    item_id: int, request: DecisionRequest, admin: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """The county's decision on an appeal."""
    item = _refusals(
        lambda: loops.decide_appeal(
            session=session,
            person=admin,
            item_id=item_id,
            overturn=request.overturn,
            note=request.note,
        )
    )
    return _item(item)


@router.post("/{item_id}/close")
def close(
    item_id: int, request: TextRequest, admin: AdminDep, session: SessionDep
) -> dict[str, Any]:
    """办结 (the county)."""
    item = _refusals(
        lambda: loops.close(session=session, person=admin, item_id=item_id, note=request.text)
    )
    return _item(item)
