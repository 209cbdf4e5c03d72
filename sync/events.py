"""The case event: the unit of everything that happens to a case.

Events are immutable and append-only at the station and at the centre. The
event id (UUIDv7) is the idempotency key everywhere: a UNIQUE constraint, never
check-then-insert.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
"""Version of the event schema this software writes. Events keep the version
they were written with; the centre announces the oldest it still accepts."""


class Role(StrEnum):
    """Who acts on a case."""

    agent = "agent"  # 村代办员, village station
    reviewer = "reviewer"  # 乡镇审核员, township centre
    admin = "admin"  # 县级管理员, county


class EventKind(StrEnum):
    """What happened to a case."""

    created = "created"  # 新建草稿
    edited = "edited"  # 修改
    discarded = "discarded"  # 删除草稿
    received = "received"  # 收件
    submitted = "submitted"  # 报送
    accepted = "accepted"  # 受理
    returned = "returned"  # 退回补正
    supplemented = "supplemented"  # 补充材料
    resubmitted = "resubmitted"  # 补正后重新报送
    rejected = "rejected"  # 不予受理
    forwarded = "forwarded"  # 转办
    paused = "paused"  # 特别程序开始
    resumed = "resumed"  # 特别程序结束
    completed = "completed"  # 办结
    handed_over = "handed_over"  # 送达
    rated = "rated"  # 好差评
    withdrawn = "withdrawn"  # 撤件
    acknowledged = "acknowledged"  # 已阅: the agent has read why events were superseded
    corrected = "corrected"  # 补正更正: named fields/materials changed, old and new values
    rating_corrected = "rating_corrected"  # 更正好差评: audited change of a saved rating
    reported = "reported"  # 办不成事登记: a record of its own, never a case
    claimed = "claimed"  # 认领: a reviewer takes the case (a note; the state does not move)
    id_revealed = "id_revealed"  # 查看完整号码: the full ID number was shown (audited note)


RECORD_KINDS = frozenset({EventKind.reported})
"""Kinds that belong to a 办不成事 record (its own table, numbers and states), not to a case.
The county's loop (issue 3) adds its kinds here."""


def is_record_event(kind: EventKind | str, payload: dict[str, Any]) -> bool:
    """Whether an event belongs to a 办不成事 record rather than to a case.

    A ``created`` event with ``kind: unresolved`` is how older software wrote such
    a record; it is read as a record too, so it never becomes (or counts as) a case.
    """
    if kind in RECORD_KINDS:
        return True
    return kind == EventKind.created and payload.get("kind") == "unresolved"


MAX_STATION_SEQ = 1_000_000_000
"""No station writes a billion events (a busy one writes a few hundred thousand in its life):
a larger number is a forged or corrupt one, refused at validation before it can skew the
county's statistics and reconciliation."""
MAX_BASE_VERSION = 100_000
"""No case has this many events."""
MAX_SCHEMA_VERSION = 10_000


class Event(BaseModel):
    """One thing that happened to one case, as written by the station that did it."""

    model_config = ConfigDict(frozen=True)

    id: UUID
    """UUIDv7; the idempotency key at the centre."""
    case_id: UUID
    """UUIDv7 of the case, made offline by the station that created it."""
    case_number: str
    """Human case number, e.g. ``640522100201-20261122-0007``."""
    division: str
    """12-digit division code of the station that owns the case (its scope)."""
    kind: EventKind
    station_id: str
    """The station that wrote this event (not necessarily the case's owner)."""
    station_seq: int = Field(ge=1, le=MAX_STATION_SEQ)
    """Gapless sequence of events written by ``station_id``, from 1."""
    schema_version: int = Field(default=SCHEMA_VERSION, ge=0, le=MAX_SCHEMA_VERSION)
    base_version: int = Field(ge=0, le=MAX_BASE_VERSION)
    """How many events of the case the actor had seen when acting."""
    actor_id: str
    actor_role: Role
    device_time: datetime
    """The writer's clock: shown to people, never used for ordering."""
    payload: dict[str, Any] = Field(default_factory=dict)


class EventStatus(StrEnum):
    """What the centre made of an event."""

    applied = "applied"
    superseded = "superseded"  # allowed when written, not in the state the centre holds


class RecordedEvent(Event):
    """An event as the centre holds it: in the centre's order, with its fate."""

    central_seq: int = Field(ge=1)
    """Assigned in commit order at the centre; the pull cursor."""
    status: EventStatus = EventStatus.applied
    reason: str | None = None
    """Why it was superseded, in words the agent can read."""
