"""Group commit: pushes waiting together share one transaction, each answered with its
own results; a failing batch in a group costs no other station its push."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlmodel import Session

from central.models import Station
from central.services.audit import verify_audit
from central.services.group_commit import GroupCommit, Queued
from central.services.push import SEQUENCE_CONFLICT, PushJob, SchemaRange, apply_group
from sync.events import SCHEMA_VERSION, EventKind, Role
from sync.protocol import CASE_NUMBER_TAKEN, EventResult, ResultStatus
from tests.central.conftest import OTHER_TOWN_VILLAGE, TOWNSHIP, VILLAGE, VILLAGE_2

SCHEMAS = SchemaRange(1, SCHEMA_VERSION)


def test_jobs_queued_while_a_group_runs_go_together_in_the_next() -> None:
    commit: GroupCommit[int, int] = GroupCommit()
    groups: list[list[int]] = []
    inside, release = threading.Event(), threading.Event()

    def apply(group: list[Queued[int, int]]) -> None:
        groups.append([q.job for q in group])
        if len(groups) == 1:
            inside.set()
            release.wait(10)
        for queued in group:
            queued.answer.set_result(queued.job * 10)

    answers: dict[int, int] = {}

    def submit(job: int) -> None:
        answers[job] = commit.submit(job, apply)

    leader = threading.Thread(target=submit, args=(1,))
    leader.start()
    assert inside.wait(10)
    followers = [threading.Thread(target=submit, args=(n,)) for n in (2, 3)]
    for thread in followers:
        thread.start()
    while len(commit._queue) < 2:  # both queued behind the running group
        threading.Event().wait(0.001)
    release.set()
    for thread in (leader, *followers):
        thread.join(10)
    assert groups == [[1], [2, 3]]
    assert answers == {1: 10, 2: 20, 3: 30}


def _job(session: Session, station: Any, events: Any) -> Queued[PushJob, list[EventResult]]:
    model = session.get(Station, station.id)
    assert model is not None
    return Queued(PushJob(model, events, SCHEMAS))


def test_a_group_is_one_transaction_with_each_answer_its_own(enroll: Any, session: Session) -> None:
    stations = [enroll(VILLAGE), enroll(VILLAGE_2), enroll(OTHER_TOWN_VILLAGE)]
    group = [_job(session, s, s.new_case()) for s in stations]
    apply_group(session=session, group=group)
    answers = [q.answer.result() for q in group]
    assert [[r.status for r in a] for a in answers] == [[ResultStatus.applied] * 3] * 3
    seqs = [r.central_seq for a in answers for r in a]
    assert seqs == list(range(seqs[0], seqs[0] + 9))  # gapless, in group order
    for station, answer in zip(stations, answers, strict=True):
        assert [e["id"] for e in station.pull()["events"]] == [r.id for r in answer]
    assert verify_audit(session=session).ok


def test_a_failing_batch_costs_the_others_nothing(enroll: Any, session: Session) -> None:
    good, other = enroll(VILLAGE), enroll(VILLAGE_2)
    broken = _job(session, other, None)  # not a batch at all: applying it raises
    group = [_job(session, good, good.new_case()), broken, _job(session, other, other.new_case())]
    apply_group(session=session, group=group)
    assert isinstance(broken.answer.exception(), TypeError)
    assert [r.status for r in group[0].answer.result()] == [ResultStatus.applied] * 3
    assert [r.status for r in group[2].answer.result()] == [ResultStatus.applied] * 3
    assert len(good.pull()["events"]) == 3 and len(other.pull()["events"]) == 3
    replay = _job(session, good, group[0].job.events)  # the station replays its batch
    apply_group(session=session, group=[replay])
    assert [r.status for r in replay.answer.result()] == [ResultStatus.duplicate] * 3
    assert verify_audit(session=session).ok


async def test_a_request_is_answered_when_its_own_group_commits_not_the_next() -> None:
    """The queue is applied in the background: the request that started it is answered
    with its own group, while the group queued behind it is still being applied."""
    commit: GroupCommit[int, int] = GroupCommit()
    first_inside, second_queued, release_second = (threading.Event() for _ in range(3))

    def apply(group: list[Queued[int, int]]) -> None:
        for queued in group:
            if queued.job == 1:
                first_inside.set()
                second_queued.wait(10)
            if queued.job == 2:
                release_second.wait(10)
            queued.answer.set_result(queued.job * 10)

    loop = asyncio.get_running_loop()
    first = asyncio.create_task(commit.submit_async(1, apply))
    await loop.run_in_executor(None, first_inside.wait, 10)
    second = asyncio.create_task(commit.submit_async(2, apply))
    await asyncio.sleep(0)  # the second request reaches the queue
    second_queued.set()
    try:
        assert await asyncio.wait_for(first, 10) == 10
        assert not second.done()  # its group is still being applied
    finally:
        release_second.set()
    assert await second == 20


def _tricky_batches(enroll: Any, villages: tuple[str, str], township: str) -> list[Any]:
    """Batches whose fate depends on the ones before them, in the order they are applied:
    a replay, a decision on a case created two batches earlier, a case number a station
    restored from a backup hands out again, a reused station sequence number, the same event twice, an act the
    case's state no longer allows, and an event refused for its scope, pushed again."""
    village, other, town = enroll(villages[0]), enroll(villages[1]), enroll(township, "township")
    first = village.new_case()
    case_id = first[0].case_id
    restored = village.event(EventKind.created, case_number=first[0].case_number)
    accept = town.event(EventKind.accepted, case_id, division=villages[0], role=Role.reviewer)
    twice = other.event(EventKind.created)
    outside = other.event(EventKind.created, division=villages[0])
    return [
        (village, first),
        (other, other.new_case()),
        (village, first),  # replayed while the first was still in the group
        (town, [accept]),
        (village, [restored]),  # from a restored backup: the number ``first`` has
        (village, [village.event(EventKind.created, station_seq=first[0].station_seq)]),
        (other, [twice, twice]),
        (village, [village.event(EventKind.submitted, case_id)]),  # already accepted
        (other, [outside]),
        (other, [outside]),
    ]


def _fates(session: Session, stations: set[str], answers: list[list[EventResult]]) -> Any:
    """The answers and the rows they left, with sequence numbers counted from the first."""
    from sqlalchemy import text

    base = min(r.central_seq for a in answers for r in a if r.central_seq is not None)

    def seq(value: int | None) -> int | None:
        return None if value is None else value - base

    told = [[(r.status, r.reason, seq(r.central_seq)) for r in a] for a in answers]
    ids = ",".join(f"'{s}'" for s in stations)
    events = session.connection().execute(
        text(
            f"SELECT kind, status, reason, central_seq FROM event WHERE station_id IN ({ids})"
            " ORDER BY central_seq"
        )
    )
    cases = session.connection().execute(
        text(
            f"SELECT state, version, flagged, updated_seq FROM case_state"
            f" WHERE owner_station IN ({ids}) ORDER BY updated_seq"
        )
    )
    return (
        told,
        [(r.kind, r.status, r.reason, seq(r.central_seq)) for r in events],
        [(r.state, r.version, bool(r.flagged), seq(r.updated_seq)) for r in cases],
    )


def test_batches_applied_together_fare_exactly_as_applied_one_after_another(
    enroll: Any, session: Session
) -> None:
    """A group's batches share one set of look-ups and writes; each must still see what the
    batches before it did, as if it ran alone after them."""
    from sqlalchemy import event as sa_event

    together = _tricky_batches(enroll, (VILLAGE, VILLAGE_2), TOWNSHIP)
    alone = _tricky_batches(enroll, ("640522101301", "640522101302"), "640522101000")
    inserts: list[str] = []

    def _count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVENT "):
            inserts.append(statement)

    engine = session.get_bind()
    sa_event.listen(engine, "before_cursor_execute", _count)
    try:
        group = [_job(session, station, events) for station, events in together]
        apply_group(session=session, group=group)
        grouped = [q.answer.result() for q in group]
        assert len(inserts) == 1  # one statement for every batch's events: the group path ran
        single = []
        for station, events in alone:
            job = _job(session, station, events)
            apply_group(session=session, group=[job])
            single.append(job.answer.result())
    finally:
        sa_event.remove(engine, "before_cursor_execute", _count)
    first = _fates(session, {s.id for s, _ in together}, grouped)
    second = _fates(session, {s.id for s, _ in alone}, single)
    assert first == second
    told = first[0]
    assert [s for s, _r, _q in told[2]] == [ResultStatus.duplicate] * 3
    assert told[2] == [(ResultStatus.duplicate, None, q) for _s, _r, q in told[0]]
    assert told[3][0][0] is ResultStatus.applied  # accepted: the case came two batches before
    assert {(s, r) for s, r, _q in told[4]} == {(ResultStatus.rejected, CASE_NUMBER_TAKEN)}
    assert told[5][0][0] is ResultStatus.applied and SEQUENCE_CONFLICT in (told[5][0][1] or "")
    assert [s for s, _r, _q in told[6]] == [ResultStatus.applied, ResultStatus.duplicate]
    assert told[7][0][0] is ResultStatus.superseded
    assert told[8][0][0] is told[9][0][0] is ResultStatus.rejected  # refused: never held
    assert verify_audit(session=session).ok


def test_a_group_killed_while_writing_keeps_nothing_and_its_retry_applies_once(
    enroll: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group's one set of writes dies before its commit: no batch of it is kept (each
    request is told its error), and the stations' retries, grouped again, apply each batch
    once; replayed after that, every event is a duplicate."""
    from sqlalchemy import func, select

    from central.models import CASE_TABLE, EVENT_TABLE

    stations = [enroll(VILLAGE), enroll(VILLAGE_2), enroll(OTHER_TOWN_VILLAGE)]
    batches = [s.new_case() for s in stations]

    def killed(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("killed while writing the group")

    def counted(table: Any) -> int:
        return int(
            session.connection().execute(select(func.count()).select_from(table)).scalar_one()
        )

    with monkeypatch.context() as patch:
        patch.setattr("central.services.push.record_keys", killed)
        group = [_job(session, s, b) for s, b in zip(stations, batches, strict=True)]
        apply_group(session=session, group=group)
    assert all(isinstance(q.answer.exception(), RuntimeError) for q in group)
    session.expire_all()
    assert counted(EVENT_TABLE) == 0 and counted(CASE_TABLE) == 0

    retry = [_job(session, s, b) for s, b in zip(stations, batches, strict=True)]
    apply_group(session=session, group=retry)
    assert [[r.status for r in q.answer.result()] for q in retry] == [
        [ResultStatus.applied] * 3
    ] * 3
    replay = [_job(session, s, b) for s, b in zip(stations, batches, strict=True)]
    apply_group(session=session, group=replay)
    assert [[r.status for r in q.answer.result()] for q in replay] == [
        [ResultStatus.duplicate] * 3
    ] * 3
    session.expire_all()
    assert counted(EVENT_TABLE) == 9 and counted(CASE_TABLE) == 3
    assert verify_audit(session=session).ok
