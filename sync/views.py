"""What a case looks like: the folded view and its history entries (see ``sync.reducer``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from sync.events import Event, EventKind, Role
from sync.lifecycle import CaseState
from sync.payloads import Attachment, Person


class EntryStatus(StrEnum):
    """The fate of an event in a case's history."""

    applied = "applied"
    superseded = "superseded"  # kept, did not change the case; see reason
    pending = "pending"  # the station's own, not yet confirmed by the centre


class HistoryEntry(BaseModel):
    """One event in a case's history, as shown to people (no ID numbers in it)."""

    model_config = ConfigDict(frozen=True)

    event_id: UUID
    kind: EventKind
    actor_id: str
    actor_role: Role
    station_id: str
    station_seq: int
    device_time: datetime
    status: EntryStatus
    reason: str | None = None
    """Why it was superseded (English msgid), or why a pending one will be."""
    central_seq: int | None = None
    summary: dict[str, Any] = Field(default_factory=dict)


class CaseView(BaseModel):
    """A case as folded from its events. Frozen; ``model_dump(mode="json")`` is JSON."""

    model_config = ConfigDict(frozen=True)

    case_id: UUID
    case_number: str
    division: str
    kind: str = "application"
    """``application`` or ``unresolved`` (办不成事)."""
    exists: bool = True
    """False while no ``created`` event has been applied (an orphan)."""
    item_code: str = ""
    item_version: str = ""
    item_name: str = ""
    catalog_version: str = ""
    """The catalog the case was filed under, ``<number>:<version>`` (empty: older software)."""
    state: CaseState = CaseState.draft
    version: int = 0
    """Number of events that changed the case (applied, or pending and allowed)."""
    applicant: Person | None = None
    principal: Person | None = None
    relation: str = "self"
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: dict[str, str] = Field(default_factory=dict)
    supply_by: dict[str, date] = Field(default_factory=dict)
    attachments: list[Attachment] = Field(default_factory=list)
    commitment: bool = False
    what: str = ""
    why: str = ""
    contact: str = ""
    station_id: str = ""
    """The station that created (owns) the case."""
    station_name: str = ""
    agent_name: str = ""
    agent_phone: str = ""
    handling_division: str = ""
    """区内通办: the township (or county) in charge when not the taking station's own."""
    progress_key: str = ""
    """The key of the case's public progress page (``sync.progress``); empty: older software."""
    created_at: datetime | None = None
    received_at: datetime | None = None
    submitted_at: datetime | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    delivered_at: datetime | None = None
    promised_days: int | None = None
    officer: str | None = None
    pauses: list[tuple[date, date | None]] = Field(default_factory=list)
    """Returned/paused intervals (China days), the last one open while it lasts."""
    paused_from: CaseState | None = None
    pause_kind: str | None = None
    last_reason: str | None = None
    missing: list[str] = Field(default_factory=list)
    correct_fields: list[str] = Field(default_factory=list)
    """Fields the township named for correction while returned (退回补正)."""
    allow_more: bool = False
    """While returned: the agent may correct other fields and materials too."""
    correct_reasons: dict[str, str] = Field(default_factory=dict)
    """While returned: why each named item is to be corrected (by path)."""
    answered: list[str] | None = None
    """While returned: the named materials (``missing``) brought since (provided, or a scan
    of it). None: not followed (a case returned by software before this field; its
    resubmission then says nothing of 补正未补 rather than guess)."""
    unanswered: list[str] = Field(default_factory=list)
    """补正未补: materials the last 补正 named that were not brought before the case was
    sent back (a township accepting it sees which; one brought later leaves the list)."""
    apply_instead: str | None = None
    reject_basis: str | None = None
    """不予受理: the legal basis given."""
    pause_expected_days: int | None = None
    """特别程序: the days the procedure is expected to take."""
    claimed_by: str | None = None
    """认领: the account id of the reviewer who took the case (latest claim)."""
    claimed_name: str = ""
    forwarded_to: str | None = None
    result: str | None = None
    result_note: str | None = None
    handed_over_how: str | None = None
    signed_by: str | None = None
    rating: int | None = None
    rating_reason: str | None = None
    flags: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()


def history_entry(
    event: Event,
    status: EntryStatus,
    reason: str | None,
    seq: int | None,
    summary: dict[str, Any],
) -> HistoryEntry:
    """The history line of one event as applied (or superseded) with its centre sequence.

    Built without validating again: every value comes from a validated event, or is
    the status, reason, sequence and summary the reducer made of it. Made the way
    pydantic's ``model_construct`` makes a model (the attributes it documents), but
    without walking the fields for aliases and defaults: every field is given, and
    one entry is made per event applied at either end (``model_construct`` was the
    reducer's largest single cost)."""
    return constructed(
        HistoryEntry,
        {
            "event_id": event.id,
            "kind": event.kind,
            "actor_id": event.actor_id,
            "actor_role": event.actor_role,
            "station_id": event.station_id,
            "station_seq": event.station_seq,
            "device_time": event.device_time,
            "status": status,
            "reason": reason,
            "central_seq": seq,
            "summary": summary,
        },
    )


_Model = TypeVar("_Model", bound=BaseModel)


def constructed(model: type[_Model], values: dict[str, Any]) -> _Model:
    """``model.model_construct(**values)`` for ``values`` that are every field of a model
    with no extra fields and no private attributes, already valid (the dict is taken as
    it is). Made the way pydantic's ``model_construct`` makes a model (the attributes it
    documents), without walking the fields for aliases and defaults: for the models made
    once per event on the hot paths (history entries, push results)."""
    out = model.__new__(model)
    _set = object.__setattr__
    _set(out, "__dict__", values)
    _set(out, "__pydantic_fields_set__", set(values))
    _set(out, "__pydantic_extra__", None)
    _set(out, "__pydantic_private__", None)
    return out


_Frozen = TypeVar("_Frozen", bound=BaseModel)


def copied(model: _Frozen, update: dict[str, Any]) -> _Frozen:
    """``model.model_copy(update=update)`` for the frozen models here (no extra fields,
    no private attributes), made in one step: pydantic's copy copies the instance's
    dict, its extra fields and its fields set one at a time through ``copy.copy``
    before updating them, twice the CPU, and the reducer copies a view once per
    event applied at either end. The values in ``update`` are taken as they are,
    already well-typed, as ``model_copy`` takes them."""
    out = model.__class__.__new__(model.__class__)
    values = model.__dict__.copy()
    values.update(update)
    _set = object.__setattr__
    _set(out, "__dict__", values)
    _set(out, "__pydantic_fields_set__", model.__pydantic_fields_set__ | update.keys())
    _set(out, "__pydantic_extra__", None)
    _set(out, "__pydantic_private__", None)
    return out
