"""One sync run against in-memory doubles of the store and the centre."""

from __future__ import annotations

import gc
import gzip
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from tenacity.wait import wait_none

from sync import giving_up
from sync.blobs import store_blob
from sync.client import CentralClient
from sync.engine import (
    SyncProgress,
    SyncReport,
    event_bytes,
    run_sync,
    take_batch,
    take_cases,
)
from sync.errors import CentralRefused, CentralUnreachable, SyncError
from sync.events import Event, EventKind, EventStatus, RecordedEvent, Role
from sync.lifecycle import CaseState
from sync.protocol import (
    PUSH_BATCH_BYTES,
    PUSH_BULK_BYTES,
    AccountRecord,
    EventResult,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync.reducer import fold

from .factory import CaseWriter
from .fakes import FakeCentre, FakeStore


def taken_in(store: FakeStore, cases: int, *, station: str = "st-village-1") -> list[CaseWriter]:
    """Cases created and received at one station, gapless station_seq across them."""
    writers = []
    seq = 0
    for _ in range(cases):
        w = CaseWriter(station=station)
        w.seq = seq
        store.outbox += [w.event(EventKind.created), w.event(EventKind.received)]
        seq = w.seq
        writers.append(w)
    return writers


def assert_each_once_in_case_order(log: list[RecordedEvent], events: int) -> None:
    """The centre holds events 1..``events`` once each, every case's in the station's order
    (batches of different cases may land in either order)."""
    assert sorted(e.station_seq for e in log) == list(range(1, events + 1))
    by_case: dict[UUID, list[int]] = {}
    for event in log:
        by_case.setdefault(event.case_id, []).append(event.station_seq)
    assert all(seqs == sorted(seqs) for seqs in by_case.values())


@pytest.fixture
def store(tmp_path: Path) -> FakeStore:
    return FakeStore(tmp_path / "blobs")


def test_the_outbox_goes_up_in_batches_and_comes_back_down(store: FakeStore) -> None:
    taken_in(store, 225)
    centre = FakeCentre()
    centre.accounts = [
        AccountRecord(
            user_id="u1",
            username="li",
            display_name="李代办",
            role=Role.agent,
            division="640522100201",
            password_hash="$argon2id$...",
            updated_at=datetime.now(UTC),
        )
    ]
    phases: list[str] = []
    report = run_sync(
        store, centre, software_version="0.1.0", on_progress=lambda p: phases.append(p.phase)
    )
    assert centre.batch_sizes == [200, 250]  # the first as usual, then a backlog's bulk
    assert (report.pushed, report.applied, report.pulled, report.pending) == (450, 450, 450, 0)
    assert store.cursor == 450 and store.accounts["u1"].username == "li"
    assert [e.central_seq for e in store.pulled] == list(range(1, 451))
    assert phases[0] == "hello" and "push" in phases and phases[-1] == "pull"
    assert store.reports == [report] and report.error is None
    again = run_sync(store, centre, software_version="0.1.0")
    assert (again.pushed, again.pulled, again.pending) == (0, 0, 0)


def test_batches_respect_the_byte_limit(store: FakeStore) -> None:
    w = CaseWriter()
    bulky = {"fields": {"note": "字" * 3000}}
    store.outbox += [w.event(EventKind.created)] + [
        w.event(EventKind.edited, payload=bulky) for _ in range(200)
    ]
    centre = FakeCentre()
    run_sync(store, centre, software_version="0.1.0")
    assert sum(centre.batch_sizes) == 201 and len(centre.batch_sizes) == 3
    one = event_bytes(store.outbox[1])
    first, bulk, last = centre.batch_bytes
    assert PUSH_BATCH_BYTES - one < first <= PUSH_BATCH_BYTES  # the usual first batch
    assert PUSH_BULK_BYTES - one < bulk <= PUSH_BULK_BYTES  # then bigger ones
    assert last <= PUSH_BULK_BYTES


def test_take_batch_always_takes_one_even_if_oversized() -> None:
    w = CaseWriter()
    big = w.event(EventKind.edited, payload={"fields": {"x": "y" * 1000}})
    assert take_batch([big, big], 200, 10) == [big]
    assert take_batch([], 200, 10) == []


def test_a_rejected_event_does_not_block_the_ones_behind_it(store: FakeStore) -> None:
    taken_in(store, 3)
    poison = store.outbox[1]
    centre = FakeCentre()
    centre.refuse = lambda e: "wrong station" if e.id == poison.id else None
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.applied, report.rejected, report.pending) == (5, 1, 0)
    assert store.rejected == {str(poison.id): "wrong station"}
    assert poison in store.outbox  # kept, flagged, not resent
    assert run_sync(store, centre, software_version="0.1.0").pushed == 0


def test_a_lost_answer_is_resent_and_answered_as_duplicates(store: FakeStore) -> None:
    taken_in(store, 2)
    centre = FakeCentre()
    centre.lose_answer_once = True
    with pytest.raises(CentralUnreachable):
        run_sync(store, centre, software_version="0.1.0")
    assert store.reports[-1].error == "connection reset"
    assert store.reports[-1].pending == 4
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.duplicates, report.applied, report.pulled) == (4, 0, 4)
    assert len(centre.log) == 4


def test_the_next_batch_leaves_before_this_ones_answer_is_recorded(store: FakeStore) -> None:
    taken_in(store, 675)  # 1,350 events: batches of 200, 1,000 (a backlog's) and 150
    centre = FakeCentre()
    push, acknowledge = centre.push, store.acknowledge
    sent = [threading.Event() for _ in range(3)]
    recorded_before_next: list[bool] = []
    firsts = [1, 201, 1201]

    def pushed(events: list[Event]) -> PushResponse:
        if events[0].station_seq in firsts:  # (after the restart, batches start elsewhere)
            sent[firsts.index(events[0].station_seq)].set()
        return push(events)

    def recorded(results: list[EventResult]) -> None:
        # recording answer k waits (at most 10 s) for batch k + 1 to be on its way
        recorded_before_next.append(sent[len(recorded_before_next) + 1].wait(10))
        if len(recorded_before_next) == 2:  # the station dies recording the 2nd answer
            raise OSError("disk gone")
        acknowledge(results)

    centre.push = pushed  # type: ignore[method-assign]
    store.acknowledge = recorded  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk gone"):
        run_sync(store, centre, software_version="0.1.0")
    assert recorded_before_next == [True, True]
    assert len(centre.log) == 1350  # the batch in flight reached the centre
    assert store.outbox_depth() == 1150  # its answer, and the 2nd's, were never recorded
    store.acknowledge = acknowledge  # type: ignore[method-assign]  # the station restarted
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.pushed, report.duplicates, report.applied, report.pending) == (1150, 1150, 0, 0)
    assert_each_once_in_case_order(centre.log, 1350)


def first_held_until_second(centre: FakeCentre) -> list[bool]:
    """The centre holds the first batch (station_seq 1) until another batch is in; the list
    says, once the first is applied, whether one came (both were at the centre at once)."""
    push = centre.push
    second_arrived = threading.Event()
    held_until_second: list[bool] = []

    def pushed(events: list[Event]) -> PushResponse:
        if events[0].station_seq == 1:
            held_until_second.append(second_arrived.wait(10))
        else:
            second_arrived.set()
        return push(events)

    centre.push = pushed  # type: ignore[method-assign]
    return held_until_second


def test_a_batch_of_other_cases_goes_while_the_one_before_is_at_the_centre(
    store: FakeStore,
) -> None:
    taken_in(store, 600)  # 1,200 events: 200, then 1,000 that share no case with them
    centre = FakeCentre()
    held_until_second = first_held_until_second(centre)
    report = run_sync(store, centre, software_version="0.1.0")
    assert held_until_second == [True]  # both batches were at the centre at once
    assert (report.pushed, report.applied, report.pending) == (1200, 1200, 0)
    assert [e.station_seq for e in centre.log][:2] == [201, 202]  # the second landed first
    assert_each_once_in_case_order(centre.log, 1200)


def test_a_batch_ends_between_two_cases_so_the_next_may_go_beside_it(store: FakeStore) -> None:
    seq = 0
    for _ in range(600):  # 1,800 events, each case's three together
        w = CaseWriter()
        w.seq = seq
        store.outbox += [w.event(k) for k in (EventKind.created, EventKind.received)]
        store.outbox.append(w.event(EventKind.submitted))
        seq = w.seq
    centre = FakeCentre()
    held_until_second = first_held_until_second(centre)
    report = run_sync(store, centre, software_version="0.1.0")
    # 200 would end in the middle of the 67th case, 1,000 more in the 400th: each batch
    # ends before the case it would cut, so the next shares none with it
    assert sorted(centre.batch_sizes) == [198, 603, 999]
    assert held_until_second == [True]
    assert (report.applied, report.pending) == (1800, 0)
    assert_each_once_in_case_order(centre.log, 1800)


def submitted(store: FakeStore, writers: list[CaseWriter]) -> None:
    """Each case submitted, after everything in the outbox (gapless station_seq)."""
    seq = store.outbox[-1].station_seq
    for w in writers:
        w.seq = seq
        store.outbox.append(w.event(EventKind.submitted))
        seq = w.seq


def test_a_backlog_goes_case_by_case_each_case_whole_in_one_batch(store: FakeStore) -> None:
    """Cases taken in offline and submitted at the sync: every case's 收件 first, its 提交
    200 numbers later. Each case goes whole in one batch (the centre writes it once), and
    the two batches share no case, so both are at the centre at once."""
    submitted(store, taken_in(store, 100))  # 200 events, then 100 of the same cases
    centre = FakeCentre()
    held_until_second = first_held_until_second(centre)
    push = centre.push
    batches: list[list[Event]] = []

    def pushed(events: list[Event]) -> PushResponse:
        batches.append(events)
        return push(events)

    centre.push = pushed  # type: ignore[method-assign]
    report = run_sync(store, centre, software_version="0.1.0")
    assert held_until_second == [True]
    # 66 whole cases fit the first batch of 200; the other 34 go in the second
    assert sorted(len(batch) for batch in batches) == [102, 198]
    first = next(batch for batch in batches if batch[0].station_seq == 1)
    case_by_case = [seq for k in range(66) for seq in (2 * k + 1, 2 * k + 2, 201 + k)]
    assert [e.station_seq for e in first] == case_by_case  # each case's 收件, then its 提交
    case_batches: dict[UUID, set[int]] = {}
    for index, batch in enumerate(batches):
        for event in batch:
            case_batches.setdefault(event.case_id, set()).add(index)
    assert len(case_batches) == 100 and all(len(b) == 1 for b in case_batches.values())
    assert (report.applied, report.superseded, report.pending) == (300, 0, 0)
    assert_each_once_in_case_order(centre.log, 300)


class _WritesDuringPush(FakeStore):
    """A desk that submits its first case while the first batch is at the centre: the
    read after that batch meets an event of a case in flight."""

    def __init__(self, blob_dir: Path, writer: CaseWriter) -> None:
        super().__init__(blob_dir)
        self.writer = writer

    def outbox_cases(
        self, limit: int, max_bytes: int, after: int = 0, skip: frozenset[Any] = frozenset()
    ) -> tuple[list[Event], int]:
        if after and not any(e.kind is EventKind.submitted for e in self.outbox):
            self.writer.seq = self.outbox[-1].station_seq
            self.outbox.append(self.writer.event(EventKind.submitted))
        return super().outbox_cases(limit, max_bytes, after, skip)


def test_a_batch_that_shares_a_case_with_the_one_in_flight_waits_for_its_answer(
    tmp_path: Path,
) -> None:
    first_case = CaseWriter()
    store = _WritesDuringPush(tmp_path / "blobs", first_case)
    seq = 0
    for w in [first_case, *(CaseWriter() for _ in range(99))]:  # 200 events: the first batch
        w.seq = seq
        store.outbox += [w.event(EventKind.created), w.event(EventKind.received)]
        seq = w.seq
    centre = FakeCentre()
    push = centre.push
    answered: list[int] = []
    arrivals: list[tuple[int, int]] = []  # (first station_seq, answers given before it)

    def pushed(events: list[Event]) -> PushResponse:
        arrivals.append((events[0].station_seq, len(answered)))
        answer = push(events)
        answered.append(len(events))
        return answer

    centre.push = pushed  # type: ignore[method-assign]
    report = run_sync(store, centre, software_version="0.1.0")
    assert arrivals == [(1, 0), (201, 1)]  # the second left once the first was answered
    assert (report.applied, report.superseded, report.pending) == (201, 0, 0)
    assert [e.station_seq for e in centre.log] == list(range(1, 202))


def test_take_cases_takes_whole_cases_in_order_and_says_how_far_the_outbox_is_read() -> None:
    a, b, c = CaseWriter(), CaseWriter(), CaseWriter()
    seq = 0
    window: list[Event] = []
    for w in (a, b, a, c, b, c):  # a1 b1 a2 c1 b2 c2: numbers 1..6
        kind = EventKind.received if any(e.case_id == w.case_id for e in window) else None
        w.seq = seq
        window.append(w.event(kind or EventKind.created))
        seq = w.seq
    a.seq, c.seq = 9, 11
    tails = [a.event(EventKind.submitted), c.event(EventKind.submitted)]  # 10 and 12

    def take(limit: int, skip: frozenset[Any] = frozenset(), size: int = 1) -> tuple[Any, int]:
        batch, cursor = take_cases(
            window, tails, limit=limit, max_bytes=10, skip=skip, size=lambda e: size, after=0
        )
        return [e.station_seq for e in batch], cursor

    # a (1, 3, 10) and b (2, 5) fit 5; c (4, 6, 12) does not: read up to 3, before c's first
    assert take(5) == ([1, 3, 10, 2, 5], 3)
    assert take(8) == ([1, 3, 10, 2, 5, 4, 6, 12], 6)
    # a case too big alone goes cut to its leading events (by count, then by bytes); the
    # outbox is read up to 1 (b's 2 is not in the batch)
    assert take(2) == ([1, 3], 1)
    assert take(8, size=4) == ([1, 3], 1)
    # events in flight are left out, and read past when nothing else holds the outbox back
    in_flight = frozenset({window[0].id, window[2].id, tails[0].id})  # a's, all of them
    assert take(3, in_flight) == ([2, 5], 3)
    assert take(1, frozenset(e.id for e in window)) == ([], 6)


def first_fails_after_second(centre: FakeCentre, *, applied: bool) -> None:
    """The centre answers the second batch (from station_seq 201) and only then takes the
    first: applied with its answer lost (``applied``), or turned away untouched (a 429)."""
    push = centre.push
    second_answered = threading.Event()

    def pushed(events: list[Event]) -> PushResponse:
        if events[0].station_seq == 201:
            answer = push(events)
            second_answered.set()
            return answer
        assert second_answered.wait(10)  # both in flight: the first waits for the second
        if applied:
            push(events)
            raise CentralUnreachable("connection reset")
        raise CentralUnreachable("the centre is not answering (429)")

    centre.push = pushed  # type: ignore[method-assign]


def test_a_lost_answer_with_two_batches_in_flight_comes_back_as_duplicates(
    store: FakeStore,
) -> None:
    taken_in(store, 600)  # 200, then 1,000 of other cases
    centre = FakeCentre()
    first_fails_after_second(centre, applied=True)
    with pytest.raises(CentralUnreachable):
        run_sync(store, centre, software_version="0.1.0")
    assert len(centre.log) == 1200  # both batches are at the centre
    assert store.outbox_depth() == 200  # the run stopped at the first; the second's answer kept
    del centre.push  # the line is back
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.pushed, report.duplicates, report.applied, report.pending) == (200, 200, 0, 0)
    assert_each_once_in_case_order(centre.log, 1200)


def test_a_batch_turned_away_while_the_next_is_applied_goes_again_and_lands_whole(
    store: FakeStore,
) -> None:
    taken_in(store, 600)
    centre = FakeCentre()
    first_fails_after_second(centre, applied=False)
    with pytest.raises(CentralUnreachable):
        run_sync(store, centre, software_version="0.1.0")
    assert [e.station_seq for e in centre.log][:1] == [201] and len(centre.log) == 1000
    del centre.push
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.applied, report.duplicates, report.superseded, report.pending) == (
        200,
        0,
        0,
        0,
    )
    assert_each_once_in_case_order(centre.log, 1200)
    assert {e.status for e in centre.log} == {EventStatus.applied}


def test_a_batch_that_keeps_failing_does_not_send_the_one_beside_it_again_each_run(
    store: FakeStore,
) -> None:
    """The first batch is refused (an event the centre cannot read) while the second, of
    other cases, is applied: its answer is recorded all the same, so the next runs send
    only the first again (before: the second too, as 1,000 duplicates every run)."""
    taken_in(store, 600)  # 200, then 1,000 of other cases
    centre = FakeCentre()
    push = centre.push
    sent: list[int] = []
    second_in = threading.Event()

    def pushed(events: list[Event]) -> PushResponse:
        sent.append(len(events))
        if events[0].station_seq == 1:
            second_in.wait(10)  # (the next runs send it alone: nothing comes beside it)
            raise CentralRefused(422, "an event the centre cannot read")
        second_in.set()
        return push(events)

    centre.push = pushed  # type: ignore[method-assign]
    for _ in range(3):
        with pytest.raises(CentralRefused):
            run_sync(store, centre, software_version="0.1.0")
        second_in.set()  # the later runs' first batch does not wait for a second
    assert sent[:2] in ([200, 1000], [1000, 200]) and sent[2:] == [200, 200]
    assert store.outbox_depth() == 200 and len(centre.log) == 1000
    assert store.reports[0].pushed == 1000 and store.reports[0].error


def _busy_beside(
    handler: Callable[[int, Any], httpx.Response],
    monkeypatch: pytest.MonkeyPatch,
    **options: Any,
) -> tuple[CentralClient, FakeCentre]:
    """The real client over a transport standing in for the centre: hellos answered by a
    fake centre, each push by ``handler(its first station_seq, the fake)``. Once a run
    fails, a push's wait for its last attempt is cut to nothing (``GRACE_S``)."""
    monkeypatch.setattr(giving_up, "GRACE_S", 0.0)
    fake = FakeCentre()

    def centre(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/hello"):
            return httpx.Response(200, content=fake.hello_answer().model_dump_json())
        body = PushRequest.model_validate_json(gzip.decompress(request.content))
        return handler(body.events[0].station_seq, (fake, body.events))

    transport = httpx.MockTransport(centre)
    client = CentralClient(
        "http://centre.test/",
        "tok",
        transport=transport,
        retries=2,
        backoff=wait_none(),
        **options,
    )
    client._at_once = False  # (its /push batches, not POST /sync)
    return client, fake


BUSY = httpx.Response(429, headers={"Retry-After": "120"})
"""A busy centre's answer: come back in two minutes."""


def test_a_failed_run_does_not_wait_out_the_busy_centre_for_the_batch_beside_it(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch fails for good (the centre errs) while the second, of other cases,
    is told 429 (busy, come back in two minutes): the run ends with the failure, the
    second asked once more and not waited out for up to 30 attempts (a desk showed its
    sync under way for an hour). Both batches' events stay in the outbox."""
    taken_in(store, 600)  # 200, then 1,000 of other cases
    busy_told = threading.Event()
    pushes: list[int] = []

    def handler(first: int, _: Any) -> httpx.Response:
        pushes.append(first)
        if first == 1:
            busy_told.wait(10)
            return httpx.Response(500)
        busy_told.set()
        return BUSY

    client, _ = _busy_beside(handler, monkeypatch)
    with client, pytest.raises(CentralUnreachable, match="500"):
        run_sync(store, client, software_version="0.1.0")
    assert sorted(pushes) == [1, 1, 201, 201]  # each twice: the busy one's last attempt
    assert store.outbox_depth() == 1200
    assert "500" in (store.reports[-1].error or "")


def test_a_run_ends_with_the_failure_not_with_the_push_it_gave_up(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch is kept waiting by a busy centre; the second is refused (the
    station's token was revoked): the run ends with the refusal, which the desk explains,
    not with the first batch given up because of it."""
    taken_in(store, 600)
    busy_told = threading.Event()

    def handler(first: int, _: Any) -> httpx.Response:
        if first == 1:
            busy_told.set()
            return BUSY
        busy_told.wait(10)
        return httpx.Response(401, json={"detail": "the station's token was revoked"})

    client, _ = _busy_beside(handler, monkeypatch)
    with client, pytest.raises(CentralRefused) as refused:
        run_sync(store, client, software_version="0.1.0")
    assert refused.value.status_code == 401
    assert store.outbox_depth() == 1200


def test_the_batch_beside_one_refused_every_run_still_lands_by_its_last_attempt(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch is refused at once (an event the centre cannot read); the second
    meets a busy centre once: its last attempt, once the run has failed, is answered,
    and recorded, so the next run sends only the first again."""
    taken_in(store, 600)
    busy_told = threading.Event()
    answered: list[int] = []

    def handler(first: int, pushed: Any) -> httpx.Response:
        if first == 1:
            busy_told.wait(10)
            return httpx.Response(422, json={"detail": "an event the centre cannot read"})
        if not busy_told.is_set():
            busy_told.set()
            return BUSY
        fake, events = pushed
        answered.append(len(events))
        return httpx.Response(200, content=fake.push(events).model_dump_json())

    client, fake = _busy_beside(handler, monkeypatch)
    with client, pytest.raises(CentralRefused):
        run_sync(store, client, software_version="0.1.0")
    assert answered == [1000] and len(fake.log) == 1000
    assert store.outbox_depth() == 200


def test_no_batch_leaves_after_the_run_failed(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first batch waits out a busy centre; the second fails for good; the first's
    last attempt is answered: it is recorded, and the third batch (read ahead) does not
    leave: the run has failed, it ends."""
    taken_in(store, 1100)  # 200, 1,000, then 1,000 more of other cases
    busy_told = threading.Event()
    pushes: list[int] = []

    def handler(first: int, pushed: Any) -> httpx.Response:
        pushes.append(first)
        if first == 201:
            busy_told.wait(10)
            return httpx.Response(500)
        if first == 1 and not busy_told.is_set():
            busy_told.set()
            return BUSY
        fake, events = pushed
        return httpx.Response(200, content=fake.push(events).model_dump_json())

    client, fake = _busy_beside(handler, monkeypatch)
    with client, pytest.raises(CentralUnreachable, match="500"):
        run_sync(store, client, software_version="0.1.0")
    assert sorted(pushes) == [1, 1, 201, 201]  # never 1201
    assert len(fake.log) == 200 and store.outbox_depth() == 2000


def test_a_last_attempt_met_by_silence_does_not_hide_the_refusal(
    store: FakeStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk's client (a silence is not waited out twice): the batch given up meets a
    silent centre at its last attempt; the run still ends with the other batch's refusal
    (the token expired: the desk renews it), not with the silence."""
    taken_in(store, 600)
    busy_told = threading.Event()

    def handler(first: int, _: Any) -> httpx.Response:
        if first == 201:
            busy_told.wait(10)
            return httpx.Response(401, json={"detail": "the station's token has expired"})
        if not busy_told.is_set():
            busy_told.set()
            return BUSY
        raise httpx.ReadTimeout("the centre took the request and said nothing")

    client, _ = _busy_beside(handler, monkeypatch, silence_once=True)
    with client, pytest.raises(CentralRefused) as refused:
        run_sync(store, client, software_version="0.1.0")
    assert refused.value.status_code == 401
    assert store.outbox_depth() == 1200


def test_a_long_wait_is_cut_short_once_the_run_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A push told to come back in an hour waits no longer than the grace once its run
    has failed (then makes its last attempt)."""
    monkeypatch.setattr(giving_up, "GRACE_S", 0.0)
    signal, woke = threading.Event(), threading.Event()

    def waiting() -> None:
        giving_up.wait_unless_given_up(3600, time.sleep)
        woke.set()

    thread = threading.Thread(target=giving_up.until_given_up, args=(signal, waiting), daemon=True)
    thread.start()
    signal.set()
    assert woke.wait(60)  # (a bound on a hang: uncut, the wait is an hour)
    thread.join()


def test_a_batch_answered_in_part_is_recorded_before_the_outbox_is_read_again(
    store: FakeStore,
) -> None:
    taken_in(store, 150)  # 300 events: 200 and 100
    centre = FakeCentre()
    push = centre.push
    answers: list[int] = []

    def forgetful(events: list[Event]) -> PushResponse:
        answer = push(events)
        if not answers:  # the first answer lacks its last result
            answer = PushResponse(results=answer.results[:-1])
        answers.append(len(answer.results))
        return answer

    centre.push = forgetful  # type: ignore[method-assign]
    report = run_sync(store, centre, software_version="0.1.0")
    # the second batch (no case of the first) was in flight; once its answer is recorded
    # too, the unanswered event goes again, at the head of what is left
    assert answers == [199, 100, 1]
    assert (report.applied, report.duplicates, report.pending) == (299, 1, 0)
    assert_each_once_in_case_order(centre.log, 300)


def test_a_race_is_superseded_and_the_station_sees_why(store: FakeStore) -> None:
    (w,) = taken_in(store, 1)
    store.outbox.append(w.event(EventKind.submitted))
    centre = FakeCentre()
    run_sync(store, centre, software_version="0.1.0")
    # the township rejects at the centre while the village, offline, edits
    township = CaseWriter(station="st-township")
    township.case_id = w.case_id
    centre.push([township.event(EventKind.rejected, Role.reviewer)])
    store.outbox.append(w.event(EventKind.withdrawn))
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.superseded, report.pulled) == (1, 2)
    view = fold(store.pulled)
    assert view.state is CaseState.rejected and "superseded" in view.flags
    assert view.history[-1].reason == "not allowed while the case is rejected"


def test_a_failing_blob_is_skipped_and_cases_still_sync(store: FakeStore, tmp_path: Path) -> None:
    taken_in(store, 1)
    refs = []
    for name, data in (("a.jpg", b"scan a"), ("b.jpg", b"scan b")):
        (tmp_path / name).write_bytes(data)
        refs.append(store_blob(store.blob_dir, tmp_path / name))
    store.unsent_blobs = {r.sha256: r for r in refs}
    centre = FakeCentre()
    centre.broken_blobs = {refs[0].sha256}
    report = run_sync(store, centre, software_version="0.1.0")
    assert (report.blobs_uploaded, report.blob_errors, report.pulled) == (1, 1, 2)
    assert report.blob_failures == {refs[0].sha256: "upload interrupted"}
    assert centre.blobs == {refs[1].sha256: b"scan b"}
    assert list(store.unsent_blobs) == [refs[0].sha256]
    assert store.blob_errors == {refs[0].sha256: "upload interrupted"}


def test_clock_skew_is_measured(store: FakeStore) -> None:
    report = run_sync(store, FakeCentre(skew=timedelta(minutes=-10)), software_version="0.1.0")
    assert report.skew_seconds == pytest.approx(-600, abs=5)


def test_an_incompatible_centre_stops_before_pushing(store: FakeStore) -> None:
    taken_in(store, 1)
    centre = FakeCentre(schema=(2, 3))
    with pytest.raises(SyncError, match="accepts event schema 2-3, this station writes 1"):
        run_sync(store, centre, software_version="0.1.0")
    assert centre.log == [] and store.reports[-1].pending == 2


def test_an_unreachable_centre_is_recorded(store: FakeStore) -> None:
    centre = FakeCentre()
    centre.down = True
    with pytest.raises(CentralUnreachable):
        run_sync(store, centre, software_version="0.1.0")
    assert store.reports[-1].error == "the centre cannot be reached"


def test_a_store_that_loses_its_acknowledgements_sends_each_event_once(store: FakeStore) -> None:
    taken_in(store, 1)
    store.acknowledge = lambda results: None  # type: ignore[method-assign]
    centre = FakeCentre()
    report = run_sync(store, centre, software_version="0.1.0")
    assert [e.station_seq for e in centre.log] == [1, 2]  # once, not again and again
    assert report.pushed == 2 and report.pending == 2  # still waiting, as the store says


def test_a_store_that_offers_answered_events_again_does_not_loop(store: FakeStore) -> None:
    taken_in(store, 1)
    store.acknowledge = lambda results: None  # type: ignore[method-assign]
    centre = FakeCentre()
    pushes: list[int] = []

    def unanswered(events: list[Event]) -> PushResponse:
        pushes.append(len(events))
        return PushResponse(results=[])

    centre.push = unanswered  # type: ignore[method-assign]
    with pytest.raises(SyncError, match="unanswered twice"):
        run_sync(store, centre, software_version="0.1.0")
    assert pushes == [2, 2]  # sent once more, then the run stops


def test_progress_is_a_value(store: FakeStore) -> None:
    seen: list[SyncProgress] = []
    taken_in(store, 1)
    run_sync(store, FakeCentre(), software_version="0.1.0", on_progress=seen.append)
    assert SyncProgress("push", 2) in seen and SyncProgress("pull", 2) in seen


def test_what_the_station_holds_is_reported_before_and_after_the_run(store: FakeStore) -> None:
    """The county's station list reads the last report: after a run that went through, it
    is the outbox as it is now (empty), not as it was before the push."""
    from sync.protocol import StationReport

    taken_in(store, 3)
    centre = FakeCentre()

    def describe() -> StationReport:
        return StationReport(outbox_depth=store.outbox_depth(), catalog_version="v7", cases_held=3)

    run_sync(store, centre, software_version="0.1.0", describe=describe)
    assert [r.outbox_depth for r in centre.reports] == [6, 0]
    assert {r.catalog_version for r in centre.reports} == {"v7"}


def test_a_run_that_changed_nothing_reports_once(store: FakeStore) -> None:
    """An idle desk syncs every few minutes: what it holds is the same after as before,
    so no second hello goes to the centre."""
    from sync.protocol import StationReport

    centre = FakeCentre()

    def describe() -> StationReport:
        return StationReport(outbox_depth=store.outbox_depth(), catalog_version="v7", cases_held=0)

    run_sync(store, centre, software_version="0.1.0", describe=describe)
    assert [(r.outbox_depth, r.catalog_version) for r in centre.reports] == [(0, "v7")]


def test_a_run_without_a_description_reports_the_depth_alone(store: FakeStore) -> None:
    taken_in(store, 1)
    centre = FakeCentre()
    run_sync(store, centre, software_version="0.1.0")
    assert [(r.outbox_depth, r.cases_held) for r in centre.reports] == [(2, None)]


class _CollectorWatch(FakeStore):
    """Notes whether the cycle collector ran while each page was applied (and at every
    other step of the sync); fails on demand."""

    def __init__(self, blob_dir: Path, fail: bool = False) -> None:
        super().__init__(blob_dir)
        self.collecting: list[bool] = []
        self.steps: list[tuple[str, bool]] = []
        self.fail = fail

    def outbox_depth(self) -> int:
        self.steps.append(("depth", gc.isenabled()))
        return super().outbox_depth()

    def outbox_cases(
        self, limit: int, max_bytes: int, after: int = 0, skip: frozenset[Any] = frozenset()
    ) -> tuple[list[Event], int]:
        self.steps.append(("outbox", gc.isenabled()))
        return super().outbox_cases(limit, max_bytes, after, skip)

    def record_sync(self, report: SyncReport) -> None:
        self.steps.append(("record", gc.isenabled()))
        super().record_sync(report)

    def apply_pull_page(self, page: PullResponse) -> None:
        self.collecting.append(gc.isenabled())
        if self.fail:
            raise OSError("disk full")
        super().apply_pull_page(page)


def test_a_pull_applies_its_pages_with_the_collector_paused_and_turns_it_back_on(
    tmp_path: Path,
) -> None:
    store = _CollectorWatch(tmp_path / "blobs")
    centre = FakeCentre()
    taken_in(store, 3)
    run_sync(store, centre, software_version="1.0")
    assert store.collecting == [False]
    assert gc.isenabled()
    assert len(store.pulled) == 6  # the page itself still applied


def test_hello_and_push_run_with_the_collector_paused_too(tmp_path: Path) -> None:
    """Not only the pull: in a process holding much (a desk, the storm bench's stations)
    the collector's full passes were a third to a half of a small sync's CPU. The run's
    record comes after, with the collector on again."""
    store = _CollectorWatch(tmp_path / "blobs")
    taken_in(store, 1)
    run_sync(store, FakeCentre(), software_version="1.0")
    *during, pending, record = store.steps
    assert {step for step, _ in during} == {"depth", "outbox"}
    assert not any(on for _, on in during)
    assert (pending, record) == (("depth", True), ("record", True))  # the run's figures
    assert gc.isenabled()


def test_blobs_upload_with_the_collector_on(store: FakeStore, tmp_path: Path) -> None:
    """An upload over a slow line may take minutes: the collector is not held off for it."""
    seen: list[bool] = []
    centre = FakeCentre()
    uploading = centre.upload_blob

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return uploading(*args, **kwargs)

    centre.upload_blob = watched  # type: ignore[method-assign]
    (tmp_path / "scan.jpg").write_bytes(b"scan")
    ref = store_blob(store.blob_dir, tmp_path / "scan.jpg")
    store.unsent_blobs[ref.sha256] = ref
    run_sync(store, centre, software_version="1.0")
    assert seen == [True]


def test_a_pull_that_fails_turns_the_collector_back_on(tmp_path: Path) -> None:
    store = _CollectorWatch(tmp_path / "blobs", fail=True)
    with pytest.raises(OSError, match="disk full"):
        run_sync(store, FakeCentre(), software_version="1.0")
    assert store.collecting == [False]
    assert gc.isenabled()


def test_a_collector_off_before_the_pull_stays_off(tmp_path: Path) -> None:
    store = _CollectorWatch(tmp_path / "blobs")
    gc.disable()
    try:
        run_sync(store, FakeCentre(), software_version="1.0")
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Holding(FakeStore):
    """A store that holds views across pages (``HoldsViews``); its page ``fail_at`` fails."""

    def __init__(self, blob_dir: Path, fail_at: int, write_fails: bool = False) -> None:
        super().__init__(blob_dir)
        self.fail_at, self.write_fails = fail_at, write_fails
        self.pages = 0
        self.written: list[int] = []

    def apply_pull_page(self, page: PullResponse) -> None:
        self.pages += 1
        if self.pages == self.fail_at:
            raise OSError("disk full")
        super().apply_pull_page(page)

    def write_held_views(self) -> None:
        self.written.append(self.pages)
        if self.write_fails:
            raise OSError("still full")


def test_a_pull_that_fails_part_way_has_the_store_write_what_it_held(tmp_path: Path) -> None:
    store = _Holding(tmp_path / "blobs", fail_at=3)
    centre = FakeCentre()
    taken_in(store, 600)  # 1,200 events: three pages, the last one fails
    with pytest.raises(OSError, match="disk full"):
        run_sync(store, centre, software_version="1.0")
    assert store.written == [3]  # once, after the failed page
    assert store.cursor == 1000  # the two pages applied stay applied


def test_a_pull_whose_held_views_cannot_be_written_still_reports_its_own_failure(
    tmp_path: Path,
) -> None:
    store = _Holding(tmp_path / "blobs", fail_at=2, write_fails=True)
    taken_in(store, 600)
    with pytest.raises(OSError, match="disk full"):
        run_sync(store, FakeCentre(), software_version="1.0")
    assert store.written == [2]


def test_a_pull_that_ends_well_leaves_the_writing_to_its_last_page(tmp_path: Path) -> None:
    store = _Holding(tmp_path / "blobs", fail_at=0)
    taken_in(store, 600)
    run_sync(store, FakeCentre(), software_version="1.0")
    assert store.written == []
    assert store.cursor == 1200
