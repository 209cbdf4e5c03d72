"""The central's tables (SQLModel) and the API's public shapes.

Hot-path writes (events, audit entries, case views) go through SQLAlchemy Core
on these tables' ``__table__``; the ORM classes serve the administrative paths
(enrollment, accounts, reports) where one row at a time is fine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, overload
from uuid import UUID

from pydantic import AfterValidator, BaseModel
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType
from sqlmodel import Field, SQLModel

from forms.clock import to_utc, utc_now
from sync.payloads import CreatedPayload
from sync.progress import PAYLOAD_KEY
from sync.views import CaseView

SeqType = BigInteger().with_variant(Integer(), "sqlite")
"""64-bit sequence numbers; on SQLite an INTEGER primary key is the rowid (clustered, fast)."""


utcnow = utc_now
"""Now, timezone-aware UTC (``forms.clock``'s: the one clock of the project)."""


def as_utc(moment: datetime | None) -> datetime | None:
    """A timestamp read back from the database as aware UTC (SQLite drops the zone)."""
    return None if moment is None else to_utc(moment)


UtcDatetime = Annotated[datetime, AfterValidator(to_utc)]
"""A timestamp the API shows with its zone (UTC), whatever the database gave back."""


def _tz() -> DateTime:
    return DateTime(timezone=True)


class HexDigest(TypeDecorator[str]):
    """A SHA-256 or HMAC digest: hex text in Python, its 32 bytes in the database
    (half the size of the hex, in the row and in any index on it)."""

    impl = LargeBinary(32)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        """Hex text to bytes."""
        return None if value is None else bytes.fromhex(value)

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        """Bytes (or a memoryview) to lower-case hex text."""
        return None if value is None else bytes(value).hex()


class Digest128(TypeDecorator[str]):
    """The first 16 bytes of a SHA-256 (hex text in Python, 32 characters) held as
    PostgreSQL's ``uuid``: its one fixed 16-byte type, stored without a length header
    and unaligned, in the row and in the index on it (``bytea`` takes 17 and pads the
    index entry to 32); on SQLite, the 16 bytes. For a look-up by the digest of a random
    128-bit key (``ProgressKey``): a longer digest says no more than the key has."""

    impl = LargeBinary(16)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``uuid`` on PostgreSQL, a BLOB elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Uuid())
        return dialect.type_descriptor(LargeBinary(16))

    def process_bind_param(self, value: str | None, dialect: Any) -> Any:
        """Hex text to a uuid (PostgreSQL) or the bytes."""
        if value is None:
            return None
        raw = bytes.fromhex(value)
        if len(raw) != 16:  # the same refusal on both databases (a uuid must be 16)
            raise ValueError(f"a 16-byte digest is 32 hex characters, not {len(value)}")
        return UUID(bytes=raw) if dialect.name == "postgresql" else raw

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        """The stored form to lower-case hex text."""
        if value is None:
            return None
        if isinstance(value, UUID):
            return value.hex
        return bytes(value).hex()


class NoneAsEmpty(TypeDecorator[str]):
    """Text that is None in Python and ``''`` in the row (an older row's NULL reads as None
    too). A row without any NULL has no null bitmap: PostgreSQL's row header is then 24
    bytes, not 32 (an event that was applied has no reason: 24 bytes a case)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str:
        """None as the empty text."""
        return "" if value is None else value

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        """The empty text (or NULL) as None."""
        return value or None


def uuid_bytes(value: Any) -> bytes | None:
    """A UUID (or its text) as the 16 bytes SQLite stores (None stays None)."""
    if value is None:
        return None
    return (value if type(value) is UUID else UUID(str(value))).int.to_bytes(16, "big")


def _uuid_from(value: Any) -> UUID | None:
    return None if value is None else UUID(bytes=bytes(value))


@lru_cache(maxsize=65536)
def _ident_bytes(value: str) -> bytes | str:
    """A canonical UUID's text as its bytes, any other id as it is (the ids are few:
    the stations' and accounts', so each is worked out once)."""
    if len(value) != 36:
        return value
    try:
        parsed = UUID(value)
    except ValueError:
        return value
    return parsed.bytes if str(parsed) == value else value


@lru_cache(maxsize=65536)
def _ident_text(value: bytes) -> str:
    return str(UUID(bytes=value))


def _ident_bind(value: Any) -> Any:
    return None if value is None else _ident_bytes(value)


def _ident_result(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return _ident_text(bytes(value))


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(value: Any) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # naive is taken as UTC (forms.clock.to_utc)
    since: timedelta = value - _EPOCH
    return (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds


def _moment(value: Any) -> datetime | None:
    return None if value is None else _EPOCH + timedelta(microseconds=value)


class _SqliteForm(UserDefinedType[Any]):
    """A compact stored form (SQLite's, and PostgreSQL's ids): a declared type and the two
    conversions, done by the type itself (one function call a value, no TypeDecorator
    layer on the hot path)."""

    cache_ok = True
    spec = "BLOB"
    bind: Callable[[Any], Any] = staticmethod(uuid_bytes)
    result: Callable[[Any], Any] = staticmethod(_uuid_from)

    def get_col_spec(self, **kw: Any) -> str:
        """The declared type."""
        return self.spec

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        """Python to the stored form."""
        return self.bind

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        """The stored form back to Python."""
        return self.result


class _SqliteUuid(_SqliteForm):
    """16 bytes."""


class _SqliteIdent(_SqliteForm):
    """16 bytes for a canonical UUID's text, any other id as text (SQLite keeps each
    value's own type in a BLOB-declared column)."""

    bind = staticmethod(_ident_bind)
    result = staticmethod(_ident_result)


def _pg_ident_bind(value: Any) -> bytes | None:
    if value is None:
        return None
    form = _ident_bytes(value)
    if isinstance(form, bytes):
        return form
    raw = form.encode()
    return raw + b"\0" if len(raw) == 16 else raw  # never 16 bytes: those are a UUID's


def _pg_ident_result(value: Any) -> str | None:
    if value is None:
        return None
    raw = bytes(value)
    if len(raw) == 16:
        return _ident_text(raw)
    if len(raw) == 17 and raw[16] == 0:
        raw = raw[:16]
    return raw.decode()


class _PgIdent(_SqliteForm):
    """PostgreSQL: ``bytea``, 16 bytes for a canonical UUID's text (37 as ``varchar``, in
    the row and in ``ix_event_station_seq``), any other id as its UTF-8 bytes, with a NUL
    byte after it when it has exactly 16 (an id never holds NUL: ``varchar`` could not)."""

    spec = "BYTEA"
    bind = staticmethod(_pg_ident_bind)
    result = staticmethod(_pg_ident_result)


class _SqliteMicros(_SqliteForm):
    """Microseconds since 1970 UTC."""

    spec = "BIGINT"
    bind = staticmethod(_micros)
    result = staticmethod(_moment)


class CompactUuid(TypeDecorator[UUID]):
    """A UUID: PostgreSQL's own ``uuid``; on SQLite its 16 bytes, not the 32 hex
    characters of SQLAlchemy's ``Uuid`` on a database without one (half of it, in the row
    and in every index on it). SQLAlchemy's "backend-agnostic GUID" recipe."""

    impl = Uuid
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``uuid`` on PostgreSQL, 16 bytes elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(Uuid())
        return _SqliteUuid()


class UuidText(TypeDecorator[str]):
    """An identifier that is text in Python (a station's or an account's id) and is, as
    a rule, a UUID: a canonical UUID is stored as its 16 bytes, any other text in its
    own form (an id of another form keeps it; on SQLite as text, on PostgreSQL as its
    bytes, ``_PgIdent``). Compared only with bound values (which take the same form),
    never with another table's column."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``bytea`` on PostgreSQL (since 0017), a BLOB-or-text column on SQLite."""
        if dialect.name == "postgresql":
            return _PgIdent()
        return _SqliteIdent()


class CompactTime(TypeDecorator[datetime]):
    """A moment: PostgreSQL's ``timestamptz``; on SQLite the microseconds since 1970 UTC
    as one integer (8 bytes where the text form took 26), read back as aware UTC (the
    text form came back naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``timestamptz`` on PostgreSQL, BIGINT on SQLite."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(DateTime(timezone=True))
        return _SqliteMicros()


class CentralModel(SQLModel, registry=registry()):
    """Base of the centre's tables: their own metadata, so a process that also
    loads the station's tables (the CLI, the demo) never mixes the two schemas."""


class StationBase(CentralModel):
    """What a station is: where, called what, at which level."""

    division: str = Field(index=True, max_length=12)
    """12-digit division code; the scope follows from it and the role."""
    name: str
    role: str = Field(max_length=16)
    """village | township | county (sync.protocol.StationRole)."""


class Station(StationBase, table=True):
    """An enrolled station (村服务站 / 乡镇中心 / 县级工作站) and its credential."""

    id: str = Field(primary_key=True, max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    """sha256 hex of the bearer token; the token itself is never stored."""
    token_issued_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    """When the current token was issued: it expires a lifetime later (None: issued before
    tokens expired; it is replaced at the next hello)."""
    previous_token_hash: str | None = Field(
        default=None, sa_column=Column(String(64), nullable=True, index=True)
    )
    """The token replaced at the last rotation: still accepted until it expires, so a
    station that missed the answer carrying the new one (or a desk holding it) goes on."""
    previous_token_issued_at: datetime | None = Field(
        default=None, sa_column=Column(_tz(), nullable=True)
    )
    enrolled_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    last_seen: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    software_version: str = ""
    duplicates: int = 0
    """Pushed events the centre already held (a retry or a replayed bundle)."""
    outbox_depth: int | None = None
    """Events the station still held unsent at its last hello (None: never reported)."""
    oldest_unsent: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    """When the oldest of those was written (as last reported; None: nothing unsent)."""
    catalog_version: str = Field(
        default="", sa_column=Column(String(40), nullable=False, server_default="")
    )
    """The catalog version the station runs (as last reported; "" before it reported one)."""
    cases_held: int | None = None
    """Cases the station holds (as last reported; reconciliation compares it with the centre's)."""
    reported_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    """When the station last reported these (its last hello)."""


class StationPublic(StationBase):
    """A station as the admin API shows it (never its token hash)."""

    id: str
    enrolled_at: UtcDatetime
    revoked_at: UtcDatetime | None = None
    last_seen: UtcDatetime | None = None
    software_version: str = ""
    outbox_depth: int | None = None
    oldest_unsent: UtcDatetime | None = None
    catalog_version: str = ""
    cases_held: int | None = None
    reported_at: UtcDatetime | None = None


class EnrollmentCode(CentralModel, table=True):
    """A one-time code a county hands to a station for enrollment."""

    __table_args__ = (Index("ix_enrollment_code_ref", "ref", unique=True),)

    code_hash: str = Field(primary_key=True, max_length=64)
    """sha256 hex of the normalised code; the code itself is never stored."""
    division: str = Field(max_length=12)
    name: str
    role: str = Field(max_length=16)
    created_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    station_id: str | None = None
    ref: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    """A short random reference to list and cancel an outstanding code (never the code)."""
    issued_by: str = Field(
        default="", sa_column=Column(String(64), nullable=False, server_default="")
    )
    """The username of the administrator who issued it ("" before 0006)."""
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    attempt_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    """sha256 hex of the station's attempt secret (``EnrollRequest.attempt``) that spent
    the code: the same station asking again, its answer lost, is answered again until it
    is first heard from (0021)."""


class UserBase(CentralModel):
    """Who a person is to daiban: login, name, role, where they work."""

    username: str = Field(unique=True, max_length=64)
    display_name: str
    role: str = Field(max_length=16)
    """agent | reviewer | admin (sync.events.Role)."""
    division: str = Field(index=True, max_length=12)
    station_id: str | None = None
    phone: str = ""


class UserCreate(UserBase):
    """A new account as asked for (the password is hashed, never stored)."""

    password: str
    id_number: str = ""
    """The person's resident ID number: one account per person. Only its HMAC and a
    masked form are stored; required for a new account (the service says so)."""


class UserPublic(UserBase):
    """An account as the admin API shows it (never its password hash)."""

    id: str
    active: bool
    updated_at: UtcDatetime
    id_masked: str = ""


class User(UserBase, table=True):
    """One active account per person (一人一账号): a person who moved to another station
    (调动) has their old account disabled and a new one there (0016)."""

    __tablename__ = "account"  # "user" is reserved in PostgreSQL
    __table_args__ = (
        Index(
            "ix_account_person_key",
            "person_key",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: str = Field(primary_key=True, max_length=64)
    password_hash: str
    """argon2 hash."""
    active: bool = True
    updated_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    updated_seq: int = Field(default=0, sa_column=Column(SeqType, nullable=False, index=True))
    """Taken from the event counter on every change, so pulls find changed accounts by cursor."""
    person_key: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    """HMAC-SHA256 of the person's resident ID number with the centre's secret: one active
    account per person (UNIQUE among active accounts). The number itself is never stored.
    None on accounts made before 0006."""
    id_masked: str = Field(
        default="", sa_column=Column(String(18), nullable=False, server_default="")
    )
    """The ID number masked for screens (6405**********1234)."""
    disabled_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    """When the account was disabled (None while active): the person's offline work written
    at a station before that moment is still accepted, work after it is refused."""


_FULL = {"fillfactor": 100}
"""PostgreSQL: an index that only grows at the end of a key range fills its pages (a page
left behind by a split is never written again: 0020)."""


class EventRow(CentralModel, table=True):
    """An event as the centre holds it, in the centre's (commit) order."""

    __tablename__ = "event"
    __table_args__ = (  # append-only: their pages filled (0020 sets the primary key's too)
        Index("ix_event_division_seq", "division", "central_seq", postgresql_with=_FULL),
        Index("ix_event_station_seq", "station_id", "station_seq", postgresql_with=_FULL),
        Index("ix_event_township_seq", "scope_township", "central_seq", postgresql_with=_FULL),
    )

    central_seq: int = Field(sa_column=Column(SeqType, primary_key=True, autoincrement=False))
    id: UUID = Field(sa_column=Column(CompactUuid(), nullable=False, unique=True))
    """The idempotency key: UNIQUE, so a replay can never insert twice."""
    case_id: UUID = Field(sa_column=Column(CompactUuid(), nullable=False, index=True))
    case_number: str = Field(max_length=40)
    division: str = Field(max_length=12)
    scope_division: str = Field(
        default="", sa_column=Column(String(12), nullable=False, server_default="")
    )
    """Where the case is handled: its 区内通办 township (or county), else its own division.
    The taking village pulls by ``division``; township and county stations by its first
    digits, ``scope_township`` (not indexed on its own: that index serves both)."""
    scope_township: str = Field(
        default="", sa_column=Column(String(9), nullable=False, server_default="")
    )
    """The first 9 digits of ``scope_division``: a township station pulls by equality on
    it, so its pull is one index range in cursor order (other townships never scanned);
    a county by its 6-digit prefix."""
    kind: str = Field(max_length=24)
    station_id: str = Field(sa_column=Column(UuidText(), nullable=False))
    station_seq: int = Field(sa_column=Column(BigInteger(), nullable=False))
    schema_version: int
    base_version: int
    actor_id: str = Field(sa_column=Column(UuidText(), nullable=False))
    actor_role: str = Field(max_length=16)
    device_time: datetime = Field(sa_column=Column(CompactTime(), nullable=False))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=16)
    """applied | superseded."""
    reason: str | None = Field(default=None, sa_column=Column(NoneAsEmpty(), nullable=True))
    received_at: datetime = Field(sa_column=Column(CompactTime(), nullable=False))
    audit_link: str | None = Field(default=None, sa_column=Column(HexDigest(), nullable=True))
    """The event's link of the tamper-evident chain (``central.services.audit``): HMAC of
    the link of the event before it (that row's ``audit_link``, not stored again here),
    the centre's verdict and the event's digest. Hex in Python, its 32 bytes stored; NULL
    only where a link was removed (``audit_verify`` says so). Its own table before 0019."""


class CaseRow(CentralModel, table=True):
    """A case's current state at the centre: the reducer's fold of its applied events."""

    __tablename__ = "case_state"  # "case" is an SQL keyword

    case_id: UUID = Field(sa_column=Column(CompactUuid(), primary_key=True))
    case_number: str = Field(index=True, max_length=40)
    division: str = Field(index=True, max_length=12)
    owner_station: str = Field(sa_column=Column(UuidText(), nullable=False))
    state: str = Field(index=True, max_length=16)
    version: int = 0
    item_code: str = ""
    flagged: bool = False
    """An event of this case was superseded (the agent must look)."""
    updated_seq: int = Field(sa_column=Column(SeqType, nullable=False))
    view: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_seq: int | None = Field(default=None, sa_column=Column(SeqType, nullable=True))
    """The ``central_seq`` of the case's ``created`` event: ``view`` leaves out what that
    event's payload already says (``stored_view``). NULL: a case stored before 0018, or
    one that began with another event; its view is whole."""


VIEW_COLUMNS = (
    "case_id",
    "case_number",
    "division",
    "item_code",
    "state",
    "version",
    "owner_station",
)
"""The ``case_state`` columns that hold case view fields (``owner_station``: its
``station_id``): not repeated in its stored JSON (``stored_view``), put back from the row
when read (``whole_view``)."""
VIEW_FIELDS = (*VIEW_COLUMNS[:-1], "station_id")
"""The view's fields those columns hold."""


def stored_view(
    view: BaseModel,
    body: Mapping[str, Any] | None = None,
    known: Mapping[str, Any] | None = None,
) -> str:
    """A case view (``sync.views.CaseView``) as the centre stores it: JSON text without its
    history (the event table ``EVENT_TABLE`` holds it), without the fields its row's columns
    hold (``VIEW_COLUMNS``) and without fields at their defaults (read back, the model fills
    them in; a JSON path reader sees NULL for them).

    ``body``: the payload of the case's ``created`` event (``CaseRow.created_seq``). A
    field of the application the view holds exactly as that payload says (the same JSON:
    not 10 for 10.0, nor 1 for true) is left out too (about 450 of a case's 600 bytes);
    ``whole_view`` takes it from the payload. Any other field the payload names is
    written whole, its defaults included (an applicant's ID number cleared since filing
    reads as cleared by a JSON path, not as the payload's).

    ``known``: fields that agreed with ``body`` when the view was read back (left out of
    its stored text, ``agreed_fields``), with the values the view held then. A field the
    view still holds as that very object agrees without being compared again (the reducer
    copies what it changes and never changes a value in place): a stored case written
    again compares only what its new events changed.
    """
    agreeing = _agreeing(view, body, known)
    restated = (body.keys() & BODY_FIELDS) - agreeing if body else set()
    text = view.model_dump_json(
        exclude={"history", *VIEW_FIELDS, *agreeing, *restated}, exclude_defaults=True
    )
    if not restated:
        return text
    extra = view.model_dump_json(include=restated)
    return extra if text == "{}" else f"{text[:-1]},{extra[1:]}"


BODY_FIELDS = frozenset(CaseView.model_fields) - {"history", *VIEW_FIELDS}
"""The view's fields a ``created`` payload's key may name (it keeps unknown keys): read
from the payload when the stored view does not hold them (``whole_view``)."""
LEAN_FIELDS = BODY_FIELDS & {*CreatedPayload.model_fields, PAYLOAD_KEY}
"""The fields of the application as filed: left out of the stored view where the payload
holds the same. Only these: a JSON path reader of another field (``rating``, ``claimed_by``)
reads the stored view alone, and ``view_value`` reads these two ways."""


def _agreeing(
    view: BaseModel, body: Mapping[str, Any] | None, known: Mapping[str, Any] | None = None
) -> set[str]:
    """The application's fields the payload ``body`` holds with the same value (``known``:
    as for :func:`stored_view`)."""
    if not body:
        return set()
    held, known = view.__dict__, known or {}
    agreeing = set()
    for name in body.keys() & LEAN_FIELDS:
        mine = held[name]
        if (name in known and known[name] is mine) or _same(mine, body[name]):
            agreeing.add(name)
    return agreeing


def agreed_fields(view: BaseModel, stored: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``view``, read back from its ``stored`` text and its ``created``
    payload ``body``, that the stored text left out because they agreed with the payload
    (``stored_view``), with the values the view holds: ``known`` for writing it again.

    A field the text names anywhere (its key, quoted, even inside another field's value) is
    not counted: comparing it again costs time, never a wrong answer."""
    held = view.__dict__
    return {name: held[name] for name in body.keys() & LEAN_FIELDS if f'"{name}"' not in stored}


_JSON = frozenset({str, int, float, bool, type(None), dict, list})


def _same(mine: Any, value: Any) -> bool:
    """Whether a field's value in the view is the payload's ``value`` as JSON reads it back:
    plain values, lists and dicts equal and of the same types all through (``True == 1``
    and ``10 == 10.0`` are not the same here); a model of plain fields (a person) field by
    field, a field the payload leaves out at its default (an applicant without its empty
    address is the same applicant). Anything else (dates, models with extra keys) is
    written as the view holds it."""
    if type(mine) in _JSON:
        return _exactly(mine, value)
    if isinstance(mine, BaseModel) and type(value) is dict and not mine.model_extra:
        fields = type(mine).model_fields
        if value.keys() <= fields.keys():
            return all(
                _exactly(getattr(mine, key), value.get(key, field.default))
                for key, field in fields.items()
            )
    return False


def _exactly(mine: Any, value: Any) -> bool:
    """Equal, and of the same JSON types all through."""
    kind = type(mine)
    if kind is not type(value):
        return False
    if kind is dict:
        return mine.keys() == value.keys() and all(_exactly(mine[k], value[k]) for k in mine)
    if kind is list:
        return len(mine) == len(value) and all(map(_exactly, mine, value))
    return bool(mine == value)


def view_columns(row: Mapping[Any, Any]) -> dict[str, Any]:
    """The view's fields held in a ``case_state`` row's columns (``VIEW_COLUMNS``), as JSON
    values: what ``stored_view`` left out of the stored JSON."""
    return {
        "case_id": str(row["case_id"]),
        "case_number": row["case_number"],
        "division": row["division"],
        "item_code": row["item_code"],
        "state": row["state"],
        "version": int(row["version"]),
        "station_id": row["owner_station"],
    }


@overload
def whole_view(row: Mapping[Any, Any], view: str, body: str | None = None) -> str: ...
@overload
def whole_view(
    row: Mapping[Any, Any], view: dict[str, Any], body: dict[str, Any] | None = None
) -> dict[str, Any]: ...
def whole_view(
    row: Mapping[Any, Any],
    view: str | dict[str, Any],
    body: str | dict[str, Any] | None = None,
) -> str | dict[str, Any]:
    """A stored case view with its columns (``view_columns``) and what its ``created``
    event's payload says (``stored_view``) put back.

    Args:
        row: the ``case_state`` row (at least ``VIEW_COLUMNS``).
        view: its stored view, as JSON text or as the dict the JSON type reads.
        body: the payload of the event at the row's ``created_seq`` in the same form
            (``CASE_BODY``), None when the row has none.

    Returns:
        The whole view (without history) in the same form: text for
        ``CaseView.model_validate_json`` (spliced, not parsed twice), or a dict.
    """
    columns = view_columns(row)
    if isinstance(view, dict):
        held = (
            {name: body[name] for name in body.keys() & BODY_FIELDS}
            if isinstance(body, dict)
            else {}
        )
        return {**held, **columns, **view}  # a field the view still holds wins (as below)
    # A key twice: the later one wins (pydantic takes the last of a repeated key). The
    # view's wins over the columns (a station_id other than its owner's, kept by 0014),
    # the columns over the payload's (its item_code), a payload's key that is no field of
    # the view is ignored, and one named history (a payload keeps unknown keys) is undone.
    head = _COLUMNS_JSON(columns)
    if isinstance(body, str):
        inner = body.strip()[1:-1].strip()
        head = f'{{{inner},"history":[],{head[1:]}' if inner else head
    rest = view.strip()[1:].lstrip()
    return head if rest.startswith("}") else f"{head[:-1]},{rest}"


_COLUMNS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""The columns' JSON (one encoder: ``json.dumps`` with options builds one per call, a
quarter of the time of encoding a case's seven columns)."""


def stored_record(view: BaseModel) -> str:
    """A 办不成事 record's view (``sync.unresolved.UnresolvedView``) as stored: without history."""
    return view.model_dump_json(exclude={"history"})


class ProgressKey(CentralModel, table=True):
    """A case's public progress page key (扫码查询进度), by its digest: the key itself is
    only on the resident's receipt and in the case's ``created`` event."""

    __tablename__ = "progress_key"

    __table_args__ = {"sqlite_with_rowid": False}  # one b-tree, keyed by the hash

    key_hash: str = Field(sa_column=Column(Digest128(), primary_key=True))
    """The key's SHA-256, its first 16 bytes (``central.services.progress.key_hash``:
    hex in Python, 16 bytes stored; the whole 32 before 0020)."""
    case_id: UUID = Field(sa_column=Column(CompactUuid(), nullable=False))


class UnresolvedRecordRow(CentralModel, table=True):
    """A 办不成事 record's current state (its own table: never a case, never counted as one)."""

    __tablename__ = "unresolved_record"

    record_id: UUID = Field(sa_column=Column(CompactUuid(), primary_key=True))
    number: str = Field(index=True, max_length=40)
    """``BCS-<division>-<date>-<seq>`` (older software's records keep a case-style number)."""
    division: str = Field(index=True, max_length=12)
    owner_station: str = Field(sa_column=Column(UuidText(), nullable=False))
    state: str = Field(index=True, max_length=16)
    version: int = 0
    flagged: bool = False
    updated_seq: int = Field(sa_column=Column(SeqType, nullable=False))
    view: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Blob(CentralModel, table=True):
    """An attachment (a scan), content-addressed by SHA-256, uploaded in resumable chunks."""

    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    """Announced total size, 0 while unknown."""
    received: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    complete: bool = False
    path: str
    uploaded_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(_tz(), nullable=False))


class BlobRef(CentralModel, table=True):
    """A case that references a blob (decides who may fetch it)."""

    sha256: str = Field(primary_key=True, max_length=64)
    case_id: UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    division: str = Field(max_length=12)


class Counter(CentralModel, table=True):
    """Named counters; ``events`` hands out central_seq under a row lock."""

    name: str = Field(primary_key=True, sa_type=String(32))
    value: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
    head: str | None = Field(default=None, sa_column=Column(HexDigest(), nullable=True))
    """``events``: the newest link of the audit chain, written with the value under the
    row's lock (a push links its events onto it): removing the newest events cannot
    leave the chain looking whole (``audit_verify``). None: no event yet."""


class PersonSession(CentralModel, table=True):
    """A signed-in person at a station: the person's own credential for the centre.

    Opened with the person's username and password through the station's token, bound
    to that station, short-lived. Administrative acts need one (the workstation's
    token alone is never enough) and are audited with the person.
    """

    __tablename__ = "person_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    """sha256 hex of the session token; the token itself is never stored."""
    user_id: str = Field(index=True, max_length=64)
    station_id: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))


class LoginFailure(CentralModel, table=True):
    """Failed sign-ins of one username at the centre, and its lock (survives a restart)."""

    __tablename__ = "login_failure"

    username: str = Field(primary_key=True, max_length=64)
    failures: int = Field(default=0)
    """Failures since ``first_failed_at`` (the window restarts after it passes)."""
    first_failed_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    locked_until: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))


class AdminAction(CentralModel, table=True):
    """One administrative act (publish, enroll, revoke, an account change, a loop step…),
    with the person who did it, hash-chained like the event audit."""

    __tablename__ = "admin_action"

    seq: int = Field(sa_column=Column(SeqType, primary_key=True, autoincrement=True))
    at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    actor_id: str = Field(max_length=64)
    actor_username: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    station_id: str = Field(max_length=64)
    action: str = Field(index=True, max_length=48)
    """Dotted name: ``station.revoke``, ``account.create``, ``catalog.publish``…"""
    target: str = Field(default="", max_length=128)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class CatalogVersion(CentralModel, table=True):
    """One published catalog (同源发布): numbered 1, 2, 3 …, never changed once stored."""

    __tablename__ = "catalog_version"

    number: int = Field(sa_column=Column(Integer(), primary_key=True, autoincrement=False))
    version: str = Field(unique=True, max_length=40)
    """The catalog's own version string (``catalog.toml``'s ``version``)."""
    sha256: str = Field(unique=True, max_length=64)
    """SHA-256 of the catalog's canonical JSON (the document's ``sha256``)."""
    document: str = Field(sa_column=Column(Text(), nullable=False))
    """The published document, byte for byte (canonical JSON, UTF-8)."""
    published_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    published_by: str = Field(max_length=64)
    """The county administrator's username."""


class LoopItem(CentralModel, table=True):
    """A 闭环 work item: a 差评 or a 办不成事 report the county must follow to its end.

    One per source (``source_id`` is UNIQUE): a replayed push or bundle, or a corrected
    rating, never makes a second one.
    """

    __tablename__ = "loop_item"

    id: int | None = Field(
        default=None, sa_column=Column(SeqType, primary_key=True, autoincrement=True)
    )
    source_kind: str = Field(max_length=16)
    """``rating`` (差评 of a case) or ``unresolved`` (办不成事 record)."""
    source_id: UUID = Field(sa_column=Column(Uuid(), nullable=False, unique=True))
    """The case id or the record id."""
    source_number: str = Field(max_length=40)
    division: str = Field(index=True, max_length=12)
    """The division of the station that recorded it (the village)."""
    station_id: str = Field(max_length=64)
    station_name: str = ""
    words: str = ""
    """The resident's words (the rating's reason; what was asked and why it failed)."""
    rating: int | None = None
    created_at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    state: str = Field(index=True, max_length=16)
    """open | assigned | visited | rectified | fed_back | closed | withdrawn."""
    unit_kind: str = Field(default="", max_length=16)
    """township | department (empty while unassigned)."""
    unit: str = Field(default="", index=True, max_length=64)
    """The township's 12-digit division code, or the department's name."""
    unit_name: str = ""
    appeal: str = Field(default="", max_length=16)
    """申诉复核: empty, pending, upheld or overturned."""
    closed_at: datetime | None = Field(default=None, sa_column=Column(_tz(), nullable=True))
    updated_seq: int = Field(default=0, sa_column=Column(SeqType, nullable=False, index=True))
    """From the ``loops`` counter on every change: stations fetch outcomes by this cursor."""


class LoopStep(CentralModel, table=True):
    """One step of a loop item (append-only): who did what, when."""

    __tablename__ = "loop_step"

    id: int | None = Field(
        default=None, sa_column=Column(SeqType, primary_key=True, autoincrement=True)
    )
    item_id: int = Field(sa_column=Column(SeqType, nullable=False, index=True))
    at: datetime = Field(sa_column=Column(_tz(), nullable=False))
    action: str = Field(max_length=24)
    """created | assigned | visited | rectified | fed_back | appealed | appeal_decided |
    closed | withdrawn | reopened | rating_corrected."""
    actor_username: str = Field(default="", max_length=64)
    """Empty for what the centre itself recorded (the item's creation)."""
    actor_name: str = ""
    actor_role: str = Field(default="", max_length=16)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


EVENTS_COUNTER = "events"
EVENT_TABLE = EventRow.__table__  # type: ignore[attr-defined]
CASE_TABLE = CaseRow.__table__  # type: ignore[attr-defined]
COUNTER_TABLE = Counter.__table__  # type: ignore[attr-defined]
BLOBREF_TABLE = BlobRef.__table__  # type: ignore[attr-defined]
UNRESOLVED_TABLE = UnresolvedRecordRow.__table__  # type: ignore[attr-defined]
PROGRESS_KEY_TABLE = ProgressKey.__table__  # type: ignore[attr-defined]

CREATED_EVENT = EVENT_TABLE.alias("created_event")
"""A case's ``created`` event, joined to its ``case_state`` row by ``CASES_WITH_BODY``."""
CASES_WITH_BODY = CASE_TABLE.outerjoin(
    CREATED_EVENT, CREATED_EVENT.c.central_seq == CASE_TABLE.c.created_seq
)
"""``case_state`` with the payload its stored view leaves out (``stored_view``): select
from it the row, its ``view`` and ``CASE_BODY``, and ``whole_view`` puts the case back."""
CASE_BODY = CREATED_EVENT.c.payload.label("body")
"""The ``created`` payload of a case selected from ``CASES_WITH_BODY`` (NULL: none)."""


def view_value(path: str | tuple[str, ...], *, integer: bool = False) -> Any:
    """A JSON value of a case's view in SQL (text, or ``integer``), from ``CASES_WITH_BODY``:
    the stored view's, else its ``created`` payload's, for a field of the application as
    filed (``LEAN_FIELDS``; one the view holds as JSON null reads as the payload's, so only
    for values never null once filed)."""
    from sqlalchemy import func

    def value(column: Any) -> Any:
        return column[path].as_integer() if integer else column[path].as_string()

    return func.coalesce(value(CASE_TABLE.c.view), value(CREATED_EVENT.c.payload))
