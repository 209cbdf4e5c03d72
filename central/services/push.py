"""Push: apply a station's batch of events in one transaction (the hot path).

Design (DESIGN.md, "Defaults and scale"): SQLAlchemy Core executemany for the
event rows, audit links and case views, never one ORM object per event. The
event id is the idempotency key and a UNIQUE column; known ids are looked up
first only to answer quickly, and ``INSERT ... ON CONFLICT (id) DO NOTHING``
is what guarantees that two concurrent pushes of one event store one row.

A (station_id, station_seq) pair that comes back with a *different* event id
is a sequence conflict (a station restored from an old backup, or two
machines sharing one credential). Such an event is still stored and applied:
it is a real act on a real case and nothing is silently dropped. The pair is
therefore indexed, not unique; the result carries a reason and reconciliation
reports every conflict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic_core import to_json
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    any_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import TypeEngine
from sqlmodel import Session

from central.db import write_turn
from central.models import (
    BLOBREF_TABLE,
    CASE_TABLE,
    CASES_WITH_BODY,
    CREATED_EVENT,
    EVENT_TABLE,
    UNRESOLVED_TABLE,
    VIEW_COLUMNS,
    CompactUuid,
    Station,
    User,
    agreed_fields,
    as_utc,
    stored_record,
    stored_view,
    utcnow,
    uuid_bytes,
    whole_view,
)
from central.services import audit, sequence
from central.services.blobs import referable_blobs
from central.services.bulk import insert_rows, upsert_clause
from central.services.catalog import handling_levels
from central.services.catalog_versions import current_catalog
from central.services.group_commit import Queued
from central.services.loop_intake import open_items
from central.services.progress import record_keys
from central.services.scope import in_scope, write_problem
from forms.catalog import Catalog
from forms.clock import to_utc
from sync.collector import collector_paused
from sync.driver import execute_many
from sync.events import SCHEMA_VERSION, Event, EventKind, EventStatus, Role, is_record_event
from sync.lifecycle import ACCEPTING_KINDS, check_handling_path
from sync.protocol import CASE_NUMBER_TAKEN, EventResult, ResultStatus
from sync.reducer import BAD_RATING, BAD_RATING_KEPT, CaseView, apply_any, judge
from sync.unresolved import UnresolvedView
from sync.views import constructed

View = CaseView | UnresolvedView
"""What an id holds at the centre: a case, or a 办不成事 record (its own table)."""

SEQUENCE_CONFLICT = "station sequence number already used by another event"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_QUOTED_SHA256 = re.compile(r'"[0-9a-f]{64}"')
"""A string of exactly 64 hex digits somewhere in a payload's JSON text (hex is never escaped)."""
_HANDLING = re.compile(r"^\d{9}000$")
_ev = EVENT_TABLE.c


class _InsertRace(Exception):
    """An event id appeared between the look-up and the insert: redo the batch."""


@dataclass(frozen=True)
class SchemaRange:
    """The event schema versions the centre accepts."""

    minimum: int
    maximum: int


@dataclass(frozen=True)
class _Body:
    """A stored case's ``created`` event: what its stored view leaves out (``stored_view``)."""

    seq: int | None
    """Its ``central_seq`` (``CaseRow.created_seq``); None: the view is stored whole."""
    text: str | None
    """Its payload as JSON text."""
    view: CaseView | None = None
    """The case as read (``stored``: its stored view's text)."""
    stored: str = ""

    def payload(self) -> dict[str, Any] | None:
        """The payload, parsed (only when the case is written again)."""
        return json.loads(self.text) if self.text else None

    def known(self, payload: dict[str, Any] | None) -> dict[str, Any] | None:
        """What the case as read held that agreed with the payload (``stored_view``)."""
        if self.view is None or not payload:
            return None
        return agreed_fields(self.view, self.stored, payload)


@dataclass
class _Batch:
    """Working state of one push transaction."""

    results: list[EventResult | None]
    views: dict[UUID, View | None] = field(default_factory=dict)
    known_divisions: dict[UUID, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    prepared: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    """Event rows (without the centre's fields), built before the lock."""
    digests: dict[UUID, str] = field(default_factory=dict)
    """Audit body digests by event id, computed before the lock."""
    touched: set[UUID] = field(default_factory=set)
    bodies: dict[UUID, _Body] = field(default_factory=dict)
    """The stored cases' ``created`` payloads, by case (the group's, shared by its batches)."""
    received_at: datetime = field(default_factory=utcnow)
    """When the centre received the batch (one moment for all its events)."""
    duplicates: int = 0
    catalog_path: Path | None = None
    """The county's configured catalog (version 0, until the county publishes one)."""
    session: Session | None = None
    loops: list[View | None] = field(default_factory=list)
    """The views whose rating or 办不成事 report the batch applied, as it left them."""
    catalog: Catalog | None = None
    """The catalog the county runs now (latest published), read once per batch when needed:
    its handling paths say who may accept and complete (办结) an item."""


def apply_events(
    *,
    session: Session,
    station: Station,
    events: Sequence[Event],
    schemas: SchemaRange | None = None,
    catalog_path: Path | None = None,
) -> list[EventResult]:
    """Apply a pushed batch; one result per event, in the same order.

    Args:
        session: the request's session; this function commits it.
        station: the authenticated station.
        events: the batch, in the station's sequence order.
        schemas: the schema versions accepted (default: 1 to this software's).
        catalog_path: the county's catalog (None: the shipped one); a 办结 its item's
            handling path does not let the actor's level decide is superseded.

    Returns:
        applied / duplicate / superseded (kept, with reason) / rejected (not kept).
    """
    schemas = schemas or SchemaRange(1, SCHEMA_VERSION)
    with collector_paused():
        for _attempt in range(3):
            try:
                results = _apply_once(session, station, events, schemas, catalog_path)
            except _InsertRace:
                session.rollback()
                continue
            session.commit()
            return results
    raise RuntimeError("push kept racing with itself; giving up")


@dataclass(frozen=True)
class PushJob:
    """One request's batch, as queued for a group commit (``central.services.group_commit``)."""

    station: Station
    events: Sequence[Event]
    schemas: SchemaRange
    catalog_path: Path | None = None


def apply_group(*, session: Session, group: Sequence[Queued[PushJob, list[EventResult]]]) -> None:
    """Apply several requests' batches in one transaction and answer each.

    Each batch runs exactly as it would alone (the counter, the cases, the audit chain
    read inside the transaction, so a later batch sees an earlier one's events); one
    commit for all. If any batch fails, the group is rolled back and every batch is
    applied alone, each answered with its own results or its own error.

    Args:
        session: the leading request's session; this function commits it.
        group: the queued batches (their answers are set here).
    """
    with write_turn(session.get_bind().engine), collector_paused():
        outcomes = _apply_group(session, group)
    # Answered once the write turn is free and the collector back on: a station that has
    # its answer finds the centre as the batch left it.
    for queued, outcome in zip(group, outcomes, strict=True):
        if isinstance(outcome, Exception):
            queued.answer.set_exception(outcome)
        else:
            queued.answer.set_result(outcome)


Outcome = list[EventResult] | Exception
"""A batch's results, or what applying it alone raised."""


def _apply_group(
    session: Session, group: Sequence[Queued[PushJob, list[EventResult]]]
) -> list[Outcome]:
    if len(group) > 1:
        try:
            answers: list[Outcome] = list(_apply_together(session, [q.job for q in group]))
            session.commit()
        except Exception:  # noqa: BLE001 - retried one by one below, each with its own error
            session.rollback()
        else:
            return answers
    outcomes: list[Outcome] = []
    for queued in group:
        job = queued.job
        try:
            outcomes.append(
                apply_events(
                    session=session,
                    station=job.station,
                    events=job.events,
                    schemas=job.schemas,
                    catalog_path=job.catalog_path,
                )
            )
        except Exception as error:  # noqa: BLE001 - it belongs to that request alone
            session.rollback()
            outcomes.append(error)
    return outcomes


def _apply_once(
    session: Session,
    station: Station,
    events: Sequence[Event],
    schemas: SchemaRange,
    catalog_path: Path | None,
) -> list[EventResult]:
    return _apply_together(session, [PushJob(station, events, schemas, catalog_path)])[0]


def _apply_together(session: Session, jobs: Sequence[PushJob]) -> list[list[EventResult]]:
    """Apply several requests' batches in one transaction, with one set of statements.

    Each batch is judged exactly as if it ran alone after the ones before it: they share
    the cases as the earlier batches left them, the events those stored (a replayed one
    is a duplicate), the station sequence numbers and the case numbers they took. The
    look-ups are made once for all (before, a group of 16 batches made ~15 round trips
    each, and on SQLite each statement let go of the GIL for the event loop to keep),
    and so are the writes.
    """
    views: dict[UUID, View | None] = {}
    divisions: dict[UUID, str] = {}
    batches = [_prepared(job, session, views, divisions) for job in jobs]
    bodies: dict[UUID, _Body] = {}
    for batch in batches:  # the group's, shared as its views are
        batch.bodies = bodies
    connection = session.connection()
    # First statement: the counter row lock that orders commits (see sequence.py).
    last_seq, head = sequence.lock_counter_head(connection)
    pending = [
        e.id
        for job, batch in zip(jobs, batches, strict=True)
        for e, r in zip(job.events, batch.results, strict=True)
        if r is None
    ]
    held = _held_events(connection, pending)
    case_ids = {e.case_id for job in jobs for e in job.events}
    _load_cases(connection, views, divisions, bodies, case_ids)
    seen = _Seen(
        held,
        _used_sequences(connection, jobs),
        _number_owners(connection, jobs, divisions),
        _accounts(connection, jobs),
    )
    for job, batch in zip(jobs, batches, strict=True):
        last_seq = _judge_batch(batch, job, seen, last_seq)
    _write(connection, jobs, batches, last_seq, head or audit.GENESIS)
    return [[r for r in batch.results if r is not None] for batch in batches]


@dataclass(frozen=True)
class _Seen:
    """What the tables held when the group began, kept up to date batch by batch."""

    held: dict[UUID, tuple[int, str, str | None]]
    """Stored events by id: central seq, status, reason."""
    used: dict[str, dict[int, UUID]]
    """By station: the event id stored under each station sequence number."""
    owners: dict[str, UUID]
    """The case holding each case number."""
    accounts: dict[str, Any]
    """The actors' accounts by id."""


def _prepared(
    job: PushJob, session: Session, views: dict[UUID, View | None], divisions: dict[UUID, str]
) -> _Batch:
    """A batch's pure-Python work, before any statement: the rejections that need no
    table, the event rows and their audit digests (``views`` and ``divisions`` are the
    group's, shared by its batches)."""
    station_id = job.station.id
    batch = _Batch(
        results=[_static_rejection(e, station_id, job.schemas) for e in job.events],
        views=views,
        known_divisions=divisions,
    )
    batch.catalog_path, batch.session = job.catalog_path, session
    for event, result in zip(job.events, batch.results, strict=True):
        if result is None and event.id not in batch.prepared:
            row = batch.prepared[event.id] = _event_row(event)
            batch.digests[event.id] = audit.body_digest(row)
    return batch


def _judge_batch(batch: _Batch, job: PushJob, seen: _Seen, last_seq: int) -> int:
    """Judge one batch's events in order; then record what a later batch of the group
    would find in the tables (its stored events, numbers, cases). Returns the last seq."""
    station, events = job.station, job.events
    renumber = _taken_numbers(batch, events, seen.owners)
    actor_problems = _actor_problems(seen.accounts, station, events)
    conflicts = seen.used.setdefault(station.id, {})
    in_batch: set[UUID] = set()
    division, role = station.division, station.role  # read once, not per event (ORM attributes)
    # By (case division, actor's role, scope): the same few answers for a whole batch.
    write_problems: dict[tuple[str, Role, str], str | None] = {}
    scopes: dict[str, dict[str, str]] = {}  # the scope columns, made once per scope
    for index, event in enumerate(events):
        if batch.results[index] is None and event.case_id in renumber:
            batch.results[index] = _rejected(event, CASE_NUMBER_TAKEN)
        if batch.results[index] is not None:
            continue
        if event.id in seen.held or event.id in in_batch:
            batch.results[index] = _duplicate(event, seen.held.get(event.id), batch)
            continue
        in_batch.add(event.id)
        scope = scope_of(batch.views.get(event.case_id), event)
        asked = (event.division, event.actor_role, scope)
        if asked not in write_problems:
            write_problems[asked] = write_problem(*asked[:2], division, role, scope)
        problem = write_problems[asked] or actor_problems.get(event.id)
        if problem is not None:
            batch.results[index] = _rejected(event, problem)
            continue
        columns = scopes.get(scope)
        if columns is None:
            columns = scopes[scope] = scope_columns(scope)
        batch.prepared[event.id].update(columns)
        last_seq = _judge_one(batch, index, event, last_seq, conflicts)
    for row in batch.rows:
        seen.held[row["id"]] = (row["central_seq"], row["status"], row["reason"])
    for case_id in batch.touched:
        view = batch.views[case_id]
        if isinstance(view, CaseView) and view.exists:
            seen.owners.setdefault(view.case_number, case_id)
    batch.loops = _loop_views(batch)  # as this batch leaves them (a later one may change them)
    return last_seq


def _rejected(event: Event, reason: str) -> EventResult:
    return _result(event, ResultStatus.rejected, reason)


def _result(
    event: Event, status: ResultStatus, reason: str | None = None, central_seq: int | None = None
) -> EventResult:
    """A result built from values already checked (no validation per event on the hot path)."""
    values = {"id": str(event.id), "status": status, "reason": reason, "central_seq": central_seq}
    return constructed(EventResult, values)


def _new_cases(batch_divisions: dict[UUID, str], events: Sequence[Event]) -> list[Event]:
    """The events that create a case the centre does not hold yet."""
    return [
        e
        for e in events
        if e.kind is EventKind.created
        and not is_record_event(e.kind, e.payload)
        and e.case_id not in batch_divisions
    ]


def _number_owners(
    connection: Connection, jobs: Sequence[PushJob], divisions: dict[UUID, str]
) -> dict[str, UUID]:
    """The cases already holding the case numbers the group's new cases bring."""
    numbers = list({e.case_number for job in jobs for e in _new_cases(divisions, job.events)})
    if not numbers:
        return {}
    # A case number is any text the station sent; one holding a NUL is looked up in a
    # list (json_each would cut it short, and miss the case that holds it).
    name = "numbers_listed" if any("\x00" in number for number in numbers) else "numbers"
    found = connection.execute(_statement(connection, name), {"values": numbers})
    return {row.case_number: row.case_id for row in found}


def _taken_numbers(batch: _Batch, events: Sequence[Event], owners: dict[str, UUID]) -> set[UUID]:
    """The new cases of the batch whose number another case holds (at the centre, or
    earlier in the batch): refused whole, so the station renumbers them and pushes again.

    Case numbers are made offline from the division, the day and the station's counter;
    a station restored from a backup, or a replacement PC that took a case in before its
    first sync, hands out a number again. Accepting it would give two cases one number
    (and stop every station that holds both).
    """
    claimed: dict[str, UUID] = {}
    refused: set[UUID] = set()
    for event in _new_cases(batch.known_divisions, events):
        owner = owners.get(event.case_number) or claimed.setdefault(
            event.case_number, event.case_id
        )
        if owner != event.case_id:
            refused.add(event.case_id)
    return refused


def _accounts(connection: Connection, jobs: Sequence[PushJob]) -> dict[str, Any]:
    """The accounts the group's events name as their actors, by id."""
    ids = {"values": list({e.actor_id for job in jobs for e in job.events})}
    return {row.id: row for row in connection.execute(_statement(connection, "actors"), ids)}


def _actor_problems(
    accounts: dict[str, Any], station: Station, events: Sequence[Event]
) -> dict[UUID, str]:
    """Why an event may not name its actor (by event id): a station may not record an act
    "by" a person who has no account at the centre, or whose account is of another role,
    outside its scope, or disabled (work written offline before the account was disabled,
    by the event's device time, is still accepted).
    """
    problems: dict[UUID, str] = {}
    judged: dict[tuple[str, Role], str | None] = {}  # a batch is mostly one or two actors
    for event in events:
        account = accounts.get(event.actor_id)
        if account is not None and not account.active:  # the answer depends on the event's time
            problem = _actor_problem(account, event, station)
        else:
            key = (event.actor_id, event.actor_role)
            if key not in judged:
                judged[key] = _actor_problem(account, event, station)
            problem = judged[key]
        if problem is not None:
            problems[event.id] = problem
    return problems


def _actor_problem(account: Any, event: Event, station: Station) -> str | None:
    """Why ``account`` (a row, or None) may not be the actor of ``event`` at ``station``."""
    if account is None:
        return ACTOR_UNKNOWN
    if not account.active and not _written_before(event, account.disabled_at):
        return ACTOR_DISABLED
    if account.role != event.actor_role.value:
        return ACTOR_OTHER_ROLE
    if not in_scope(account.division, station.division, station.role):
        return ACTOR_OUT_OF_SCOPE
    return None


def _written_before(event: Event, disabled_at: datetime | None) -> bool:
    """Whether the event was written (device time) before its actor's account was disabled."""
    return disabled_at is not None and to_utc(event.device_time) < to_utc(disabled_at)


ACTOR_UNKNOWN = "the actor is not an account of the centre"
ACTOR_DISABLED = "the actor's account is disabled"
ACTOR_OTHER_ROLE = "the actor's account has another role"
ACTOR_OUT_OF_SCOPE = "the actor is not an account of this station's scope"


def _static_rejection(event: Event, station_id: str, schemas: SchemaRange) -> EventResult | None:
    reason: str | None = None
    if event.station_id != station_id:
        reason = "the event was written by another station"
    elif not schemas.minimum <= event.schema_version <= schemas.maximum:
        reason = (
            f"schema version {event.schema_version} is not accepted "
            f"(accepted: {schemas.minimum} to {schemas.maximum})"
        )
    if reason is None:
        return None
    return _rejected(event, reason)


def scope_of(view: View | None, event: Event) -> str:
    """Where the event's case is handled: its 区内通办 division, else its own division.

    Taken from the case as the centre holds it, or, for the event that creates
    it, from the payload (a handling division outside the event's county is
    ignored here: the reducer supersedes that event).
    """
    if isinstance(view, CaseView) and view.exists:
        return view.handling_division or view.division
    handling = event.payload.get("handling_division") if event.kind is EventKind.created else None
    if (
        isinstance(handling, str)
        and _HANDLING.match(handling)
        and handling[:6] == event.division[:6]
    ):
        return handling
    return event.division


def scope_columns(scope: str) -> dict[str, str]:
    """The event's scope columns: where it is handled, and that place's township (pull keys)."""
    return {"scope_division": scope, "scope_township": scope[:TOWNSHIP_DIGITS]}


TOWNSHIP_DIGITS = 9


def _held_events(
    connection: Connection, ids: list[UUID]
) -> dict[UUID, tuple[int, str, str | None]]:
    if not ids:
        return {}
    rows = connection.execute(_statement(connection, "held"), {"values": ids})
    return {row.id: (row.central_seq, row.status, row.reason) for row in rows}


def _load_cases(
    connection: Connection,
    views: dict[UUID, View | None],
    divisions: dict[UUID, str],
    bodies: dict[UUID, _Body],
    case_ids: set[UUID],
) -> None:
    # The view as stored text, parsed once by pydantic (no dict round trip).
    # Rows read by key (``.mappings()``): a ``Row``'s attribute is found by its
    # ``__getattr__`` only after the type's own look-up has failed and made an
    # ``AttributeError`` (~1 % of a push, seven per case read).
    ids = {"values": list(case_ids)}
    for row in connection.execute(_statement(connection, "cases_held"), ids).mappings():
        # its columns and its created payload put back
        case_id, body_text = row["case_id"], row["body_text"]
        stored = row["view_text"]
        view = views[case_id] = CaseView.model_validate_json(whole_view(row, stored, body_text))
        divisions[case_id] = row["division"]
        bodies[case_id] = _Body(row["created_seq"], body_text, view, stored)
    for row in connection.execute(_statement(connection, "records_held"), ids).mappings():
        views[row["record_id"]] = UnresolvedView.model_validate_json(row["view_text"])
        divisions[row["record_id"]] = row["division"]


def _used_sequences(connection: Connection, jobs: Sequence[PushJob]) -> dict[str, dict[int, UUID]]:
    """By station, the event ids already held for the group's station_seq numbers (to
    spot conflicts)."""
    wanted: dict[str, set[int]] = {}
    for job in jobs:
        station_id = job.station.id
        seqs = {e.station_seq for e in job.events if e.station_id == station_id}
        if seqs:
            wanted.setdefault(station_id, set()).update(seqs)
    if not wanted:
        return {}
    used: dict[str, dict[int, UUID]] = {}
    for row in _held_sequences(connection, wanted):
        if row.station_seq in wanted[row.station_id]:
            used.setdefault(row.station_id, {})[row.station_seq] = row.id
    return used


def _held_sequences(connection: Connection, wanted: dict[str, set[int]]) -> Any:
    """The rows (station_id, station_seq, id) held in the stations' ranges of numbers."""
    if len(wanted) > 1:  # a group of several stations' batches: one range scan each
        params: dict[str, Any] = {}
        for index, (station_id, seqs) in enumerate(sorted(wanted.items())):
            params |= {f"station{index}": station_id, f"low{index}": min(seqs)}
            params[f"high{index}"] = max(seqs)
        return connection.execute(_seq_ranges(connection, len(wanted)), params)
    ((station_id, seqs),) = wanted.items()
    low, high = min(seqs), max(seqs)
    if high - low + 1 == len(seqs):
        # A batch is usually a run of consecutive numbers: one range scan of the index.
        params = {"station": station_id, "low": low, "high": high}
        return connection.execute(_statement(connection, "seq_range"), params)
    # scattered numbers (one case's events, say): not every row in between
    params = {"station": station_id, "values": list(seqs)}
    return connection.execute(_statement(connection, "seq_list"), params)


def _duplicate(
    event: Event, held: tuple[int, str, str | None] | None, batch: _Batch
) -> EventResult:
    batch.duplicates += 1
    if held is None:  # the same event twice in one batch
        return _result(event, ResultStatus.duplicate)
    seq, _status, reason = held
    return _result(event, ResultStatus.duplicate, reason, seq)


def _judge_one(
    batch: _Batch, index: int, event: Event, last_seq: int, conflicts: dict[int, UUID]
) -> int:
    known_division = batch.known_divisions.get(event.case_id)
    if known_division is not None and known_division != event.division:
        batch.results[index] = _rejected(event, "the event's division does not match the case")
        return last_seq
    seq = last_seq + 1
    # apply_event applies sync.reducer.judge's supersede rule itself: an event not
    # allowed in the state the centre holds is recorded as superseded, with the reason.
    held = batch.views.get(event.case_id)
    path_reason = _path_problem(batch, held, event) or _rating_problem(held, event)
    if path_reason is not None:  # kept, as every refused act is: superseded with the reason
        new_view = apply_any(
            held,
            event,
            status=EventStatus.superseded,
            reason=path_reason,
            central_seq=seq,
            summarised=False,
        )
    else:  # (no summaries: the stored view keeps no history, see apply_event)
        new_view = apply_any(held, event, central_seq=seq, summarised=False)
    entry = new_view.history[-1]
    if entry.event_id == event.id:
        status, reason = _EVENT_STATUS[entry.status], entry.reason
    else:  # not expected: the reducer already held it; judge it explicitly
        status, reason = judge(held if isinstance(held, CaseView) else None, event)
    batch.views[event.case_id] = new_view
    batch.known_divisions.setdefault(event.case_id, event.division)
    batch.touched.add(event.case_id)
    row = batch.prepared[event.id]  # built for this push alone: completed in place
    row.update(central_seq=seq, status=status.value, reason=reason, received_at=batch.received_at)
    batch.rows.append(row)
    note = reason
    if conflicts.get(event.station_seq, event.id) != event.id:
        note = f"{reason}; {SEQUENCE_CONFLICT}" if reason else SEQUENCE_CONFLICT
    conflicts[event.station_seq] = event.id
    batch.results[index] = _result(event, _RESULT_STATUS[status], note, seq)
    return seq


_EVENT_STATUS = {status.value: status for status in EventStatus}
_RESULT_STATUS = {status.value: status for status in ResultStatus}
"""By text (a StrEnum member is its text as a key): what ``EventStatus(x.value)`` and
``ResultStatus(x.value)`` give, without the enum's call (twice per pushed event)."""


def _rating_problem(held: View | None, event: Event) -> str | None:
    """Why a pushed 更正好差评 may not stand: it lifts a 差评 (1-2) to a better rating, which
    is the county's to decide on appeal (申诉复核), not the rated station's."""
    if event.kind is not EventKind.rating_corrected or not isinstance(held, CaseView):
        return None
    new = event.payload.get("new")
    if held.rating is None or not isinstance(new, int) or not held.rating <= BAD_RATING < new:
        return None
    if judge(held, event)[0] is EventStatus.superseded:
        return None  # the lifecycle's own reason comes first
    return BAD_RATING_KEPT


def _path_problem(batch: _Batch, held: View | None, event: Event) -> str | None:
    """Why the item's handling path forbids the event (a township's 办结 of a county item,
    or its 受理 / 退回补正 / 不予受理 of an item the county accepts)."""
    if event.kind not in PATH_KINDS or not isinstance(held, CaseView):
        return None
    if not held.exists or not held.item_code or judge(held, event)[0] is EventStatus.superseded:
        return None  # the lifecycle's own reason comes first
    if batch.catalog is None:
        assert batch.session is not None
        batch.catalog = current_catalog(session=batch.session, path=batch.catalog_path)
    decide, accept = handling_levels(batch.catalog, held.item_code)
    return check_handling_path(event.kind, event.actor_role, decide, accept)


PATH_KINDS = frozenset({EventKind.completed, *ACCEPTING_KINDS})
"""The decisions the catalog's handling path says who may make."""


def _event_row(event: Event) -> dict[str, Any]:
    """The event's columns as the station wrote them (the centre adds seq, status, reason).

    The payload is taken as parsed at the API boundary (validated once, not dumped again),
    and stored as compact UTF-8 JSON text serialised once here (``_PAYLOAD_TEXT``).
    """
    return {
        "id": event.id,
        "case_id": event.case_id,
        "case_number": event.case_number,
        "division": event.division,
        "kind": event.kind.value,
        "station_id": event.station_id,
        "station_seq": event.station_seq,
        "schema_version": event.schema_version,
        "base_version": event.base_version,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role.value,
        # Stored as UTC: SQLite would otherwise keep the wall time and drop the offset.
        "device_time": as_utc(event.device_time),
        "payload": event.payload,
        _PAYLOAD_TEXT: to_json(event.payload).decode(),
    }


_PAYLOAD_TEXT = "payload_text"
"""The bound parameter carrying an event's payload as JSON text (not re-serialised by the
JSON type, whose default writes every Chinese character as a six-byte escape)."""
_PAYLOAD_KEYS = frozenset({_PAYLOAD_TEXT})


def _write(
    connection: Connection,
    jobs: Sequence[PushJob],
    batches: Sequence[_Batch],
    last_seq: int,
    head: str,
) -> None:
    """Store what the group's batches applied, one statement per table for all of them
    (``head``: the audit chain's newest link, read with the counter's lock)."""
    rows = [row for batch in batches for row in batch.rows]
    if rows:
        digests = {key: value for batch in batches for key, value in batch.digests.items()}
        audit.link_rows(connection, rows, digests, head=head)  # keyed chain, in the rows
        _insert_events(connection, rows)
        _save_cases(connection, jobs, batches)
        for job, batch in zip(jobs, batches, strict=True):  # rare: payloads naming scans
            _save_blob_refs(connection, batch.rows, job.station)
        record_keys(connection, rows)  # 扫码查询进度: the public page's key
        sequence.set_counter(connection, last_seq, head=rows[-1]["audit_link"])
        for job, batch in zip(jobs, batches, strict=True):  # 闭环: 差评 and 办不成事 (rare)
            open_items(connection, batch.loops, job.station)
    seen = utcnow()
    stations = sorted(  # one lock order for the station rows (hellos take them sorted too)
        (
            {"station": job.station.id, "seen": seen, "more": batch.duplicates}
            for job, batch in zip(jobs, batches, strict=True)
        ),
        key=lambda values: str(values["station"]),
    )
    connection.execute(_statement(connection, "station_seen"), stations)


_LOOP_KINDS = frozenset({"rated", "rating_corrected", "reported", "created"})
"""Kinds that may open or change a 闭环 item (``created``: older software's 办不成事)."""


def _loop_views(batch: _Batch) -> list[View | None]:
    """The views whose rating or 办不成事 report this batch applied (usually none)."""
    ids = {
        r["case_id"] for r in batch.rows if r["kind"] in _LOOP_KINDS and r["status"] == "applied"
    }
    return [batch.views.get(case_id) for case_id in ids]


def _insert_events(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if connection.dialect.name == "postgresql":  # one statement for the batch (bulk.py)
        columns = [
            ("payload" if key == _PAYLOAD_TEXT else key, key) for key in rows[0] if key != "payload"
        ]
        conflict = "ON CONFLICT (id) DO NOTHING"
        stored = insert_rows(
            connection, EVENT_TABLE, rows, conflict, columns=columns, text_keys=_PAYLOAD_KEYS
        )
    else:  # executemany of one prepared statement (its rowcount: the rows it inserted)
        keys = tuple(key for key in rows[0] if key != "payload")  # bound as text: _PAYLOAD_TEXT
        stored = execute_many(connection, _statement(connection, "events"), rows, keys)
    if stored != len(rows):
        # ON CONFLICT skipped a row: another transaction stored one of these ids
        # after our look-up. Only possible if something wrote events without the
        # counter lock; the UNIQUE constraint kept one row, and we redo the batch
        # (its look-up then answers duplicate) so every result is right.
        raise _InsertRace()


def _one_of(
    dialect: str, column: ColumnElement[Any], item: TypeEngine[Any], *, listed: bool = False
) -> ColumnElement[bool]:
    """``column IN :values``, the values in one parameter however many they are: on
    PostgreSQL ``= ANY(:values)``, an array (psycopg parses long expanded IN lists
    slowly); on SQLite the ids as one blob of their 16-byte forms, cut apart by a
    recursive ``substr``, and texts or numbers as one JSON array read by ``json_each``.
    An expanding ``IN`` list is rendered anew at every execution, a placeholder per
    value: ~4 % of a push's apply. SQLite searches the column's index once per value
    either way (``EXPLAIN QUERY PLAN``: ``LIST SUBQUERY``).

    ``listed``: an expanding ``IN`` list on SQLite all the same, for texts that hold a NUL
    character (SQLite's ``json_each`` cuts a text short at its first NUL; see
    :func:`_number_owners`)."""
    if dialect == "postgresql":
        return column == any_(bindparam("values", type_=ARRAY(item)))
    if listed:
        return column.in_(bindparam("values", type_=item, expanding=True))
    if isinstance(item, CompactUuid):
        packed = bindparam("values", type_=_PackedIds())
        at = select(literal(1).label("at")).cte("at", recursive=True)
        at = at.union_all(select(at.c.at + 16).where(at.c.at + 16 <= func.length(packed)))
        return column.in_(select(func.substr(packed, at.c.at, 16)).scalar_subquery())
    array = func.json_each(bindparam("values", type_=_JsonList()))
    return column.in_(select(literal_column("value")).select_from(array).scalar_subquery())


class _PackedIds(TypeDecorator[list[Any]]):
    """SQLite: a list of UUIDs as one blob, their 16-byte forms one after another (the
    form ``CompactUuid`` stores)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: Any) -> bytes:
        """The ids' bytes, in order."""
        return b"".join(uuid_bytes(one) or b"" for one in value or ())


class _JsonList(TypeDecorator[list[Any]]):
    """SQLite: a list of texts or numbers as one JSON array."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: list[Any] | None, dialect: Any) -> str:
        """The values as JSON."""
        return json.dumps(list(value or ()), ensure_ascii=False)


_CASE_UPDATED = ("state", "version", "item_code", "flagged", "updated_seq", "view")
_RECORD_UPDATED = ("state", "version", "flagged", "updated_seq", "view")


def _save_cases(connection: Connection, jobs: Sequence[PushJob], batches: Sequence[_Batch]) -> None:
    """Upsert the touched cases' views as the group leaves them, in one executemany (the
    owner never changes: a new case's is the station of the batch that created it)."""
    seq_by_case: dict[UUID, int] = {}
    station_by_case: dict[UUID, Station] = {}
    bodies = batches[0].bodies  # the stored cases' (the group's, shared by its batches)
    created: dict[UUID, tuple[int, dict[str, Any]]] = {}
    for job, batch in zip(jobs, batches, strict=True):
        for row in batch.rows:
            seq_by_case[row["case_id"]] = row["central_seq"]
            if row["kind"] == "created" and row["status"] == "applied":  # what the view holds
                if row["case_id"] not in bodies:  # a new case's (a stored case's is named)
                    created.setdefault(row["case_id"], (row["central_seq"], row["payload"]))
        for case_id in batch.touched:
            station_by_case.setdefault(case_id, job.station)
    views = batches[0].views  # the group's, shared by its batches
    rows, records = [], []
    for case_id, station in station_by_case.items():
        view = views[case_id]
        if isinstance(view, CaseView) and view.exists:
            stored, known = bodies.get(case_id), None
            body: tuple[int | None, dict[str, Any] | None] | None = created.get(case_id)
            if stored:
                payload = stored.payload()
                body, known = (stored.seq, payload), stored.known(payload)
            rows.append(_case_row(view, seq_by_case[case_id], station, body, known))
        elif isinstance(view, UnresolvedView) and view.exists:
            records.append(_record_row(view, seq_by_case[case_id], station))
    if connection.dialect.name == "postgresql":  # one statement per table (bulk.py)
        _upsert_views(connection, CASE_TABLE, "case_id", _CASE_UPDATED, rows)
        _upsert_views(connection, UNRESOLVED_TABLE, "record_id", _RECORD_UPDATED, records)
        return
    execute_many(connection, _statement(connection, "cases"), rows)
    execute_many(connection, _statement(connection, "records"), records)


def _upsert_views(
    connection: Connection,
    table: Any,
    key: str,
    updated: tuple[str, ...],
    rows: list[dict[str, Any]],
) -> None:
    """Upsert view rows (the ``view`` column given as JSON text) in one statement."""
    if rows:
        columns = [("view" if name == _VIEW_TEXT else name, name) for name in rows[0]]
        conflict = upsert_clause(connection.dialect, key, updated)
        insert_rows(connection, table, rows, conflict, columns=columns, text_keys=_VIEW_KEYS)


def _record_row(view: UnresolvedView, seq: int, station: Station) -> dict[str, Any]:
    return {
        "record_id": view.record_id,
        "number": view.number,
        "division": view.division,
        "owner_station": view.station_id or station.id,
        "state": view.state.value,
        "version": view.version,
        "flagged": "superseded" in view.flags,
        "updated_seq": seq,
        _VIEW_TEXT: stored_record(view),
    }


_STATEMENTS: dict[tuple[str, str], Any] = {}
"""The hot path's statements, built once per dialect with named parameters (building one
costs as much as executing it for a small batch, and one per call cost ~10 per batch)."""


def _statement(connection: Connection, name: str) -> Any:
    dialect = connection.dialect.name
    statement = _STATEMENTS.get((dialect, name))
    if statement is None:
        statement = _STATEMENTS[(dialect, name)] = _BUILDERS[name](dialect)
    return statement


def _seq_ranges(connection: Connection, count: int) -> Any:
    """The station sequence numbers held in ``count`` stations' ranges (parameters
    ``station<i>``, ``low<i>``, ``high<i>``): a range scan of the index for each, in one
    statement (a row-value ``IN`` list made SQLite scan the whole event table)."""
    key = (connection.dialect.name, f"seq_ranges:{count}")
    statement = _STATEMENTS.get(key)
    if statement is None:
        arms = [
            select(_ev.station_id, _ev.station_seq, _ev.id).where(
                _ev.station_id == bindparam(f"station{index}"),
                _ev.station_seq.between(bindparam(f"low{index}"), bindparam(f"high{index}")),
            )
            for index in range(count)
        ]
        statement = _STATEMENTS[key] = union_all(*arms)
    return statement


def _factory(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _build_events(dialect: str) -> Any:
    events = _factory(dialect)(EVENT_TABLE).values(
        payload=_text_param(dialect, EVENT_TABLE.c.payload, _PAYLOAD_TEXT)
    )
    return events.on_conflict_do_nothing(index_elements=["id"])


def _build_records(dialect: str) -> Any:
    records = _factory(dialect)(UNRESOLVED_TABLE).values(
        view=_view_param(dialect, UNRESOLVED_TABLE)
    )
    return records.on_conflict_do_update(
        index_elements=["record_id"],
        set_={column: records.excluded[column] for column in _RECORD_UPDATED},
    )


def _build_cases(dialect: str) -> Any:
    statement = _factory(dialect)(CASE_TABLE).values(view=_view_param(dialect, CASE_TABLE))
    return statement.on_conflict_do_update(
        index_elements=["case_id"],
        set_={column: statement.excluded[column] for column in _CASE_UPDATED},
    )


def _build_cases_held(dialect: str) -> Any:
    view_text = cast(CASE_TABLE.c.view, Text).label("view_text")
    body_text = cast(CREATED_EVENT.c.payload, Text).label("body_text")
    columns = [CASE_TABLE.c[name] for name in (*VIEW_COLUMNS, "created_seq")]
    return (
        select(*columns, view_text, body_text)
        .select_from(CASES_WITH_BODY)
        .where(_one_of(dialect, CASE_TABLE.c.case_id, CompactUuid()))
    )


def _build_records_held(dialect: str) -> Any:
    record, view_text = UNRESOLVED_TABLE.c, cast(UNRESOLVED_TABLE.c.view, Text).label("view_text")
    return select(record.record_id, record.division, view_text).where(
        _one_of(dialect, record.record_id, CompactUuid())
    )


def _build_numbers(dialect: str) -> Any:
    """The cases holding any of the case numbers ``values``.

    On PostgreSQL, one index look-up per number (``unnest`` joined ``LATERAL`` to a
    subquery that ``OFFSET 0`` keeps from being flattened). The plain ``case_number =
    ANY(:values)`` was planned from statistics, and a county's growing ``case_state`` has
    none until autovacuum's next ANALYZE: without them PostgreSQL takes each of a push's
    ~100 numbers to match 0.5 % of the table and scans all of it. In ``bench.sync`` (a
    new database) that scan was the costliest statement of a push, more than its
    inserts: 8.6 ms per push at 10,000 cases.
    """
    case = CASE_TABLE.c
    if dialect != "postgresql":
        return select(case.case_number, case.case_id).where(
            _one_of(dialect, case.case_number, String())
        )
    values = bindparam("values", type_=ARRAY(String()))
    wanted = func.unnest(values).table_valued("number").render_derived("wanted")
    held = (
        select(case.case_number, case.case_id)
        .where(case.case_number == wanted.c.number)
        .offset(0)
        .lateral("held")
    )
    return select(held.c.case_number, held.c.case_id).select_from(wanted).join(held, true())


def _build_actors(dialect: str) -> Any:
    table = User.__table__.c  # type: ignore[attr-defined]
    return select(table.id, table.active, table.disabled_at, table.role, table.division).where(
        _one_of(dialect, table.id, String())
    )


def _build_station_seen(_dialect: str) -> Any:
    table = Station.__table__.c  # type: ignore[attr-defined]
    return (
        update(Station.__table__)  # type: ignore[attr-defined]
        .where(table.id == bindparam("station"))
        .values(last_seen=bindparam("seen"), duplicates=table.duplicates + bindparam("more"))
    )


_BUILDERS: dict[str, Callable[[str], Any]] = {
    "events": _build_events,
    "records": _build_records,
    "cases": _build_cases,
    "cases_held": _build_cases_held,
    "records_held": _build_records_held,
    "actors": _build_actors,
    "station_seen": _build_station_seen,
    "held": lambda dialect: select(_ev.id, _ev.central_seq, _ev.status, _ev.reason).where(
        _one_of(dialect, _ev.id, CompactUuid())
    ),
    "numbers": _build_numbers,
    "numbers_listed": lambda dialect: select(CASE_TABLE.c.case_number, CASE_TABLE.c.case_id).where(
        _one_of(dialect, CASE_TABLE.c.case_number, String(), listed=True)
    ),
    "seq_range": lambda _dialect: select(_ev.station_id, _ev.station_seq, _ev.id).where(
        _ev.station_id == bindparam("station"),
        _ev.station_seq.between(bindparam("low"), bindparam("high")),
    ),
    "seq_list": lambda dialect: select(_ev.station_id, _ev.station_seq, _ev.id).where(
        _ev.station_id == bindparam("station"), _one_of(dialect, _ev.station_seq, BigInteger())
    ),
    "refs": lambda dialect: select(BLOBREF_TABLE.c.sha256, BLOBREF_TABLE.c.case_id).where(
        _one_of(dialect, BLOBREF_TABLE.c.sha256, String())
    ),
}
"""How each named statement is built (for one dialect)."""


def _case_row(
    view: CaseView,
    seq: int,
    station: Station,
    body: tuple[int | None, dict[str, Any] | None] | None,
    known: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The case's ``case_state`` row; ``body``: its ``created`` event's seq and payload
    (what the stored view leaves out), None when it has none; ``known``: what agreed with
    the payload as the case was read (``stored_view``)."""
    created_seq, payload = body or (None, None)
    return {
        "case_id": view.case_id,
        "case_number": view.case_number,
        "division": view.division,
        "owner_station": view.station_id or station.id,
        "state": view.state.value,
        "version": view.version,
        "item_code": view.item_code,
        "flagged": "superseded" in view.flags,
        "updated_seq": seq,
        "created_seq": created_seq,  # set when the row is first written, never updated
        _VIEW_TEXT: stored_view(view, payload if created_seq is not None else None, known),
    }


_VIEW_TEXT = "view_text"
"""The bound parameter carrying a case view as JSON text (serialised once, by pydantic)."""
_VIEW_KEYS = frozenset({_VIEW_TEXT})


def _view_param(dialect: str, table: Any) -> ColumnElement[Any]:
    """The ``view`` column's value: JSON text bound as is, not re-serialised by the JSON type."""
    return _text_param(dialect, table.c.view, _VIEW_TEXT)


def _text_param(dialect: str, column: Any, name: str) -> ColumnElement[Any]:
    """A JSON column's value bound as JSON text (parameter ``name``), stored as it is."""
    text = bindparam(name, type_=Text())
    if dialect == "postgresql":
        return cast(text, column.type)
    return text  # SQLite keeps JSON as text; CAST(... AS JSON) would mean NUMERIC there


def _save_blob_refs(connection: Connection, rows: list[dict[str, Any]], station: Station) -> None:
    refs = {  # fetchable by the stations that handle the case (区内通办: its township)
        (sha, row["case_id"]): row["scope_division"]
        for row in rows
        if _QUOTED_SHA256.search(row[_PAYLOAD_TEXT])  # most payloads name no blob at all
        for sha in _blob_hashes(row["payload"])
    }
    if not refs:
        return
    hashes = {"values": list({sha for sha, _ in refs})}
    known = {
        (r.sha256, r.case_id) for r in connection.execute(_statement(connection, "refs"), hashes)
    }
    fresh = {key: division for key, division in refs.items() if key not in known}
    referable = referable_blobs(connection, station, {sha for sha, _ in fresh})
    new = [  # a hash the station may not reference stays in its event, readable by no one
        {"sha256": sha, "case_id": case_id, "division": division}
        for (sha, case_id), division in fresh.items()
        if sha in referable
    ]
    if new:
        connection.execute(insert(BLOBREF_TABLE), new)


def _blob_hashes(value: Any) -> Iterable[str]:
    """Every SHA-256 an event payload mentions (attachments, wherever they sit)."""
    if isinstance(value, str):
        if _SHA256.match(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _blob_hashes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _blob_hashes(item)
