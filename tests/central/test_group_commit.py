"""Group commit: pushes waiting together share one transaction, each answered with its
own results; a failing batch in a group costs no other station its push."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlmodel import Session

from central.models import Station
from central.services.audit import verify_audit
from central.services.group_commit import GroupCommit, Queued
from central.services.push import PushJob, SchemaRange, apply_group
from sync.events import SCHEMA_VERSION
from sync.protocol import EventResult, ResultStatus
from tests.central.conftest import OTHER_TOWN_VILLAGE, VILLAGE, VILLAGE_2

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
