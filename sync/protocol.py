"""The wire protocol between a station and the centre (JSON over HTTP, gzip bodies).

This module is the contract both ends build on. Change it only by adding
fields with defaults; never rename or remove one (old stations keep talking).

Endpoints (all under ``/api/v1``; every request but enrollment carries
``Authorization: Bearer <station token>``):

| method, path | body | answer |
|---|---|---|
| POST /enroll | EnrollRequest | EnrollResponse |
| POST /hello | HelloRequest | HelloResponse |
| POST /push | PushRequest | PushResponse (always 2xx with per-event results) |
| GET /pull?after=N&limit=M[&own_upto=K] | — | PullResponse |
| POST /sync | SyncRequest (hello + first batch + cursor) | SyncResponse |
| HEAD/GET /blobs/{sha256} | — | 200 if held / the bytes |
| GET /blobs/{sha256}/status | — | BlobStatus; 404 when none of it is held |
| PUT /blobs/{sha256}?offset=N&size=TOTAL | raw chunk | BlobStatus (409 when N is not what it holds) |
| POST /bundles | bundle file bytes | BundleImportResult |
| GET /catalog | — | CatalogInfo (nulls: unreadable; every pull page carries it too) |
| GET /loops/outcomes?after=N | — | ``{"items": [...], "next": int}`` (asked when a page's ``loops_seq`` is past N) |
| GET /catalog/file?number=N | — | a published catalog document (bytes; default the latest) |
| POST /token/renew (no bearer) | TokenRenewRequest | TokenRenewResponse |

A pull that names ``own_upto`` (the highest ``station_seq`` of its own the station
holds) gets its own events up to that number as ``acks`` (id, central_seq, status,
reason), not as full events: the station holds them already. Its own events above
it (a station restored from an old backup) still come in full. A centre that does
not know the parameter ignores it and sends full events, as one that is not asked.

Request bodies of JSON are sent gzip-compressed (``Content-Encoding: gzip``);
blob chunks and bundles are sent as they are (``application/octet-stream``).
Errors are FastAPI's ``{"detail": ...}``; only 429 and 5xx are retried
(honouring ``Retry-After``), any other 4xx is final.

A blob upload is resumable: ask its status, then PUT 1 MiB chunks from the
``received`` offset; the centre checks the SHA-256 once ``received == size``
and sets ``complete``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from sync.events import Event, EventStatus, RecordedEvent, Role

API_PREFIX = "/api/v1"
PUSH_BATCH_EVENTS = 200
PUSH_BATCH_BYTES = 256 * 1024
"""A push run's first batch (and the one in ``POST /sync``): a village's usual sync."""
PUSH_BULK_EVENTS = 1000
PUSH_BULK_BYTES = 1024 * 1024
"""The batches after the first, while an outbox is deep (weeks offline, a bulk import):
a request's fixed cost at the centre (~5 ms: the framework, the token, the group commit)
is then spread over five times the events (``docs/scale.md``). At most
``MAX_PUSH_EVENTS``, which every centre since the first release accepts."""
PULL_PAGE_EVENTS = 500


class StationRole(StrEnum):
    """The level a station works at; its scope follows from its division code."""

    village = "village"
    township = "township"
    county = "county"


SCOPE_DIGITS = {StationRole.village: 12, StationRole.township: 9, StationRole.county: 6}
"""The digits of its division a station's scope (辖区) keeps: a village's whole code, a
township's 9-digit prefix, a county's 6 (the centre checks them, a desk searches by them)."""


class EnrollRequest(BaseModel):
    """A station presents its one-time code."""

    code: str
    device_name: str = ""
    software_version: str = ""
    attempt: str = Field(default="", max_length=128)
    """A secret the station derives from the code and a key of its own (the same for every
    try with this code, a restart included): the request sent again after its answer was
    lost on the line gets the credential again, with a fresh token, where it found the code
    used (until the station is first heard from). "" from an older station: a code is
    answered once."""


class EnrollResponse(BaseModel):
    """The station credential, stored locally by the station."""

    station_id: str
    token: str
    """Bearer token for every later request."""
    signing_key: str
    """Hex key for signing offline bundles (HMAC-SHA256)."""
    division: str
    """12-digit division code of the station."""
    name: str
    role: StationRole
    case_numbers: dict[str, int] = {}
    """The highest case-number sequence the division used on recent days (``YYYYMMDD`` →
    serial), so a replacement PC never hands out a number its dead predecessor gave."""
    record_numbers: dict[str, int] = {}
    """The same for 办不成事 record numbers (``BCS-…``)."""


class StationReport(BaseModel):
    """What a station holds, told at every hello (the county's station list and
    reconciliation read it). All optional: an older station sends the depth alone."""

    outbox_depth: int = 0
    """Own events not yet accepted by the centre."""
    oldest_unsent: datetime | None = None
    """When the oldest of them was written (None: nothing unsent, or not reported)."""
    catalog_version: str = ""
    """The catalog version the station runs ("" from older software)."""
    cases_held: int | None = None
    """Cases the station holds (None from older software)."""


class HelloRequest(StationReport):
    """What a station tells the centre when it connects."""

    software_version: str
    schema_version: int


class HelloResponse(BaseModel):
    """The centre's time (for clock skew) and the schema versions it accepts."""

    server_time: datetime
    min_schema_version: int
    max_schema_version: int
    station_id: str
    division: str
    role: StationRole
    public_base_url: str = ""
    """The county's public progress pages (``<base>/p/<key>``, for the receipts' QR codes);
    empty: none configured (receipts carry the case number)."""
    token: str | None = None
    """A new bearer token when the station's is past half its life: the station saves it,
    then uses it (the old one stays valid until it expires)."""
    token_expires_at: datetime | None = None
    """When ``token`` expires."""


MAX_PUSH_EVENTS = 1000
"""Most events the centre takes in one push (5 × the client's batch): a push holds the
centre's write turn while it applies, so no station's push may hold it for long."""


class PushRequest(BaseModel):
    """A batch of events, each case's in the station's sequence order (a backlog goes case
    by case, each case whole: ``sync.engine.take_cases``; the centre judges each event
    against its case alone, so cases may come in any order)."""

    events: list[Event] = Field(max_length=MAX_PUSH_EVENTS)


CASE_NUMBER_TAKEN = "the case number is already used by another case: renumber the case"
"""The reason a ``created`` event (and the rest of its case in the batch) is rejected when
the centre holds another case with its number (a restored or replacement PC): the station
gives the case its next number and pushes it again (``sync.engine``)."""


class ResultStatus(StrEnum):
    """What the centre did with one pushed event."""

    applied = "applied"
    duplicate = "duplicate"  # already held: nothing changed
    superseded = "superseded"  # kept in history, not applied; reason given
    rejected = "rejected"  # refused and not kept (malformed, wrong station, old schema)


class EventResult(BaseModel):
    """The fate of one pushed event."""

    id: str
    status: ResultStatus
    reason: str | None = None
    central_seq: int | None = None


class PushResponse(BaseModel):
    """One result per pushed event, in the same order."""

    results: list[EventResult]


class AccountRecord(BaseModel):
    """An account that may log in at a station, cached there for offline login."""

    user_id: str
    username: str
    display_name: str
    role: Role
    division: str
    phone: str = ""
    password_hash: str
    """argon2 hash; the password itself never leaves the person."""
    active: bool = True
    updated_at: datetime


class EventAck(BaseModel):
    """The centre's word on one of the pulling station's own events, which it holds:
    what a full ``RecordedEvent`` would add to it."""

    id: UUID
    central_seq: int
    status: EventStatus
    reason: str | None = None


class CatalogInfo(BaseModel):
    """The catalog stations should run (``GET /catalog``, and every pull page's ``catalog``);
    None when the centre cannot read it."""

    number: int | None = None
    """The publication number: 1, 2, 3 …; 0 while the county has published none."""
    version: str | None = None
    sha256: str | None = None


class PullResponse(BaseModel):
    """A page of events in the station's scope after its cursor."""

    events: list[RecordedEvent]
    acks: list[EventAck] = Field(default_factory=list)
    """The station's own events of the page up to the ``own_upto`` it named, as
    acknowledgements (empty when it named none: they are in ``events``)."""
    next_cursor: int
    """The station stores this in the same transaction as it applies the page."""
    has_more: bool
    accounts: list[AccountRecord] = Field(default_factory=list)
    """Accounts of the station's scope changed since the last pull (first page only)."""
    catalog_version: str | None = None
    """Version of the published catalog; fetch it when it differs from the local one."""
    catalog: CatalogInfo | None = None
    """The published catalog's number, version and hash: a station running that very one
    need not ask ``GET /catalog`` after its pull (None: a centre that does not say)."""
    loops_seq: int | None = None
    """The newest change stamp of the county's 闭环 items: a station whose outcome cursor
    has reached it need not ask ``GET /loops/outcomes`` (None: a centre that does not say).
    An idle desk syncs every 30 s, and these two asked every time."""


class SyncRequest(HelloRequest):
    """A whole small sync in one request (``POST /sync``): the hello, the outbox's first
    batch and the first page after the cursor.

    At 9 a.m. a village's sync is a hello, a push of a few events and a pull that brings
    back little more than their acknowledgements: three requests, each paying the
    centre's fixed cost per request (token, middleware, framework), which was most of
    the centre's CPU per sync. The centre answers the three parts in order (the page is
    read after the push commits) and the station goes on with ``/push`` and ``/pull``
    only when there is more. Replaying it is safe: the push answers ``duplicate``, the
    hello and the page are read again."""

    events: list[Event] = Field(default_factory=list, max_length=MAX_PUSH_EVENTS)
    after: int = Field(ge=0)
    """The station's pull cursor."""
    limit: int = Field(default=PULL_PAGE_EVENTS, ge=1, le=PULL_PAGE_EVENTS)
    own_upto: int | None = Field(default=None, ge=0)
    whole_outbox: bool = False
    """``events`` are the station's whole outbox (its report counts them): once every one
    is settled, the centre records the outbox as the push left it (empty, nothing unsent)
    and says so (``SyncResponse.outbox_settled``); otherwise (a push refused, not admitted
    or failed, a schema not accepted) it records the report as sent. The station then
    need not say hello again after the push."""
    """As ``GET /pull``'s: own events up to it come back as acknowledgements."""


class SyncResponse(BaseModel):
    """The three answers of a ``SyncRequest``: the pushed events' results (none when the
    centre does not accept the station's schema: it then pushed nothing) and the page."""

    hello: HelloResponse
    results: list[EventResult] = Field(default_factory=list)
    page: PullResponse | None = None
    """The page after the cursor (empty when the schema is refused). None at a station
    that could not read it: it pulls it again by ``GET /pull``."""
    outbox_settled: bool = False
    """The request's ``whole_outbox`` was settled and recorded as empty (False: the report
    as sent is what the centre holds; a centre that predates the field says False)."""


def batch_settled(ids: Iterable[str], results: Iterable[EventResult]) -> bool:
    """Whether ``results`` settle the batch of event ``ids``: every event answered, and
    no case refused for its number (its events go again, renumbered). Rejected events
    settle too: the station keeps them out of its outbox."""
    wanted = set(ids)
    answered = {r.id for r in results if r.id in wanted}
    refused = any(
        r.status is ResultStatus.rejected and r.reason == CASE_NUMBER_TAKEN
        for r in results
        if r.id in wanted
    )
    return answered == wanted and not refused


class BlobStatus(BaseModel):
    """How much of a blob the centre holds."""

    sha256: str
    size: int
    received: int
    complete: bool


class BundleImportResult(BaseModel):
    """What importing an offline bundle did."""

    station_id: str
    results: list[EventResult]
    blobs_stored: int = 0
    station_cursor: int | None = None
    """The pull cursor the outbox bundle carried: its return bundle answers from there."""


TOKEN_EXPIRED_PREFIX = "the station's token expired on "
"""How the centre's 401 for an expired (not unknown, not revoked) token begins: the
station then renews it (``POST /token/renew``)."""

TOKEN_RENEW_MAX_BYTES = 4096
"""The largest ``POST /token/renew`` body the centre reads (a real one is ~400 bytes)."""

TOKEN_RENEW_CONTEXT = "daiban-token-renew/1"
"""Signed first, so a renewal's signature can never pass for any other signed thing."""

_HEX64 = r"^[0-9a-f]{64}$"


class TokenRenewRequest(BaseModel):
    """A station whose token expired (offline too long) asks for a new one, signed with
    the signing key it received at enrollment (no bearer token: it has none that works).

    The request is bound to the expired token: once renewed, that token is replaced, so
    the same request (replayed) is refused.
    """

    station_id: str = Field(min_length=1, max_length=64)
    issued_at: AwareDatetime
    """When the station wrote the request (UTC); the centre accepts ±24 h of its clock."""
    nonce: str = Field(min_length=16, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")
    expired_token_hash: str = Field(pattern=_HEX64)
    """SHA-256 (hex) of the expired token the station holds."""
    signature: str = Field(pattern=_HEX64)
    """HMAC-SHA256 (hex) of :meth:`signed_bytes` with the station's signing key."""

    def signed_bytes(self) -> bytes:
        """The canonical bytes the signature covers (every field but the signature)."""
        fields = [
            TOKEN_RENEW_CONTEXT,
            self.station_id,
            self.issued_at.astimezone(UTC).isoformat(timespec="microseconds"),
            self.nonce,
            self.expired_token_hash,
        ]
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


class TokenRenewResponse(BaseModel):
    """The station's new bearer token."""

    token: str
    token_expires_at: AwareDatetime


def bearer_token_hash(token: str) -> str:
    """SHA-256 (hex) of a bearer token: what the centre stores and a renewal names."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def renewal_signature(request: TokenRenewRequest, signing_key: str) -> str:
    """HMAC-SHA256 (hex) of the request's signed bytes with ``signing_key`` (hex, as
    enrollment hands it out; any other text is used as its UTF-8 bytes, as bundles do)."""
    try:
        key = bytes.fromhex(signing_key)
    except ValueError:
        key = signing_key.encode()
    return hmac.new(key, request.signed_bytes(), hashlib.sha256).hexdigest()
