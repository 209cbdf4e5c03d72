"""The station's local store: SQLite (WAL, durable commits), events first.

Every change to a case is an event appended with the next gapless
``station_seq`` in the same transaction that stores it; the ``cases`` table is
a projection folded from events by ``sync.reducer``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, delete, select

from forms.clock import utc_now
from station.store import eventlog, meta, migrate, projection, records, stored
from station.store.caselist import CaseListMixin
from station.store.db import DB_FILE, among, make_engine, reading, writing
from station.store.local import AccountsMixin, DraftsMixin
from station.store.models import (
    CaseSummary,
    Draft,
    NewEvent,
    StationIdentity,
    SyncRecord,
)
from station.store.records import RecordsMixin
from station.store.syncside import SyncSideMixin
from station.store.tables import CASES, DRAFTS, META
from sync.enroll_uri import normalise_code
from sync.errors import SyncBusy
from sync.events import Event
from sync.files import private_dir
from sync.ids import CASE_NUMBER_RE, new_id
from sync.ids import case_number as make_case_number
from sync.lock import sync_lock
from sync.reducer import CaseView, EntryStatus, apply_event

__all__ = [
    "CaseSummary",
    "Draft",
    "NewEvent",
    "StationIdentity",
    "StationStore",
    "SyncRecord",
    "NotEnrolled",
    "RefusedByCentreRules",
]

CaseCheck = Callable[[CaseView | None], None]
EventStamp = Callable[[Connection, CaseView, Sequence[NewEvent]], None]
"""Called inside an append's write transaction, once the case passed its check: may add to
the events' payloads what the same transaction takes (a decision's 文号 from the office's
sequence), so a refused or rolled-back act takes nothing."""
"""Runs inside the write transaction with the case as stored; raises to refuse."""


class NotEnrolled(RuntimeError):
    """The station has no identity yet (``daiban station enroll`` first)."""


class RefusedByCentreRules(ValueError):
    """An event the centre would supersede (``sync.reducer.judge``); nothing was written.

    Attributes:
        kind: the event's kind.
        reason: the centre's reason, in English (``created payload: principal.name: ...``).
    """

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(f"{kind}: {reason}")
        self.kind = kind
        self.reason = reason


class StationStore(AccountsMixin, DraftsMixin, CaseListMixin, RecordsMixin, SyncSideMixin):
    """One station's database. Thread-safe: every method uses its own connection."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.db_path = data_dir / DB_FILE
        self.engine = make_engine(self.db_path)

    @classmethod
    def open(cls, data_dir: Path, *, revision: str = "head") -> StationStore:
        """Open (creating or migrating) ``<data_dir>/station.db``.

        Args:
            data_dir: the station's data directory.
            revision: schema revision to migrate to (tests use older ones).

        Returns:
            The open store.
        """
        private_dir(data_dir)  # 0700: other local users see nothing of the station
        store = cls(data_dir)
        migrate.upgrade(store.engine, store.db_path, data_dir / "backups", revision)
        if revision == "head":
            store._finish_migration()
            store._repair_views()
        return store

    def _repair_views(self) -> None:
        """Rebuild the cases a pull that died held in memory (``meta.VIEWS_BEHIND``), unless
        a sync of this station runs now: its next page does it, and the rows it holds
        would only be rebuilt again."""
        with reading(self.engine) as conn:
            if meta.get(conn, meta.VIEWS_BEHIND) is None:
                return
        with suppress(SyncBusy), sync_lock(self.data_dir), writing(self.engine) as conn:
            projection.repair_behind(conn)

    def _finish_migration(self) -> None:
        with writing(self.engine) as conn:
            if meta.get(conn, meta.FTS_REBUILD) == "1":
                projection.rebuild_search(conn)
                meta.put(conn, meta.FTS_REBUILD, "0")
            if meta.get(conn, meta.OWED_REBUILD) == "1":
                projection.rebuild_owed(conn)
                meta.put(conn, meta.OWED_REBUILD, "0")
            records.rebuild_if_asked(conn)

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()

    # identity -------------------------------------------------------------

    def identity(self) -> StationIdentity | None:
        """Who this station is, or None before enrollment."""
        with reading(self.engine) as conn:
            raw = meta.get(conn, meta.IDENTITY)
        return StationIdentity.model_validate_json(raw) if raw else None

    def save_identity(
        self,
        identity: StationIdentity,
        case_numbers: Mapping[str, int] | None = None,
        record_numbers: Mapping[str, int] | None = None,
    ) -> None:
        """Store the station credential (after ``station enroll``).

        Args:
            identity: the credential.
            case_numbers: the highest case serial the division used per day (``YYYYMMDD``),
                as the centre knows it: this PC's counters start above them (a replacement
                PC never repeats its dead predecessor's numbers).
            record_numbers: the same for 办不成事 record numbers.
        """
        with writing(self.engine) as conn:
            meta.put(conn, meta.IDENTITY, identity.model_dump_json())
            for day, serial in (case_numbers or {}).items():
                meta.raise_to(conn, meta.case_counter_key(_day(day)), serial + 1)
            for day, serial in (record_numbers or {}).items():
                meta.raise_to(conn, records.counter_key(_day(day)), serial + 1)

    def enroll_attempt(self, code: str) -> str:
        """The secret this station sends with enrollment ``code``: the same for every try
        with the code (a retry after a lost answer, the command run again after a power
        cut), another for another code, and no other PC's (a random key of this store's,
        ``meta.ENROLL_KEY``, made on first need)."""
        with writing(self.engine) as conn:
            key = meta.get(conn, meta.ENROLL_KEY)
            if not key:
                key = secrets.token_bytes(32).hex()
                meta.put(conn, meta.ENROLL_KEY, key)
        digest = hmac.new(bytes.fromhex(key), normalise_code(code).encode(), hashlib.sha256)
        return digest.hexdigest()

    def save_folder(self, name: str) -> str:
        """The folder the export ``name`` last saved to ("" before the first)."""
        with reading(self.engine) as conn:
            return meta.get(conn, meta.SAVE_FOLDER + name) or ""

    def remember_save_folder(self, name: str, folder: str) -> None:
        """Offer ``folder`` for the export ``name`` from now on."""
        with writing(self.engine) as conn:
            meta.put(conn, meta.SAVE_FOLDER + name, folder)

    def receipts_owed(self) -> list[str]:
        """The ids (hex) of the cases taken in at the desk whose 收件回执 was never kept (a
        power cut or a failure between the take-in and the paper), oldest first."""
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(META.c.key, META.c.value).where(
                    META.c.key.startswith(meta.RECEIPT_OWED, autoescape=True)
                )
            ).all()
        return [
            key.removeprefix(meta.RECEIPT_OWED) for key, _when in sorted(rows, key=lambda r: r[1])
        ]

    def receipt_kept(self, case_id: UUID) -> None:
        """The case's 收件回执 was kept (its PDF is on disk): no longer owed."""
        with writing(self.engine) as conn:
            meta.delete(conn, meta.RECEIPT_OWED + case_id.hex)

    def require_identity(self) -> StationIdentity:
        """The identity, or :class:`NotEnrolled`."""
        identity = self.identity()
        if identity is None:
            raise NotEnrolled("this station is not enrolled; run `daiban station enroll`")
        return identity

    # writing events ---------------------------------------------------------

    def append(
        self,
        case_key: str,
        events: Sequence[NewEvent],
        *,
        check: CaseCheck | None = None,
        stamp: EventStamp | None = None,
    ) -> CaseView:
        """Append events to an existing case in one transaction.

        Args:
            case_key: case number or case id.
            events: what happened, in order.
            check: called with the case as stored, inside the transaction; raise to refuse.
            stamp: called after ``check`` in the same transaction (see :data:`EventStamp`).

        Returns:
            The case after the events.
        """
        identity = self.require_identity()
        with writing(self.engine) as conn:
            view = self._find(conn, case_key)
            if check is not None:
                check(view)
            if view is None:
                raise KeyError(case_key)
            if stamp is not None:
                stamp(conn, view, events)
            return self._append_in(conn, identity, view, events)

    def append_many(
        self,
        items: Sequence[tuple[str, Sequence[NewEvent]]],
        *,
        check: Callable[[CaseView | None, Sequence[NewEvent]], None] | None = None,
        stamp: EventStamp | None = None,
    ) -> list[CaseView]:
        """Append events to many existing cases in ONE transaction (e.g. submit all taken in).

        Args:
            items: per case (number or id), its new events.
            check: called per case inside the transaction; raise to refuse them all.
            stamp: called per case after ``check``, in the same transaction (see
                :data:`EventStamp`).

        Returns:
            The cases after their events, in order.
        """
        identity = self.require_identity()
        with writing(self.engine) as conn:
            seq = meta.take(conn, meta.NEXT_STATION_SEQ, sum(len(e) for _, e in items))
            views, written = [], []
            found = self._find_many(conn, [case_key for case_key, _ in items])
            for (case_key, events), view in zip(items, found, strict=True):
                if check is not None:
                    check(view, events)
                if view is None:
                    raise KeyError(case_key)
                if stamp is not None:
                    stamp(conn, view, events)
                new_view, built = build_events(identity, view, events, seq)
                seq += len(built)
                views.append(new_view)
                written += built
            eventlog.insert_local(conn, written)
            projection.project_many(conn, views)
            return views

    def create_cases(
        self,
        cases: Sequence[Sequence[NewEvent]],
        day: date,
        *,
        case_ids: Sequence[UUID | None] | None = None,
    ) -> list[CaseView]:
        """Create new cases (first event ``created``), all in ONE transaction.

        Each gets the next case number of ``day`` and its events the next
        station sequence numbers, so a crash leaves either all of them or none.
        Every event is judged by the centre's own rule (``sync.reducer.judge``:
        the lifecycle and the payload schema) before anything is written.

        Args:
            cases: per case, its events (``created`` first).
            day: the day the case numbers are made for.
            case_ids: per case, its id (None: a new one).

        Returns:
            The new cases, in order.

        Raises:
            RefusedByCentreRules: an event the centre would not apply; nothing written.
        """
        identity = self.require_identity()
        with writing(self.engine) as conn:
            return self._create_in(conn, identity, cases, day, case_ids)

    def create_case_once(
        self, events: Sequence[NewEvent], day: date, *, draft_id: str, receipt_owed: bool = False
    ) -> tuple[CaseView, bool]:
        """Turn a draft into its case: at most once, whatever happens around it.

        The case id IS the draft id (a UUID). In one transaction: if the case
        already exists it is returned and nothing is written (the UNIQUE case id
        is the guard, checked inside the write lock); otherwise the case is
        created. Either way the draft row is deleted in that same transaction.

        Args:
            events: the case's events (``created`` first).
            day: the day the case number is made for.
            draft_id: the draft being taken in (a UUID string).
            receipt_owed: note, with the case, that its 收件回执 is still to be kept
                (``receipts_owed``), until ``receipt_kept``.

        Returns:
            The case, and whether this call created it.

        Raises:
            ValueError: the draft id is not a UUID.
            RefusedByCentreRules: an event the centre would not apply; nothing written.
        """
        case_id = UUID(draft_id)
        identity = self.require_identity()
        with writing(self.engine) as conn:
            existing = self._find(conn, case_id.hex)
            if existing is None:
                view = self._create_in(conn, identity, [events], day, [case_id])[0]
                if receipt_owed:
                    meta.put(conn, meta.RECEIPT_OWED + case_id.hex, utc_now().isoformat())
            conn.execute(delete(DRAFTS).where(DRAFTS.c.draft_id == draft_id))
            return (existing, False) if existing is not None else (view, True)

    def _create_in(
        self,
        conn: Connection,
        identity: StationIdentity,
        cases: Sequence[Sequence[NewEvent]],
        day: date,
        case_ids: Sequence[UUID | None] | None,
    ) -> list[CaseView]:
        ids = list(case_ids) if case_ids is not None else [None] * len(cases)
        first = _take_case_numbers(conn, identity.division, day, len(cases))
        seq = meta.take(conn, meta.NEXT_STATION_SEQ, sum(len(c) for c in cases))
        views, written = [], []
        for offset, events in enumerate(cases):
            number = make_case_number(identity.division, day, first + offset)
            view, built = build_events(identity, None, events, seq, number, ids[offset])
            _refuse_what_the_centre_would(view)
            seq += len(built)
            views.append(view)
            written += built
        eventlog.insert_local(conn, written)
        projection.insert_new(conn, views)
        return views

    def _append_in(
        self,
        conn: Connection,
        identity: StationIdentity,
        view: CaseView,
        events: Sequence[NewEvent],
    ) -> CaseView:
        first_seq = meta.take(conn, meta.NEXT_STATION_SEQ, len(events))
        new_view, written = build_events(identity, view, events, first_seq)
        eventlog.insert_local(conn, written)
        projection.project(conn, new_view)
        return new_view

    # reading cases ----------------------------------------------------------

    def _find(self, conn: Connection, key: str) -> CaseView | None:
        key, column = _case_key(key)
        row = conn.execute(select(*stored.COLUMNS).where(column == key)).first()
        return stored.load(conn, row) if row else None

    def _find_many(self, conn: Connection, keys: Sequence[str]) -> list[CaseView | None]:
        """The cases by number or id, in order (None: not held), read together: one
        statement per kind of key and one for their events, not two per case (a sync
        submits every case taken in offline)."""
        if any("\x00" in key for key in keys):  # among() cuts a text at a NUL
            return [self._find(conn, key) for key in keys]
        wanted = [_case_key(key) for key in keys]
        rows: dict[tuple[str, str], Any] = {}
        for column in (CASES.c.case_number, CASES.c.case_id):
            values = [value for value, by in wanted if by is column]
            if values:
                statement = select(*stored.COLUMNS).where(among(column, values))
                rows.update(
                    {
                        (column.name, row._mapping[column.name]): row
                        for row in conn.execute(statement)
                    }
                )
        found = [rows.get((column.name, value)) for value, column in wanted]
        views = iter(stored.load_many(conn, [row for row in found if row is not None]))
        return [next(views) if row is not None else None for row in found]

    def get_case(self, key: str) -> CaseView | None:
        """A case by case number or case id (hex or dashed), or None."""
        with reading(self.engine) as conn:
            return self._find(conn, key)


def _case_key(key: str) -> tuple[str, Any]:
    """A case number, or a case id (hex or dashed) as stored, with the column it is in."""
    key = key.strip()
    if len(key) in (32, 36) and not CASE_NUMBER_RE.match(key):
        try:
            return UUID(key).hex, CASES.c.case_id
        except ValueError:
            pass
    return key, CASES.c.case_number


def build_events(
    identity: StationIdentity,
    view: CaseView | None,
    events: Sequence[NewEvent],
    first_seq: int,
    number: str | None = None,
    case_id: UUID | None = None,
) -> tuple[CaseView, list[Event]]:
    """Turn new events into full events of one case and apply them (as pending).

    Args:
        identity: this station.
        view: the case so far, or None for a new case.
        events: what happened, in order.
        first_seq: the station sequence number of the first event.
        number: the case number of a new case.
        case_id: the id of a new case (default: a new one).

    Returns:
        The case after the events, and the events to store.
    """
    case_id = view.case_id if view is not None else case_id or new_id()
    case_no = view.case_number if view is not None else number
    division = view.division if view is not None else identity.division
    if case_no is None:
        raise ValueError("a new case needs a case number")
    written: list[Event] = []
    for i, new in enumerate(events):
        event = Event(
            id=new.id,
            case_id=case_id,
            case_number=case_no,
            division=division,
            kind=new.kind,
            station_id=identity.station_id,
            station_seq=first_seq + i,
            base_version=view.version if view is not None else 0,
            actor_id=new.actor_id,
            actor_role=new.actor_role,
            device_time=new.device_time or utc_now(),
            payload=new.payload,
        )
        view = apply_event(view, event, status=EntryStatus.pending)
        written.append(event)
    if view is None:
        raise ValueError("no events to append")
    return view, written


def _refuse_what_the_centre_would(view: CaseView) -> None:
    """Raise when one of a new case's events was judged as the centre would not apply it.

    ``build_events`` applies each event with ``sync.reducer.apply_event``, which
    runs the centre's ``judge`` (lifecycle and payload schema) and records a
    refused event with its reason instead of applying it.
    """
    for entry in view.history:
        if entry.reason is not None:
            raise RefusedByCentreRules(entry.kind.value, entry.reason)


def _take_case_numbers(conn: Connection, division: str, day: date, count: int) -> int:
    """Reserve ``count`` case numbers of ``day``; return the first.

    Skips past numbers this store already holds for the division and day: a
    replacement PC enrolled for a village pulls the old station's cases, and its
    own counter must not hand out their numbers again.
    """
    key = meta.case_counter_key(day)
    first = meta.take(conn, key, count)
    prefix = f"{division}-{day:%Y%m%d}-"
    highest = conn.execute(
        select(CASES.c.case_number)
        .where(CASES.c.case_number.startswith(prefix, autoescape=True))
        .order_by(CASES.c.case_number.desc())
        .limit(1)
    ).scalar()
    held = int(highest.removeprefix(prefix)) if highest else 0
    if held >= first:
        meta.raise_to(conn, key, held + count + 1)
        first = held + 1
    return first


def _day(text: str) -> date:
    """``20261202`` as a date."""
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
