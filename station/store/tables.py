"""The station database's tables (SQLModel), mirrored by the Alembic migrations.

Ids (UUIDv7) are stored as 32-character lowercase hex text: time-ordered, so
the primary-key B-tree stays append-only.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, Text, text
from sqlmodel import Field, SQLModel


class EventRow(SQLModel, table=True):
    """One case event, ours or pulled; append-only (only its fate columns change)."""

    __tablename__ = "events"
    __table_args__ = (
        Index(  # own events only: pulled ones may share a pair (a station restored from a backup)
            "uq_events_station_seq",
            "station_id",
            "station_seq",
            unique=True,
            sqlite_where=text("origin = 'local'"),
        ),
        Index("ix_events_case_id", "case_id"),
        Index("ix_events_local_order", "local_order", unique=True),
        Index("ix_events_central_seq", "central_seq"),
        Index(  # the outbox only: nothing once everything is sent
            "ix_events_outbox",
            "station_id",
            "station_seq",
            sqlite_where=text("origin = 'local' AND status = 'pending'"),
        ),
    )

    id: str = Field(primary_key=True, max_length=32)
    """UUIDv7 hex; the idempotency key."""
    local_order: int = Field(sa_column=Column(Integer, nullable=False))
    """Order of arrival in this database (orders unacknowledged events after acked ones)."""
    case_id: str = Field(max_length=32)
    case_number: str
    division: str
    kind: str
    station_id: str
    station_seq: int
    schema_version: int
    base_version: int
    actor_id: str
    actor_role: str
    device_time: str
    """ISO 8601 with offset, as written."""
    payload: str = Field(sa_column=Column(Text, nullable=False))
    """JSON object."""
    central_seq: int | None = None
    status: str = "pending"
    """pending | applied | duplicate | superseded | rejected."""
    reason: str | None = None
    acked_at: str | None = None
    """When the centre refused it (superseded or rejected); None otherwise."""
    origin: str = "local"
    """local (written here) | remote (pulled)."""


class CaseRow(SQLModel, table=True):
    """The current view of one case (a projection of its events, rebuilt by folding)."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_item", "item_code"),
        Index("ix_cases_updated", "updated_at"),
        Index("ix_cases_due", "due_date"),
        Index("ix_cases_id_hash", "id_hash"),
        Index("ix_cases_state_updated", "state", "updated_at"),
        Index("ix_cases_owed", "owed_by", "case_number"),  # the list's order, whole
        # the few cases with a superseded event (the home's 需处理 asks at every load)
        Index("ix_cases_flagged", "updated_at", sqlite_where=text("flagged = 1")),
    )

    case_id: str = Field(primary_key=True, max_length=32)
    case_number: str = Field(unique=True)
    state: str
    item_code: str = ""
    item_name: str = Field(default="", sa_column_kwargs={"server_default": ""})
    applicant_name: str = ""
    id_masked: str = ""
    id_hash: str = ""
    """SHA-256 of the full ID number: exact search without another plain copy."""
    name_initials: str = ""
    """Pinyin initials of the applicant's name (张三 -> zs)."""
    division: str = ""
    updated_at: str = ""
    due_date: str | None = None
    flagged: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    """1 when one of our events was superseded (the agent must look)."""
    view: str = Field(sa_column=Column(Text, nullable=False))
    """CaseView JSON."""
    owed_by: str | None = None
    """容缺: the earliest day a material promised for later is due (ISO; ``9999-12-31`` when
    none was given), while the case waits for it; NULL when nothing is owed (migration 0013:
    added after ``view``, which the lists never read past)."""


class UnresolvedRow(SQLModel, table=True):
    """A 办不成事 record's current view (its own table: never listed or counted as a case)."""

    __tablename__ = "unresolved"
    __table_args__ = (Index("ix_unresolved_reported", "reported_at"),)

    record_id: str = Field(primary_key=True, max_length=32)
    number: str = Field(unique=True)
    """``BCS-<division>-<date>-<seq>``."""
    state: str
    division: str = ""
    what: str = ""
    reported_at: str = ""
    flagged: int = 0
    view: str = Field(sa_column=Column(Text, nullable=False))
    """UnresolvedView JSON."""


class MetaRow(SQLModel, table=True):
    """Station-wide counters and identity, one key each."""

    __tablename__ = "station_meta"

    key: str = Field(primary_key=True)
    value: str


class AccountRow(SQLModel, table=True):
    """An account cached for offline login (from pull)."""

    __tablename__ = "accounts"

    user_id: str = Field(primary_key=True)
    username: str = Field(unique=True)
    record: str = Field(sa_column=Column(Text, nullable=False))
    """AccountRecord JSON."""


class DraftRow(SQLModel, table=True):
    """A form being filled: local only, never synced."""

    __tablename__ = "drafts"

    draft_id: str = Field(primary_key=True)
    data: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: str


class SyncRunRow(SQLModel, table=True):
    """One sync attempt and what it moved."""

    __tablename__ = "sync_runs"

    id: int | None = Field(default=None, primary_key=True)
    started_at: str
    finished_at: str | None = None
    pushed: int = 0
    pulled: int = 0
    superseded: int = 0
    rejected: int = 0
    error: str | None = None


class BlobRow(SQLModel, table=True):
    """An attachment file (content-addressed) and its upload state."""

    __tablename__ = "blobs"

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    name: str = ""
    created_at: str = Field(sa_column_kwargs={"server_default": text("''")})
    uploaded_at: str | None = None
    attempts: int = 0
    last_error: str | None = None


class LoopOutcomeRow(SQLModel, table=True):
    """What the county's 闭环 made of a 差评 or 办不成事 recorded here (fetched at sync)."""

    __tablename__ = "loop_outcomes"

    source_id: str = Field(primary_key=True, max_length=36)
    """The case id or record id (UUID text as the centre sends it)."""
    source_number: str
    state: str
    updated_seq: int
    data: str = Field(sa_column=Column(Text, nullable=False))
    """The item and its steps (JSON, as the centre sends them)."""


EVENTS = SQLModel.metadata.tables["events"]
CASES = SQLModel.metadata.tables["cases"]
META = SQLModel.metadata.tables["station_meta"]
ACCOUNTS = SQLModel.metadata.tables["accounts"]
DRAFTS = SQLModel.metadata.tables["drafts"]
SYNC_RUNS = SQLModel.metadata.tables["sync_runs"]
BLOBS = SQLModel.metadata.tables["blobs"]
UNRESOLVED = SQLModel.metadata.tables["unresolved"]
LOOP_OUTCOMES = SQLModel.metadata.tables["loop_outcomes"]
"""Core table objects for the hot paths (no ORM objects there)."""
