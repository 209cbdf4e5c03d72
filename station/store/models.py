"""Plain records the store hands out (never ORM objects: callers may keep them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from sync.events import EventKind, Role
from sync.ids import new_id
from sync.protocol import StationRole


class StationIdentity(BaseModel):
    """Who this station is, as the centre enrolled it (None until ``station enroll``)."""

    station_id: str
    division: str
    """12-digit administrative-division code."""
    name: str
    role: StationRole
    central_url: str
    token: str
    signing_key: str
    central_fingerprint: str | None = None
    """SHA-256 of the centre's TLS certificate, pinned at enrollment: every connection
    refuses a centre showing any other (None: plain HTTP, or HTTPS checked by the system CAs)."""


@dataclass(frozen=True)
class NewEvent:
    """An event a person is about to write; the store fills in the rest.

    The store assigns the station, the gapless ``station_seq``, the case number
    (for a new case) and ``base_version`` inside the write transaction.
    """

    kind: EventKind
    actor_id: str
    actor_role: Role
    payload: dict[str, Any] = field(default_factory=dict)
    id: UUID = field(default_factory=new_id)
    device_time: datetime | None = None
    """Default: now (the device clock, shown only)."""


@dataclass(frozen=True)
class Draft:
    """A form being filled, kept locally only."""

    draft_id: str
    data: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class CaseSummary:
    """One row of a case list (no full ID number in it)."""

    case_id: str
    case_number: str
    state: str
    item_code: str
    item_name: str
    applicant_name: str
    id_masked: str
    division: str
    updated_at: str
    due_date: date | None
    flagged: bool
    """One of this station's events was superseded: the agent must look."""


@dataclass(frozen=True)
class Renumbered:
    """A case this station renumbered because the centre held its number."""

    case_id: UUID
    old: str
    """The number the resident's first receipt carries (now another case's)."""
    new: str
    at: datetime
    """When (UTC)."""


@dataclass(frozen=True)
class SyncRecord:
    """One sync run: when, what moved, and the error if it failed."""

    started_at: datetime
    finished_at: datetime | None
    pushed: int
    pulled: int
    superseded: int
    rejected: int
    error: str | None
