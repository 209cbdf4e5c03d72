"""办不成事: a record of its own (not a case), with its own numbers, states and fold.

A record travels in the same event stream as cases (one gapless station
sequence, one pull cursor) but its events have kinds of their own
(``sync.events.RECORD_KINDS``); every end folds them here, into an
:class:`UnresolvedView`, and keeps them in a table of their own, so a record is
never listed, counted or reconciled as a case.

| state | 名称 | who moves it on |
|---|---|---|
| reported | 已登记 | the county's loop (issue 3) |
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from sync.events import Event, EventKind, EventStatus, RecordedEvent, Role, is_record_event
from sync.payloads import validate_payload
from sync.views import EntryStatus, HistoryEntry, copied, history_entry

UNRESOLVED_NUMBER_RE = re.compile(r"^BCS-(?P<division>\d{12})-(?P<day>\d{8})-(?P<seq>\d{4,})$")
"""``BCS-640522100201-20261201-0001``: 办不成事 numbers, a series apart from case numbers."""


def unresolved_number(division: str, day: date, sequence: int) -> str:
    """The number of a 办不成事 record (ASCII, unique without asking anyone).

    Args:
        division: the station's 12-digit division code.
        day: the day (in China) the record was made.
        sequence: the station's own 办不成事 sequence for that day, from 1.

    Returns:
        e.g. ``BCS-640522100201-20261201-0001``.
    """
    if not (len(division) == 12 and division.isdigit()):
        raise ValueError(f"division code must be 12 digits, got {division!r}")
    return f"BCS-{division}-{day:%Y%m%d}-{sequence:04d}"


class UnresolvedState(StrEnum):
    """Where a 办不成事 record is."""

    reported = "reported"  # 已登记: waiting for the county's loop


_STARTS: dict[EventKind, frozenset[Role]] = {EventKind.reported: frozenset({Role.agent})}
"""Kinds that create a record, and who may write them."""


class UnresolvedView(BaseModel):
    """A 办不成事 record as folded from its events."""

    model_config = ConfigDict(frozen=True)

    record_id: UUID
    number: str
    division: str
    exists: bool = True
    state: UnresolvedState = UnresolvedState.reported
    version: int = 0
    what: str = ""
    why: str = ""
    contact: str = ""
    station_id: str = ""
    station_name: str = ""
    agent_name: str = ""
    reported_at: datetime | None = None
    reported_by: str = ""
    """The actor id of the agent who recorded it."""
    flags: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


def _problem(view: UnresolvedView | None, event: Event) -> str | None:
    if not is_record_event(event.kind, event.payload):
        return "not an action on a record of what could not be done"
    starting = event.kind in _STARTS or event.kind is EventKind.created
    if view is not None and view.exists and starting:
        return "the record already exists"
    if (view is None or not view.exists) and not starting:
        return "the record does not exist"
    roles = _STARTS.get(event.kind, frozenset({Role.agent}))
    if event.actor_role not in roles:
        return f"a {event.actor_role.value} may not record what could not be done"
    if event.kind is not EventKind.created:  # a legacy ``created`` is the case schema's
        try:
            validate_payload(event.kind, event.payload)
        except ValueError as error:
            return f"invalid payload: {error}"
    elif not (
        str(event.payload.get("what", "")).strip() and str(event.payload.get("why", "")).strip()
    ):
        return "invalid payload: what was asked and why it failed are needed"
    return None


def _entry(event: Event, status: EntryStatus, reason: str | None, seq: int | None) -> HistoryEntry:
    summary = {k: v for k, v in event.payload.items() if isinstance(v, str) and k != "contact"}
    return history_entry(event, status, reason, seq, summary)


def _reported(event: Event) -> dict[str, Any]:
    p = event.payload
    return {
        "exists": True,
        "state": UnresolvedState.reported,
        "what": str(p.get("what", "")).strip(),
        "why": str(p.get("why", "")).strip(),
        "contact": str(p.get("contact", "") or "").strip(),
        "station_id": event.station_id,
        "station_name": str(p.get("station_name", "") or ""),
        "agent_name": str(p.get("agent_name", "") or ""),
        "reported_at": event.device_time,
        "reported_by": event.actor_id,
    }


def apply_record(
    view: UnresolvedView | None,
    event: Event,
    *,
    status: EntryStatus | EventStatus | str = EntryStatus.applied,
    reason: str | None = None,
    central_seq: int | None = None,
) -> UnresolvedView:
    """Apply one event to a 办不成事 record. Pure, idempotent on the event id.

    Same contract as ``sync.reducer.apply_event``: an event said to be applied
    that is not allowed is recorded as superseded; a pending one as pending
    with its reason; a superseded one changes nothing.
    """
    if view is not None:
        if view.record_id != event.case_id:
            raise ValueError(f"event {event.id} belongs to record {event.case_id}")
        if any(entry.event_id == event.id for entry in view.history):
            return view
    if central_seq is None and isinstance(event, RecordedEvent):
        central_seq = event.central_seq
    entry_status = EntryStatus(str(status))
    problem = None if entry_status is EntryStatus.superseded else _problem(view, event)
    if problem is not None and entry_status is EntryStatus.applied:
        entry_status, reason = EntryStatus.superseded, problem
    base = view or UnresolvedView(
        record_id=event.case_id, number=event.case_number, division=event.division, exists=False
    )
    entry = _entry(event, entry_status, reason or problem, central_seq)
    if entry_status is EntryStatus.superseded or problem is not None:
        flags = base.flags if "superseded" in base.flags else (*base.flags, "superseded")
        if entry_status is not EntryStatus.superseded:
            flags = base.flags
        return copied(base, {"history": (*base.history, entry), "flags": flags})
    changes = _reported(event)
    changes["version"] = base.version + 1
    changes["history"] = (*base.history, entry)
    return copied(base, changes)


def fold_record(events: Iterable[Event | RecordedEvent]) -> UnresolvedView:
    """A record from its events in the centre's order (``RecordedEvent`` brings its fate)."""
    view: UnresolvedView | None = None
    for event in events:
        if isinstance(event, RecordedEvent):
            view = apply_record(view, event, status=event.status, reason=event.reason)
        else:
            view = apply_record(view, event)
    if view is None:
        raise ValueError("no events to fold")
    return view
