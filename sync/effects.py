"""What each event kind does to a case's data (the state move is the lifecycle's).

Used by ``sync.reducer.apply_event`` once an event is known to be allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from forms.clock import china_day
from sync.events import Event, EventKind
from sync.payloads import (
    AcceptedPayload,
    CorrectedPayload,
    CreatedPayload,
    EditedPayload,
    SupplementedPayload,
)
from sync.progress import PAYLOAD_KEY, is_progress_key

if TYPE_CHECKING:
    from pydantic import BaseModel

    from sync.views import CaseView

Pauses = list[tuple[date, date | None]]


def _open_pause(pauses: Pauses, day: date) -> Pauses:
    return [*pauses, (day, None)]


def _close_pause(pauses: Pauses, day: date) -> Pauses:
    if pauses and pauses[-1][1] is None:
        return [*pauses[:-1], (pauses[-1][0], day)]
    return list(pauses)


def _created(view: CaseView, event: Event, p: CreatedPayload) -> dict[str, Any]:
    return {
        "exists": True,
        "kind": p.kind,
        "item_code": p.item_code,
        "item_version": p.item_version,
        "item_name": p.item_name,
        "catalog_version": p.catalog_version,
        "promised_days": p.promised_days,
        "applicant": p.applicant,
        "principal": p.principal,
        "relation": p.relation,
        "fields": dict(p.fields),
        "materials": dict(p.materials),
        "supply_by": dict(p.supply_by),
        "attachments": list(p.attachments),
        "commitment": p.commitment,
        "what": p.what,
        "why": p.why,
        "contact": p.contact,
        "station_id": event.station_id,
        "station_name": p.station_name,
        "agent_name": p.agent_name,
        "agent_phone": p.agent_phone,
        "handling_division": p.handling_division or "",
        "progress_key": _progress_key(p),
        "created_at": event.device_time,
    }


def _progress_key(p: CreatedPayload) -> str:
    key = (p.model_extra or {}).get(PAYLOAD_KEY)
    return key if isinstance(key, str) and is_progress_key(key) else ""


def _edited(view: CaseView, p: EditedPayload) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if p.fields is not None:
        out["fields"] = {**view.fields, **p.fields}
    if p.materials is not None:
        out["materials"] = {**view.materials, **p.materials}
    if p.supply_by is not None:
        out["supply_by"] = {**view.supply_by, **p.supply_by}
    for key in ("applicant", "principal", "relation", "commitment"):
        value = getattr(p, key)
        if value is not None:
            out[key] = value
    return out


def _supplemented(view: CaseView, p: SupplementedPayload) -> dict[str, Any]:
    held = {(a.sha256, a.material_key) for a in view.attachments}
    added = [a for a in p.attachments if (a.sha256, a.material_key) not in held]
    states = {**p.materials, **{a.material_key: "provided" for a in added if a.material_key}}
    return {
        "materials": {**view.materials, **p.materials},
        "attachments": [*view.attachments, *added],
        **_brought(view, states),
    }


BROUGHT = frozenset({"provided", "shared"})
"""A material's statuses that answer a 补正's request for it (a scan of it does too);
容缺 (deferred) or missing do not."""


def _brought(view: CaseView, states: dict[str, Any]) -> dict[str, Any]:
    """What new material statuses do to the 补正's accounts: while returned, a named one
    brought is answered (set back to 容缺 or missing, it is not any more); after, one
    brought leaves 补正未补."""
    brought = {key for key, state in states.items() if state in BROUGHT}
    out: dict[str, Any] = {}
    if view.state == "returned" and view.answered is not None:  # CaseState.returned
        answered = [k for k in view.answered if k in brought or k not in states]
        answered += [k for k in view.missing if k in brought and k not in answered]
        if answered != view.answered:
            out["answered"] = answered
    if any(key in brought for key in view.unanswered):
        out["unanswered"] = [key for key in view.unanswered if key not in brought]
    return out


def _corrected(view: CaseView, p: CorrectedPayload) -> dict[str, Any]:
    """The new values of a correction (补正更正); a value of None removes a field."""
    fields, materials = dict(view.fields), dict(view.materials)
    people = {"applicant": view.applicant, "principal": view.principal}
    for path, change in p.changes.items():
        section, _, key = path.partition(".")
        if section == "fields":
            if change.new is None:
                fields.pop(key, None)
            else:
                fields[key] = change.new
        elif section == "materials":
            materials[key] = change.new
        elif (person := people.get(section)) is not None:
            people[section] = person.model_copy(update={key: change.new or ""})
    states = {
        path.partition(".")[2]: change.new
        for path, change in p.changes.items()
        if path.startswith("materials.")
    }
    return {"fields": fields, "materials": materials, **people, **_brought(view, states)}


Effect = Callable[["CaseView", Event, Any, date], dict[str, Any]]

_EFFECTS: dict[EventKind, Effect] = {
    EventKind.created: lambda v, e, p, d: _created(v, e, p),
    EventKind.edited: lambda v, e, p, d: _edited(v, p),
    EventKind.received: lambda v, e, p, d: {"received_at": e.device_time},
    EventKind.submitted: lambda v, e, p, d: {"submitted_at": e.device_time},
    EventKind.accepted: lambda v, e, p, d: _accepted(v, e, p),
    EventKind.returned: lambda v, e, p, d: {
        "last_reason": p.reason,
        "missing": list(p.missing),
        "correct_fields": list(p.fields),
        "allow_more": p.allow_more,
        "correct_reasons": dict(p.reasons),
        "answered": [],  # followed from now: what is brought before it comes back
        "unanswered": [],
        "pauses": _open_pause(v.pauses, d),
    },
    EventKind.corrected: lambda v, e, p, d: _corrected(v, p),
    EventKind.supplemented: lambda v, e, p, d: _supplemented(v, p),
    EventKind.resubmitted: lambda v, e, p, d: {
        "pauses": _close_pause(v.pauses, d),
        "missing": [],
        "correct_fields": [],
        "allow_more": False,
        "correct_reasons": {},
        "answered": None,
        "unanswered": [] if v.answered is None else [k for k in v.missing if k not in v.answered],
    },
    EventKind.rejected: lambda v, e, p, d: {
        "last_reason": p.reason,
        "apply_instead": p.apply_instead,
        "reject_basis": p.basis,
        "pauses": _close_pause(v.pauses, d),
    },
    EventKind.forwarded: lambda v, e, p, d: {"forwarded_to": p.to},
    EventKind.paused: lambda v, e, p, d: {
        "paused_from": v.state,
        "pause_kind": p.kind,
        "pause_expected_days": p.expected_days,
        "last_reason": p.reason,
        "pauses": _open_pause(v.pauses, d),
    },
    EventKind.resumed: lambda v, e, p, d: {
        "paused_from": None,
        "pause_kind": None,
        "pause_expected_days": None,
        "pauses": _close_pause(v.pauses, d),
    },
    EventKind.completed: lambda v, e, p, d: {
        "result": p.result,
        "result_note": p.note,
        "completed_at": e.device_time,
    },
    EventKind.handed_over: lambda v, e, p, d: {
        "delivered_at": e.device_time,
        "handed_over_how": p.how,
        "signed_by": p.signed_by,
    },
    EventKind.rated: lambda v, e, p, d: {"rating": p.rating, "rating_reason": p.reason},
    EventKind.rating_corrected: lambda v, e, p, d: {"rating": p.new, "rating_reason": p.reason},
    EventKind.claimed: lambda v, e, p, d: {"claimed_by": e.actor_id, "claimed_name": p.name},
    EventKind.withdrawn: lambda v, e, p, d: {
        "last_reason": p.reason,
        "pauses": _close_pause(v.pauses, d),
    },
}


def _accepted(view: CaseView, event: Event, p: AcceptedPayload) -> dict[str, Any]:
    out: dict[str, Any] = {"accepted_at": event.device_time}
    if p.promised_days is not None:
        out["promised_days"] = p.promised_days
    if p.officer is not None:
        out["officer"] = p.officer
    return out


def effects(view: CaseView, event: Event, payload: BaseModel) -> dict[str, Any]:
    """The data changes ``event`` makes to ``view`` (no state, version or history).

    Args:
        view: the case before the event.
        event: an event already judged allowed.
        payload: its payload, parsed by ``sync.payloads.validate_payload``.

    Returns:
        Field updates for ``CaseView``.
    """
    effect = _EFFECTS.get(event.kind)
    if effect is None:
        return {}
    return effect(view, event, payload, china_day(event.device_time))
