"""Test doubles of the sync *protocols*: an in-memory station store and centre.

The centre double applies the same rules as the real one (judge + apply_event,
event id as idempotency key, central_seq in commit order) so the engine can be
tested without HTTP or a database; the real end-to-end tests live elsewhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync.blobs import BlobRef, blob_path, sha256_file
from sync.engine import SyncReport, event_bytes, take_batch, take_cases
from sync.errors import CentralUnreachable
from sync.events import Event, RecordedEvent
from sync.protocol import (
    AccountRecord,
    BlobStatus,
    CatalogInfo,
    EventResult,
    HelloResponse,
    PullResponse,
    PushResponse,
    ResultStatus,
    StationReport,
    StationRole,
    SyncRequest,
    SyncResponse,
    batch_settled,
)
from sync.reducer import CaseView, apply_event, judge


class FakeStore:
    """What a station store must do, in memory."""

    def __init__(self, blob_dir: Path) -> None:
        self.outbox: list[Event] = []
        self.acked: dict[str, ResultStatus] = {}
        self.rejected: dict[str, str] = {}
        self.cursor = 0
        self.pulled: list[RecordedEvent] = []
        self.accounts: dict[str, AccountRecord] = {}
        self.blob_dir = blob_dir
        self.unsent_blobs: dict[str, BlobRef] = {}
        self.blob_errors: dict[str, str] = {}
        self.reports: list[SyncReport] = []
        self.batches: list[int] = []

    def _waiting(self) -> list[Event]:
        return [
            e for e in self.outbox if str(e.id) not in self.acked and str(e.id) not in self.rejected
        ]

    def outbox_batch(self, limit: int, max_bytes: int, after: int = 0) -> list[Event]:
        waiting = [e for e in self._waiting() if e.station_seq > after]
        return take_batch(waiting, limit, max_bytes)

    def outbox_cases(
        self, limit: int, max_bytes: int, after: int = 0, skip: frozenset[Any] = frozenset()
    ) -> tuple[list[Event], int]:
        waiting = [e for e in self._waiting() if e.station_seq > after]
        window = take_batch(waiting, limit, 1 << 62)
        above = window[-1].station_seq if window else after
        tails = [e for e in waiting if e.station_seq > above]
        return take_cases(
            window,
            tails,
            limit=limit,
            max_bytes=max_bytes,
            skip=skip,
            size=event_bytes,
            after=after,
        )

    def acknowledge(self, results: list[EventResult]) -> None:
        for result in results:
            if result.status is ResultStatus.rejected:
                self.rejected[result.id] = result.reason or ""
            else:
                self.acked.setdefault(result.id, result.status)

    def outbox_depth(self) -> int:
        return len(self._waiting())

    def pull_cursor(self) -> int:
        return self.cursor

    def apply_pull_page(self, page: PullResponse) -> None:
        self.pulled.extend(page.events)
        self.accounts.update({a.user_id: a for a in page.accounts})
        self.cursor = page.next_cursor

    def pending_blobs(self, limit: int) -> list[BlobRef]:
        return list(self.unsent_blobs.values())[:limit]

    def blob_failed(self, sha256: str, error: str) -> None:
        self.blob_errors[sha256] = error

    def mark_blob_uploaded(self, sha256: str) -> None:
        self.unsent_blobs.pop(sha256, None)

    def blob_path(self, sha256: str) -> Path:
        return blob_path(self.blob_dir, sha256)

    def record_sync(self, report: SyncReport) -> None:
        self.reports.append(report)


class FakeCentre:
    """The centre's sync rules, in memory."""

    def __init__(self, *, skew: timedelta = timedelta(0), schema: tuple[int, int] = (1, 1)) -> None:
        self.log: list[RecordedEvent] = []
        self.applying = threading.Lock()
        """Held while a pushed batch is applied (a run has up to two batches in flight)."""
        self.by_id: dict[str, RecordedEvent] = {}
        self.views: dict[str, CaseView] = {}
        self.blobs: dict[str, bytes] = {}
        self.accounts: list[AccountRecord] = []
        self.skew = skew
        self.schema = schema
        self.batch_sizes: list[int] = []
        self.batch_bytes: list[int] = []
        self.refuse: Callable[[Event], str | None] = lambda e: None
        self.lose_answer_once = False
        self.broken_blobs: set[str] = set()
        self.down = False
        self.reports: list[StationReport] = []
        self.catalog: CatalogInfo | None = None
        """Announced on every page (None: a centre that does not say)."""
        self.loops_seq: int | None = None

    def hello(
        self,
        *,
        software_version: str,
        schema_version: int,
        outbox_depth: int,
        report: StationReport | None = None,
    ) -> HelloResponse:
        self.reports.append(report or StationReport(outbox_depth=outbox_depth))
        if self.down:
            raise CentralUnreachable("the centre cannot be reached")
        return self.hello_answer()

    def hello_answer(self) -> HelloResponse:
        """What a hello is answered (the centre's time with its skew, its schemas)."""
        return HelloResponse(
            server_time=datetime.now(UTC) + self.skew,
            min_schema_version=self.schema[0],
            max_schema_version=self.schema[1],
            station_id="st-village-1",
            division="640522100201",
            role=StationRole.village,
        )

    def _one(self, event: Event) -> EventResult:
        key = str(event.id)
        if key in self.by_id:
            return EventResult(
                id=key, status=ResultStatus.duplicate, central_seq=self.by_id[key].central_seq
            )
        refusal = self.refuse(event)
        if refusal:
            return EventResult(id=key, status=ResultStatus.rejected, reason=refusal)
        view = self.views.get(str(event.case_id))
        status, reason = judge(view, event)
        seq = len(self.log) + 1
        self.views[str(event.case_id)] = apply_event(
            view, event, status=status, reason=reason, central_seq=seq
        )
        held = RecordedEvent(**event.model_dump(), central_seq=seq, status=status, reason=reason)
        self.log.append(held)
        self.by_id[key] = held
        return EventResult(
            id=key, status=ResultStatus(status.value), reason=reason, central_seq=seq
        )

    def push(self, events: list[Event]) -> PushResponse:
        with self.applying:  # a batch is one transaction: two in flight never interleave
            self.batch_sizes.append(len(events))
            self.batch_bytes.append(sum(event_bytes(e) for e in events))
            answer = PushResponse(results=[self._one(e) for e in events])
            lost, self.lose_answer_once = self.lose_answer_once, False
        if lost:
            raise CentralUnreachable("connection reset")
        return answer

    def pull(self, after: int, limit: int = 500, own_upto: int | None = None) -> PullResponse:
        page = self.log[after : after + limit]  # like an older centre: every event in full
        cursor = after + len(page)
        return PullResponse(
            events=page,
            next_cursor=cursor,
            has_more=cursor < len(self.log),
            accounts=self.accounts if after == 0 else [],
            catalog=self.catalog,
            loops_seq=self.loops_seq,
        )

    def upload_blob(
        self, path: Path, sha256: str, on_progress: Callable[[int, int], None] | None = None
    ) -> BlobStatus:
        if sha256 in self.broken_blobs:
            raise CentralUnreachable("upload interrupted")
        assert sha256_file(path) == sha256
        data = path.read_bytes()
        self.blobs[sha256] = data
        return BlobStatus(sha256=sha256, size=len(data), received=len(data), complete=True)


class AtOnceCentre(FakeCentre):
    """A centre that also answers ``POST /sync`` (hello, push, page in one request), as
    ``central.api.routes.at_once`` does; ``offers=False``: one that predates it."""

    def __init__(
        self,
        *args: Any,
        offers: bool = True,
        unreadable_page: bool = False,
        settles: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.offers = offers
        self.settles = settles
        """False: a centre that predates ``whole_outbox`` (records the report as sent)."""
        self.fail_push_once = False
        """The next ``POST /sync`` fails in its push, before anything is applied."""
        self.unreadable_page = unreadable_page
        """The page comes back as a station that cannot read it sees it (None)."""
        self.requests: list[str] = []
        """Every request, by route, in order."""
        self.answer_only: int | None = None
        """The next ``POST /sync`` answers only its batch's first N events."""

    def hello(self, **kwargs: Any) -> HelloResponse:
        self.requests.append("hello")
        return super().hello(**kwargs)

    def push(self, events: list[Event]) -> PushResponse:
        self.requests.append("push")
        return super().push(events)

    def pull(self, after: int, limit: int = 500, own_upto: int | None = None) -> PullResponse:
        self.requests.append("pull")
        return super().pull(after, limit, own_upto)

    def sync_at_once(self, request: SyncRequest) -> SyncResponse | None:
        if not self.offers:
            return None
        self.requests.append("sync")
        report = StationReport.model_validate(
            request.model_dump(include=set(StationReport.model_fields))
        )
        accepted = self.schema[0] <= request.schema_version <= self.schema[1]
        after_push = self.settles and accepted and request.whole_outbox and bool(request.events)
        if not after_push:
            self.reports.append(report)
        if self.fail_push_once and request.events and accepted:
            self.fail_push_once = False
            if after_push:
                self.reports.append(report)
            raise CentralUnreachable("the centre is not answering (500)")
        lost, self.lose_answer_once = self.lose_answer_once, False  # the whole answer, below
        results = (
            FakeCentre.push(self, request.events).results if request.events and accepted else []
        )
        if self.answer_only is not None:
            results, self.answer_only = results[: self.answer_only], None
        settled = after_push and batch_settled((str(e.id) for e in request.events), results)
        if after_push:
            left = report.model_copy(update={"outbox_depth": 0, "oldest_unsent": None})
            self.reports.append(left if settled else report)
        hello = self.hello_answer()
        page = FakeCentre.pull(self, request.after, request.limit, request.own_upto)
        if lost:
            raise CentralUnreachable("connection reset")
        return SyncResponse(
            hello=hello,
            results=results,
            page=None if self.unreadable_page else page,
            outbox_settled=settled,
        )
