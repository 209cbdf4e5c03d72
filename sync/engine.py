"""One sync run: hello, push the outbox, upload blobs, pull. Storage-agnostic.

The station store implements ``SyncStore``; ``sync.client.CentralClient``
implements ``Central``. ``run_sync`` holds no lock: wrap it in
``sync.lock.sync_lock`` (single flight per station).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Container, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar, runtime_checkable
from uuid import UUID

from pydantic import BaseModel, Field

from forms.clock import utc_now
from sync.blobs import BlobRef
from sync.collector import collector_paused
from sync.errors import CentralRefused, CentralUnreachable, SyncError
from sync.events import SCHEMA_VERSION, Event
from sync.giving_up import until_given_up
from sync.protocol import (
    CASE_NUMBER_TAKEN,
    PULL_PAGE_EVENTS,
    PUSH_BATCH_BYTES,
    PUSH_BATCH_EVENTS,
    PUSH_BULK_BYTES,
    PUSH_BULK_EVENTS,
    BlobStatus,
    CatalogInfo,
    EventResult,
    HelloResponse,
    PullResponse,
    PushResponse,
    ResultStatus,
    StationReport,
    SyncRequest,
    SyncResponse,
    batch_settled,
)

BLOB_PAGE = 50

log = logging.getLogger(__name__)


class SyncStore(Protocol):
    """What a sync run needs from the station's store."""

    def outbox_cases(
        self, limit: int, max_bytes: int, after: int = 0, skip: frozenset[UUID] = frozenset()
    ) -> tuple[list[Event], int]:
        """The outbox's next batch, case by case (see ``take_cases``): the cases of the
        oldest unacknowledged, not-rejected events numbered above ``after``
        (``station_seq``), each with every such event of its own, at most ``limit``
        events and ``max_bytes`` of JSON; none of the events in ``skip`` (in flight).
        Returns the batch, case by case, and the number up to which the outbox is now
        in a batch (the ``after`` of the next read)."""
        ...

    def acknowledge(self, results: list[EventResult]) -> None:
        """Record the centre's results. applied/duplicate/superseded: acknowledged
        (the event stays, never deleted before); rejected: kept, flagged with the
        reason and skipped by ``outbox_cases``. Idempotent and monotonic: an
        acknowledged event never becomes unacknowledged again."""
        ...

    def outbox_depth(self) -> int:
        """How many events wait to be pushed (rejected ones excluded)."""
        ...

    def pull_cursor(self) -> int:
        """The last ``central_seq`` applied locally (0 at first)."""
        ...

    def apply_pull_page(self, page: PullResponse) -> None:
        """Apply events, acknowledgements, accounts and the new cursor in ONE local
        transaction; raise :class:`UnknownAcks` (changing nothing) when the page
        acknowledges an own event the store does not hold."""
        ...

    def pending_blobs(self, limit: int) -> list[BlobRef]:
        """Blobs referenced by events but not yet uploaded."""
        ...

    def mark_blob_uploaded(self, sha256: str) -> None:
        """The centre holds the whole blob."""
        ...

    def blob_path(self, sha256: str) -> Path:
        """Where the blob's bytes are on disk."""
        ...

    def record_sync(self, report: SyncReport) -> None:
        """Remember the run (for the status bar and ``daiban sync``)."""
        ...


class UnknownAcks(Exception):
    """A pull page acknowledged own events this station does not hold (it was restored
    from an older copy, or numbered events again): the page must come in full."""


@runtime_checkable
class HoldsOwnEvents(Protocol):
    """Optional for a store: says which of its own events it holds, so the centre answers
    them as acknowledgements instead of sending them back in full."""

    def own_seq_held(self) -> int | None:
        """The highest ``station_seq`` of this station's own events held here (None: none).

        A guess is safe: ``apply_pull_page`` raises :class:`UnknownAcks` for an
        acknowledgement of an event it lacks, and the page is then pulled in full."""
        ...


@runtime_checkable
class HoldsViews(Protocol):
    """Optional for a store: may hold pulled cases' views in memory across pages (written
    at the pull's last page); a pull that fails part-way has them written here."""

    def write_held_views(self) -> None:
        """Write the views held by the pages applied so far."""
        ...


@runtime_checkable
class RecordsBlobFailures(Protocol):
    """Optional for a store: told when an upload failed (to put the blob behind the others)."""

    def blob_failed(self, sha256: str, error: str) -> None:
        """An upload attempt of this blob failed with ``error``."""
        ...


@runtime_checkable
class RenumbersCases(Protocol):
    """Optional for a store: gives a case the centre refused for its number a new one."""

    def renumber_case(self, case_id: UUID) -> str:
        """Give the case the next number of its day, on every unsent event; return it."""
        ...


@runtime_checkable
class EncodesPush(Protocol):
    """Optional for a centre client: a push's body made ahead of sending it (while the
    previous batch is at the centre), then sent as made."""

    def encode_push(self, events: list[Event]) -> bytes:
        """The body of a push of ``events``."""
        ...

    def push(self, events: list[Event], body: bytes | None = None) -> PushResponse:
        """Send a batch of events (``body``: as ``encode_push`` made it)."""
        ...


@runtime_checkable
class SyncsAtOnce(Protocol):
    """Optional for a centre client: the hello, the outbox's first batch and the first page
    in one request (``sync.client.CentralClient.sync_at_once``)."""

    def sync_at_once(self, request: SyncRequest) -> SyncResponse | None:
        """The three answers; None: the centre cannot (sync the old way)."""
        ...


MAX_IN_FLIGHT = 2
"""Pushes of one run at the centre at once (see ``_push``)."""

MAX_RENUMBERS = 1000
"""Renumberings in one run before it stops (each takes the next serial; a loop is a bug)."""


class Central(Protocol):
    """What a sync run needs from the centre (``sync.client.CentralClient``)."""

    def hello(
        self,
        *,
        software_version: str,
        schema_version: int,
        outbox_depth: int,
        report: StationReport | None = None,
    ) -> HelloResponse: ...

    def push(self, events: list[Event]) -> PushResponse: ...

    def pull(
        self, after: int, limit: int = PULL_PAGE_EVENTS, own_upto: int | None = None
    ) -> PullResponse: ...

    def upload_blob(
        self, path: Path, sha256: str, on_progress: Callable[[int, int], None] | None = None
    ) -> BlobStatus: ...


@dataclass(frozen=True)
class SyncProgress:
    """Where a run is: phase ``hello``/``push``/``blobs``/``pull``, and counts so far."""

    phase: str
    done: int
    total: int | None = None


ProgressCallback = Callable[[SyncProgress], None]


class SyncReport(BaseModel):
    """What one run moved (``daiban sync --json`` prints it)."""

    started_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    pushed: int = 0
    applied: int = 0
    duplicates: int = 0
    superseded: int = 0
    rejected: int = 0
    pulled: int = 0
    pending: int = 0
    """Outbox depth after the run."""
    renumbered: int = 0
    """Cases renumbered because the centre held their number (see ``RenumbersCases``); a
    case renumbered twice in one run (its new number was taken too) counts once."""
    renumberings: int = Field(default=0, exclude=True)
    """How many renumberings the run made in all (a bound on a centre that keeps refusing)."""
    renumbered_cases: set[str] = Field(default_factory=set, exclude=True)
    unanswered: set[str] = Field(default_factory=set, exclude=True)
    """Events the centre left unanswered in this run: each goes once more, not twice."""
    blobs_uploaded: int = 0
    blob_errors: int = 0
    blob_failures: dict[str, str] = Field(default_factory=dict)
    """sha256 -> why its upload failed (it is retried next run)."""
    skew_seconds: float = 0.0
    """Centre clock minus station clock."""
    error: str | None = None
    """Why the run stopped early, if it did."""
    catalog_version: str | None = None
    """The catalog version the centre announced (fetch it if it differs from the local one)."""
    catalog_taken: str | None = None
    """The county's catalog this run downloaded and made active (``<number>:<version>``);
    None: the station kept the one it had."""
    public_base_url: str | None = None
    """The county's public base URL as the centre said at hello (None: no hello answered)."""
    catalog: CatalogInfo | None = None
    """The catalog the centre's last page announced, number and hash (None: not said): the
    desk asks ``GET /catalog`` only when it does not know, or it is not the one it runs."""
    loops_seq: int | None = None
    """The newest 闭环 change stamp the centre's last page announced (None: not said)."""


def event_bytes(event: Event) -> int:
    """The size of an event on the wire (uncompressed JSON)."""
    return len(event.model_dump_json().encode())


class Waiting(Protocol):
    """An outbox entry as ``take_cases`` reads it: an ``Event``, or a store's row of one."""

    @property
    def id(self) -> Hashable: ...  # noqa: D102 - the event's id
    @property
    def case_id(self) -> Hashable: ...  # noqa: D102 - its case's
    @property
    def station_seq(self) -> int: ...  # noqa: D102 - its number at its station


W = TypeVar("W", bound=Waiting)


def take_cases(
    window: Sequence[W],
    tails: Iterable[W],
    *,
    limit: int,
    max_bytes: int,
    skip: Container[Hashable],
    size: Callable[[W], int],
    after: int,
) -> tuple[list[W], int]:
    """The outbox's next batch, case by case (a helper for ``SyncStore.outbox_cases``).

    The cases go in the order of their first event in ``window`` (the outbox's next
    events numbered above ``after``, in station_seq order), each whole: its events in
    the window and in ``tails`` (its later events, numbered above the window's last),
    none in ``skip`` (in flight). A station that took cases in offline submits them
    all at its sync, so its outbox holds every case's 收件 and, thousands of numbers
    later, its 提交: read in number order, each case went in two batches, and the
    centre read, rebuilt and wrote it twice (a fifth of its work on such a backlog).
    Cases are added while they fit ``limit`` and ``max_bytes``; the first always goes,
    cut to its leading events if it alone is too big (the rest follows it).

    Returns:
        The batch, case by case, each case's events in its order (so the centre's
        numbers, and a township's pages, keep a case's events together too), and the
        cursor: the highest number of the window up to which every event is in the
        batch or in ``skip`` (``after`` when none is). An event of the batch numbered
        above it is in flight when the next read meets it, and skipped then.
    """
    cases: dict[Hashable, list[W]] = {}
    for item in window:
        if item.id not in skip:
            cases.setdefault(item.case_id, []).append(item)
    for item in tails:
        if item.id not in skip and item.case_id in cases:
            cases[item.case_id].append(item)
    batch: list[W] = []
    count = weight = 0
    for items in cases.values():
        sizes = [size(item) for item in items]
        if batch and (count + len(items) > limit or weight + sum(sizes) > max_bytes):
            break
        if not batch:  # the first case always goes: its leading events if it is too big
            end = _fitting(sizes, limit, max_bytes)
            items, sizes = items[:end], sizes[:end]
        batch.extend(items)
        count, weight = count + len(items), weight + sum(sizes)
    taken = {item.id for item in batch}
    cursor = after
    for item in window:
        if item.id not in taken and item.id not in skip:
            break
        cursor = item.station_seq
    return batch, cursor


def _fitting(sizes: Sequence[int], limit: int, max_bytes: int) -> int:
    """How many leading items of these sizes fit ``limit`` and ``max_bytes`` (one at least)."""
    total = 0
    for index, one in enumerate(sizes[:limit]):
        total += one
        if index and total > max_bytes:
            return index
    return min(len(sizes), limit)


def take_batch(events: Iterable[Event], limit: int, max_bytes: int) -> list[Event]:
    """The leading events that fit ``limit`` and ``max_bytes`` (always at least one).

    A helper for a store's batch in number order (the test doubles' ``outbox_batch``).
    """
    batch: list[Event] = []
    size = 0
    for event in events:
        size += event_bytes(event)
        if batch and (len(batch) >= limit or size > max_bytes):
            break
        batch.append(event)
    return batch


HelloCallback = Callable[[HelloResponse], None]


def _hello(
    store: SyncStore,
    client: Central,
    version: str,
    report: SyncReport,
    held: StationReport | None = None,
    on_hello: HelloCallback | None = None,
) -> None:
    sent = utc_now()
    answer = client.hello(
        software_version=version,
        schema_version=SCHEMA_VERSION,
        outbox_depth=store.outbox_depth(),
        report=held,
    )
    _greeted(answer, sent, report, on_hello)


def _greeted(
    answer: HelloResponse, sent: datetime, report: SyncReport, on_hello: HelloCallback | None
) -> None:
    """Take in the centre's hello (asked at ``sent``): the clock's skew, the public address,
    then ``on_hello`` (a rotated token is the caller's to keep); a schema it does not
    accept stops the run (``SyncError``)."""
    midpoint = sent + (utc_now() - sent) / 2
    server_time = answer.server_time
    if server_time.tzinfo is None:
        server_time = server_time.replace(tzinfo=UTC)
    report.skew_seconds = (server_time - midpoint).total_seconds()
    report.public_base_url = answer.public_base_url
    if on_hello is not None:
        on_hello(answer)
    if not answer.min_schema_version <= SCHEMA_VERSION <= answer.max_schema_version:
        raise SyncError(
            f"the centre accepts event schema {answer.min_schema_version}-"
            f"{answer.max_schema_version}, this station writes {SCHEMA_VERSION}: upgrade"
        )


def _count(report: SyncReport, results: list[EventResult]) -> None:
    for result in results:
        if result.status is ResultStatus.applied:
            report.applied += 1
        elif result.status is ResultStatus.duplicate:
            report.duplicates += 1
        elif result.status is ResultStatus.superseded:
            report.superseded += 1
        else:
            report.rejected += 1


def _push(
    store: SyncStore,
    client: Central,
    report: SyncReport,
    progress: ProgressCallback,
    tried: set[str] | None = None,
    *,
    backlog: bool = False,
) -> None:
    """Push the outbox batch by batch (the first of ``PUSH_BATCH_EVENTS``, the rest of a
    deep outbox of ``PUSH_BULK_EVENTS``; all of them bulk with ``backlog``: what is left
    after ``POST /sync`` carried the first batch), each of whole cases (``take_cases``),
    as a pipeline: the next batch is read from the outbox (and encoded) while the ones
    before it are at the centre. It goes out at once when it shares no case with a
    batch in flight (at most ``MAX_IN_FLIGHT`` at the centre: one's commit, the
    other's arrival and parsing overlap), else as soon as
    the answer of the batch it shares a case with is in, before that answer is recorded.
    So a case's events reach the centre in the station's order, each judged against the
    case as the batch before left it; batches of different cases may be applied in
    either order. A batch answered in part, or with case numbers to change, is recorded
    with every batch still in flight, and the outbox read again (what would follow it
    may change)."""
    tried = set() if tried is None else tried
    sender = _Sender(client)
    flying: deque[_Flight] = deque()
    try:
        first = (
            (PUSH_BULK_EVENTS, PUSH_BULK_BYTES)
            if backlog
            else (PUSH_BATCH_EVENTS, PUSH_BATCH_BYTES)
        )
        sender.send(_next_batch(store, *first), tried, flying)
        ahead: _Ahead | None = None  # read after the last batch sent (None: not read yet)
        while flying:
            if ahead is None:
                after = flying[-1].cursor
                read = _next_batch(store, PUSH_BULK_EVENTS, PUSH_BULK_BYTES, after, flying)
                ahead = sender.read(read)
            if sender.may_go(ahead, flying):
                sender.send(ahead.read, tried, flying, ahead.body)
                ahead = None
                continue
            flight = flying.popleft()
            try:
                answer = flight.answer.result()
            except Exception as error:
                sender.fail(error)  # (its callback, ``_Sender._landed``, may not have run yet)
                _record_landed(store, report, progress, tried, flying)
                cause = sender.failure or error  # the first: not a push given up after it
                if cause is error:
                    raise
                raise cause from None
            results, settled = _answered(flight.events, answer.results)
            if settled and sender.may_go(ahead, flying):  # off it goes, then the recording
                sender.send(ahead.read, tried, flying, ahead.body)
                ahead = None
            _record(store, flight.events, results, report, progress, tried)
            if not settled:  # read again once every answer still coming is recorded
                failure = _record_landed(store, report, progress, tried, flying)
                if failure is not None:
                    raise sender.failure or failure
                ahead = None
                sender.send(_next_batch(store, PUSH_BULK_EVENTS, PUSH_BULK_BYTES), tried, flying)
    except BaseException:
        sender.give_up()  # the run fails: what is still in flight stops retrying soon
        raise
    finally:
        sender.close()


@dataclass(frozen=True)
class _Read:
    """A batch read from the outbox, and the number up to which the outbox is in a batch."""

    events: list[Event]
    cursor: int


def _next_batch(
    store: SyncStore,
    limit: int,
    max_bytes: int,
    after: int = 0,
    flying: Iterable[_Flight] = (),
) -> _Read:
    """The outbox's next batch of whole cases after ``after`` (``SyncStore.outbox_cases``),
    none of the events of the batches in ``flying``: a case is not cut between two
    batches, so the next batch shares no case with this one and may go while this one
    is at the centre. It is, when it alone is bigger than a batch, or when an event of a
    case in flight was written during the push: the batch holding the rest then waits
    for that answer (``_Sender.may_go``). Where every event of the outbox's next window
    is in flight, the read goes on past it."""
    skip = frozenset(event.id for flight in flying for event in flight.events)
    while True:
        events, cursor = store.outbox_cases(limit, max_bytes, after, skip)
        if events or cursor <= after:
            return _Read(events, cursor)
        after = cursor


@dataclass
class _Flight:
    """A batch sent, its answer to come, and its cases (none of them goes again before)."""

    events: list[Event]
    answer: Future[PushResponse]
    cases: set[UUID]
    cursor: int
    """The outbox's number up to which it was read when this batch was (``_Read``)."""


@dataclass
class _Ahead:
    """The batch that follows the last one sent, read and encoded ahead."""

    read: _Read
    body: bytes | None
    cases: set[UUID]

    @property
    def events(self) -> list[Event]:
        """The batch's events."""
        return self.read.events


def _record_landed(
    store: SyncStore,
    report: SyncReport,
    progress: ProgressCallback,
    tried: set[str],
    flying: deque[_Flight],
) -> Exception | None:
    """Wait for every batch still in flight and record the answers that came: they are of
    other cases, so they hold whatever became of the batch before them (a failure that
    repeated run after run sent them again each time). Returns the first that failed (its
    events go again next run), or None."""
    failure: Exception | None = None
    while flying:
        other = flying.popleft()
        try:
            answer = other.answer.result()
        except Exception as error:  # noqa: BLE001 - returned, the others recorded first
            failure = failure or error
            continue
        results, _ = _answered(other.events, answer.results)
        _record(store, other.events, results, report, progress, tried)
    return failure


def _answered(batch: list[Event], answers: list[EventResult]) -> tuple[list[EventResult], bool]:
    """The results for ``batch``'s events, and whether they settle it (every event answered,
    no case refused for its number): then what follows it in the outbox may go."""
    ids = {str(event.id) for event in batch}
    results = [result for result in answers if result.id in ids]
    return results, batch_settled(ids, results)


def _record(
    store: SyncStore,
    batch: list[Event],
    results: list[EventResult],
    report: SyncReport,
    progress: ProgressCallback,
    tried: set[str],
) -> None:
    """Record a pushed batch's results (cases refused for their numbers renumbered, their
    events left to go again)."""
    renumbered = _renumber_taken(store, batch, results, report)
    missing = {str(event.id) for event in batch} - {result.id for result in results}
    if missing & report.unanswered:
        raise SyncError("the centre left the same events unanswered twice")
    report.unanswered |= missing
    tried -= renumbered | missing  # pushed again (renumbered: with the case's new number)
    store.acknowledge([result for result in results if result.id not in renumbered])
    report.pushed += len(batch)
    _count(report, [result for result in results if result.id not in renumbered])
    progress(SyncProgress("push", report.pushed))


class _Sender:
    """Sends pushes from threads of its own, ``MAX_IN_FLIGHT`` at most at once.

    When one fails the run will fail, with that failure (:attr:`failure`, the first): the
    others then make one last attempt, soon, and no more (``sync.giving_up``; a push in a
    busy centre's 429 retries kept a failed run waiting for minutes), and no batch leaves
    after it."""

    def __init__(self, client: Central) -> None:
        self.client = client
        self.encoder = client if isinstance(client, EncodesPush) else None
        self.threads = ThreadPoolExecutor(
            max_workers=MAX_IN_FLIGHT, thread_name_prefix="daiban-push"
        )
        self.stopped = threading.Event()
        self.failure: Exception | None = None
        """The first push that failed: what the run ends with."""
        self._lock = threading.Lock()

    def give_up(self) -> None:
        """The run fails: the pushes still in flight make one last attempt at most, and
        no batch leaves after this."""
        self.stopped.set()

    def fail(self, error: Exception) -> None:
        """A push failed: the run ends with the first that did (a push given up after
        it, or whose last attempt met a silent centre, is not why), and gives up."""
        with self._lock:
            if self.failure is None:
                self.failure = error
        self.give_up()

    def _landed(self, answer: Future[PushResponse]) -> None:
        if not answer.cancelled():
            error = answer.exception()
            if isinstance(error, Exception):  # any push that fails ends the run (``_push``)
                self.fail(error)

    def read(self, read: _Read) -> _Ahead:
        """``read``'s batch ready to go: its body made now (None: the client makes it)."""
        batch = read.events
        body = self.encoder.encode_push(batch) if self.encoder and batch else None
        return _Ahead(read, body, {event.case_id for event in batch})

    def may_go(self, ahead: _Ahead | None, flying: deque[_Flight]) -> bool:
        """Whether ``ahead`` may leave now: the run has not failed, there is a batch, a
        place is free and it shares no case with a batch in flight (whose answer may yet
        change what it holds)."""
        return (
            not self.stopped.is_set()
            and ahead is not None
            and bool(ahead.events)
            and len(flying) < MAX_IN_FLIGHT
            and all(ahead.cases.isdisjoint(flight.cases) for flight in flying)
        )

    def send(
        self,
        read: _Read,
        tried: set[str],
        flying: deque[_Flight],
        body: bytes | None = None,
    ) -> None:
        """Push ``read``'s batch (as ``body`` if made ahead) and put it in ``flying``;
        nothing to push, or the run failed, nothing sent."""
        batch = read.events
        if not batch or self.stopped.is_set():
            return
        ids = {str(event.id) for event in batch}
        if ids <= tried:
            raise SyncError("the outbox offered the same events again after they were answered")
        tried |= ids
        if body is not None and self.encoder is not None:
            answer = self.threads.submit(
                until_given_up, self.stopped, self.encoder.push, batch, body
            )
        else:
            answer = self.threads.submit(until_given_up, self.stopped, self.client.push, batch)
        answer.add_done_callback(self._landed)
        flying.append(_Flight(batch, answer, {event.case_id for event in batch}, read.cursor))

    def close(self) -> None:
        """Wait for the pushes still in flight (no request outlives the run)."""
        self.threads.shutdown(wait=True, cancel_futures=True)


def _numbers_taken(results: list[EventResult]) -> bool:
    """Whether the centre refused a case of the batch for its number (see ``_renumber_taken``)."""
    return any(r.status is ResultStatus.rejected and r.reason == CASE_NUMBER_TAKEN for r in results)


def _renumber_taken(
    store: SyncStore, batch: list[Event], results: list[EventResult], report: SyncReport
) -> set[str]:
    """Renumber the cases the centre refused because another case holds their number
    (this PC was restored from a backup, or replaced, and numbered a case again).

    Returns:
        The ids of their refused events: left unacknowledged, so they go out again.
    """
    refused = {
        r.id for r in results if r.status is ResultStatus.rejected and r.reason == CASE_NUMBER_TAKEN
    }
    if not refused or not isinstance(store, RenumbersCases):
        return set()
    cases = {event.case_id for event in batch if str(event.id) in refused}
    report.renumberings += len(cases)
    report.renumbered_cases |= {str(case_id) for case_id in cases}
    report.renumbered = len(report.renumbered_cases)
    if report.renumberings > MAX_RENUMBERS:
        raise SyncError("the centre kept refusing this station's case numbers")
    for case_id in cases:
        store.renumber_case(case_id)
    return refused


def _upload_blobs(
    store: SyncStore, client: Central, report: SyncReport, progress: ProgressCallback
) -> None:
    attempted: set[str] = set()
    while True:
        fresh = [ref for ref in store.pending_blobs(BLOB_PAGE) if ref.sha256 not in attempted]
        if not fresh:
            return
        for ref in fresh:
            attempted.add(ref.sha256)
            try:
                client.upload_blob(store.blob_path(ref.sha256), ref.sha256)
            except (CentralRefused, CentralUnreachable, OSError) as error:
                report.blob_errors += 1
                report.blob_failures[ref.sha256] = str(error)
                if isinstance(store, RecordsBlobFailures):
                    store.blob_failed(ref.sha256, str(error))
                continue
            store.mark_blob_uploaded(ref.sha256)
            report.blobs_uploaded += 1
            progress(SyncProgress("blobs", report.blobs_uploaded))


def _pull(
    store: SyncStore,
    client: Central,
    report: SyncReport,
    progress: ProgressCallback,
    first: PullResponse | None = None,
) -> None:
    """Pull pages until the last; the next page is fetched while this one is applied
    (the centre's work and the wire overlap the station's), never two at once.

    ``first``: the page after the cursor, already at hand (``POST /sync`` brought it)."""
    cursor = store.pull_cursor()
    own_upto = _own_upto(store)
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="daiban-pull-ahead")
    try:
        page = first if first is not None else _pull_page(client, cursor, own_upto)
        while True:
            if page.has_more and page.next_cursor <= cursor:
                raise SyncError("the centre's pull cursor did not advance")
            upcoming = (
                ahead.submit(_pull_page, client, page.next_cursor, own_upto)
                if page.has_more
                else None
            )
            page = _apply(store, client, page, cursor, upcoming)
            report.pulled += len(page.events)
            report.catalog_version = page.catalog_version or report.catalog_version
            report.catalog = page.catalog or report.catalog
            if page.loops_seq is not None:
                report.loops_seq = page.loops_seq
            progress(SyncProgress("pull", report.pulled))
            cursor = page.next_cursor
            if upcoming is None:
                return
            page = upcoming.result()
    except BaseException:
        _write_held(store)
        raise
    finally:
        ahead.shutdown(wait=False, cancel_futures=True)


def _own_upto(store: SyncStore) -> int | None:
    return store.own_seq_held() if isinstance(store, HoldsOwnEvents) else None


@dataclass
class _FirstAnswer:
    """What ``POST /sync`` left to do."""

    page: PullResponse | None
    """The page after the cursor, read at the centre after the push committed (None: it
    could not be read here; pulled again)."""
    more: bool
    """The outbox may hold more than the batch that went (or that batch is unsettled)."""
    tried: set[str]
    """The ids pushed so far (``_Sender``: none may be offered again once answered)."""
    reported: StationReport
    """What the centre now holds as the station's report."""


def _at_once(
    store: SyncStore,
    client: Central,
    version: str,
    report: SyncReport,
    held: StationReport | None,
    progress: ProgressCallback,
    on_hello: HelloCallback | None = None,
) -> _FirstAnswer | None:
    """The hello, the outbox's first batch and the first page in one request
    (``POST /sync``); None when the client or the centre cannot (the three go apart).

    When the batch is the whole outbox, the request says so (``whole_outbox``): a centre
    that settles it records the outbox as the push left it (empty) and says so, and the
    run's last hello is not needed. Otherwise (a push refused or failed, a schema not
    accepted, an older centre) the centre holds the report as sent, the true one, and a
    run that goes through says what is left at its end."""
    if not isinstance(client, SyncsAtOnce):
        return None
    batch = _next_batch(store, PUSH_BATCH_EVENTS, PUSH_BATCH_BYTES).events
    held = held or StationReport(outbox_depth=store.outbox_depth())
    request = SyncRequest(
        software_version=version,
        schema_version=SCHEMA_VERSION,
        **dict(held),
        events=batch,
        after=store.pull_cursor(),
        own_upto=_own_upto(store),
        whole_outbox=bool(batch) and len(batch) == held.outbox_depth,
    )
    sent = utc_now()
    answer = client.sync_at_once(request)
    if answer is None:
        return None
    _greeted(answer.hello, sent, report, None)  # a schema refused: nothing was pushed
    tried = {str(event.id) for event in batch}
    results, settled = _answered(batch, answer.results)
    if batch:
        _record(store, batch, results, report, progress, tried)
    if on_hello is not None:  # after the results are kept (the old token works on)
        on_hello(answer.hello)
    more = not settled or (bool(batch) and store.outbox_depth() > 0)
    if answer.outbox_settled:
        held = held.model_copy(update={"outbox_depth": 0, "oldest_unsent": None})
    return _FirstAnswer(answer.page, more, tried, held)


def _write_held(store: SyncStore) -> None:
    """After a failed pull, the views its applied pages held are written (when that fails
    too, the store rebuilds them from their events at its next pull or opening: the pull's
    own failure is the one raised)."""
    if not isinstance(store, HoldsViews):
        return
    try:
        store.write_held_views()
    except Exception:
        log.warning("the views held by the failed pull are left to be rebuilt", exc_info=True)


def _apply(
    store: SyncStore,
    client: Central,
    page: PullResponse,
    cursor: int,
    upcoming: Future[PullResponse] | None,
) -> PullResponse:
    """Apply ``page`` (pulled after ``cursor``); the page applied.

    When it acknowledges own events the store lacks, the same page is pulled again in
    full (same events, same next cursor, so ``upcoming`` stays right) and applied."""
    try:
        store.apply_pull_page(page)
        return page
    except UnknownAcks:
        if upcoming is not None:
            wait([upcoming])  # one request at a time on the client
        full = _pull_page(client, cursor, None)
        store.apply_pull_page(full)
        return full


def _pull_page(client: Central, cursor: int, own_upto: int | None) -> PullResponse:
    """A page after ``cursor``; own events up to ``own_upto`` as acknowledgements (None:
    all in full, and a centre that offers no acknowledgements is asked the old way)."""
    if own_upto is None:
        return client.pull(cursor, PULL_PAGE_EVENTS)
    return client.pull(cursor, PULL_PAGE_EVENTS, own_upto=own_upto)


def run_sync(
    store: SyncStore,
    client: Central,
    *,
    software_version: str,
    on_progress: ProgressCallback | None = None,
    describe: Callable[[], StationReport] | None = None,
    on_hello: HelloCallback | None = None,
) -> SyncReport:
    """Push the outbox, upload blobs and pull, once.

    Args:
        store: the station's store.
        client: the centre.
        software_version: reported in hello.
        on_progress: called after each step with counts so far.
        describe: what the station holds, reported in hello (default: the outbox depth);
            given, it is reported again at the end of a run that went through, when it is
            not what the hello said (an idle desk's periodic sync, or a sync whose one
            batch the centre settled, sends no second hello).
        on_hello: called with the centre's hello answer (a rotated ``token`` in it is the
            caller's to save and use), before anything is pushed.

    Returns:
        What moved; also given to ``store.record_sync``.

    Raises:
        SyncError: (``CentralUnreachable``, ``CentralRefused``, ...) the run
            stopped; what had moved is kept and recorded with the error.
    """
    report = SyncReport()
    progress: ProgressCallback = on_progress or (lambda _: None)
    try:
        progress(SyncProgress("hello", 0))
        with collector_paused():
            before = describe() if describe is not None else None
            first = _at_once(store, client, software_version, report, before, progress, on_hello)
            if first is None:  # a centre without POST /sync
                _hello(store, client, software_version, report, before, on_hello)
                _push(store, client, report, progress)
            elif first.more:  # the usual first batch went with the sync: a backlog is left
                _push(store, client, report, progress, first.tried, backlog=True)
        _upload_blobs(store, client, report, progress)  # slow lines: the collector on
        # the page came back read after the first batch: with more pushed since, it
        # would miss them (its has_more says nothing of them), so the pull starts over
        page = first.page if first is not None and not first.more else None
        with collector_paused():
            _pull(store, client, report, progress, page)
            after = describe() if describe is not None else None
            reported = first.reported if first is not None else before
            if after is not None and after != reported:  # what the station holds now,
                # after the run: the county's station list and reconciliation would
                # otherwise show the outbox as it was before (a run that changed nothing
                # says nothing more)
                client.hello(
                    software_version=software_version,
                    schema_version=SCHEMA_VERSION,
                    outbox_depth=after.outbox_depth,
                    report=after,
                )
    except SyncError as error:
        report.error = str(error)
        raise
    finally:
        report.pending = _safe_depth(store)
        report.finished_at = utc_now()
        store.record_sync(report)
    return report


def _safe_depth(store: SyncStore) -> int:
    try:
        return store.outbox_depth()
    except Exception:  # the report must still be recorded
        return -1
