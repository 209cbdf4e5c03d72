"""A long pull holds its cases' views in memory and writes each case once, at its last page.

The cases a township pulls are the same cases page after page (a case taken in on
Monday and submitted on Tuesday comes in two pages): the views are advanced in memory
and written when the pull ends. These tests hold the station to what a pull of one
page would have written, whatever happens in between: a kill, a failure, the desk
writing to a held case, the cap on what is held.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text

from station.services.cases import CaseService
from station.services.syncing import submit_received
from station.store import StationStore, meta, projection
from station.store.db import reading
from station.store.models import NewEvent
from sync.engine import UnknownAcks
from sync.events import EventKind, EventStatus, RecordedEvent, Role
from sync.lock import sync_lock
from sync.protocol import EventAck, PullResponse, StationRole
from sync.reducer import entry_summary
from tests.unit.store.conftest import application, identity

TOWNSHIP = "640522100"
NAMES = ("张三丰", "李秀英", "王建国", "马占福", "何曾贵", "单长乐", "曾重庆")
CASES = len(NAMES)


@pytest.fixture
def village_events(service: CaseService, store: StationStore) -> list[RecordedEvent]:
    """Seven cases taken in, then all submitted: each case's events in two places of the
    centre's order (taken in at the start, submitted at the end), numbered 1..21."""
    for serial, name in enumerate(NAMES, start=1):
        service.take_in(application(name=name, serial=serial))
    submit_received(store)
    outbox = store.outbox_batch(1000, 1 << 24)
    return [
        RecordedEvent(**event.model_dump(), central_seq=seq, status=EventStatus.applied)
        for seq, event in enumerate(outbox, start=1)
    ]


def _township(path: Path) -> StationStore:
    opened = StationStore.open(path)
    opened.save_identity(identity(StationRole.township, TOWNSHIP))
    return opened


@pytest.fixture
def township(tmp_path: Path) -> Iterator[StationStore]:
    opened = _township(tmp_path / "township")
    yield opened
    opened.close()


def _pages(events: list[RecordedEvent], size: int, *, last: bool = True) -> list[PullResponse]:
    """``events`` in pages of ``size``; the last one says nothing follows (unless ``last``
    is False: more is still to come at the centre)."""
    chunks = [events[start : start + size] for start in range(0, len(events), size)]
    return [
        PullResponse(
            events=chunk,
            next_cursor=chunk[-1].central_seq,
            has_more=not last or index < len(chunks) - 1,
        )
        for index, chunk in enumerate(chunks)
    ]


def _cases(store: StationStore) -> list[tuple[object, ...]]:
    """Every case row and search term, as the desk reads them (but the ID number's keyed
    hash: each station has its own key)."""
    with reading(store.engine) as conn:
        rows = conn.execute(text("SELECT * FROM cases ORDER BY case_id")).all()
        terms = conn.execute(
            text(
                "SELECT case_id, terms FROM cases_fts JOIN cases ON cases.rowid = cases_fts.rowid"
                " ORDER BY case_id"
            )
        ).all()
    kept = [
        tuple(value for name, value in row._mapping.items() if name != "id_hash") for row in rows
    ]
    return kept + [tuple(row) for row in terms]


def _behind(store: StationStore) -> str | None:
    with reading(store.engine) as conn:
        return meta.get(conn, meta.VIEWS_BEHIND)


def _as_one_page(tmp_path: Path, events: list[RecordedEvent]) -> list[tuple[object, ...]]:
    """What a township that pulled ``events`` in one page holds (nothing held)."""
    other = _township(tmp_path / "one-page")
    try:
        other.apply_pull_page(
            PullResponse(events=events, next_cursor=events[-1].central_seq, has_more=False)
        )
        return _cases(other)
    finally:
        other.close()


def test_a_long_pull_writes_what_one_page_would_and_holds_the_cases_between(
    township: StationStore, village_events: list[RecordedEvent], tmp_path: Path
) -> None:
    pages = _pages(village_events, 4)
    for page in pages[:-1]:
        township.apply_pull_page(page)
        assert _cases(township) == []  # held: not yet written
        assert _behind(township) == "0"  # and the disk says the views lag the events
    township.apply_pull_page(pages[-1])
    assert _behind(township) is None
    written = _cases(township)
    assert written == _as_one_page(tmp_path, village_events)
    assert len(written) == 2 * CASES
    assert {case.state for case in township.list_cases()} == {"submitted"}


def test_a_station_killed_part_way_rebuilds_the_held_cases_when_it_opens(
    tmp_path: Path, village_events: list[RecordedEvent]
) -> None:
    pages = _pages(village_events, 4)
    township = _township(tmp_path / "township")
    for page in pages[:3]:
        township.apply_pull_page(page)
    township.close()  # the process dies: what the pages held is gone, the disk says so
    reopened = StationStore.open(tmp_path / "township")
    try:
        assert _behind(reopened) is None
        assert _cases(reopened) == _as_one_page(tmp_path, village_events[:12])
        for page in pages[3:]:  # the pull resumes after the cursor, as the next sync does
            reopened.apply_pull_page(page)
        assert _cases(reopened) == _as_one_page(tmp_path / "all", village_events)
    finally:
        reopened.close()


def test_a_page_that_fails_drops_what_was_held_and_the_next_page_rebuilds_it(
    township: StationStore,
    village_events: list[RecordedEvent],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = _pages(village_events, 4)
    township.apply_pull_page(pages[0])
    township.apply_pull_page(pages[1])

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(meta, "put", broken)
    with pytest.raises(OSError, match="disk full"):
        township.apply_pull_page(pages[2])
    monkeypatch.undo()
    # the third page rolled back; the first two are on disk with their cursor
    assert township.pull_cursor() == 8
    assert _behind(township) == "0"
    township.write_held_views()  # the engine, as the pull fails: nothing held is written
    assert _behind(township) == "0"
    assert _cases(township) == []
    for page in pages[2:]:
        township.apply_pull_page(page)
    assert _behind(township) is None
    assert _cases(township) == _as_one_page(tmp_path, village_events)


def test_a_pull_that_fails_part_way_writes_what_its_pages_held(
    township: StationStore, village_events: list[RecordedEvent], tmp_path: Path
) -> None:
    for page in _pages(village_events[:12], 4, last=False):
        township.apply_pull_page(page)
    township.write_held_views()  # what the sync engine does when the next page fails
    assert _behind(township) is None
    assert _cases(township) == _as_one_page(tmp_path, village_events[:12])


def test_the_desk_writing_to_a_held_case_keeps_its_event_and_the_pulled_ones(
    township: StationStore, village_events: list[RecordedEvent], tmp_path: Path
) -> None:
    taken_in, submitted = village_events[: 2 * CASES], village_events[2 * CASES :]
    township.apply_pull_page(PullResponse(events=taken_in, next_cursor=2 * CASES, has_more=False))
    pages = _pages(submitted, 3)
    township.apply_pull_page(pages[0])  # holds the first three cases' submissions
    first = submitted[0].case_number
    looked = NewEvent(EventKind.id_revealed, "u-reviewer", Role.reviewer, {"name": "李审核"})
    township.append_many([(first, [looked])])  # the reviewer at the desk, meanwhile
    for page in pages[1:]:
        township.apply_pull_page(page)
    view = township.get_case(first)
    assert view is not None
    assert [(entry.kind.value, entry.status.value) for entry in view.history] == [
        ("created", "applied"),
        ("received", "applied"),
        ("submitted", "applied"),
        ("id_revealed", "pending"),
    ]
    assert view.state.value == "submitted"
    others = [row for row in _cases(township) if first not in str(row)]
    expected = [row for row in _as_one_page(tmp_path, village_events) if first not in str(row)]
    assert others == expected


def test_a_pull_longer_than_the_cap_writes_as_it_goes(
    township: StationStore,
    village_events: list[RecordedEvent],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(projection, "HELD_MAX", 3)
    pages = _pages(village_events, 2)
    township.apply_pull_page(pages[0])  # one case held
    township.apply_pull_page(pages[1])  # two
    assert _cases(township) == []
    township.apply_pull_page(pages[2])  # three: written at once
    assert len(_cases(township)) == 2 * 3
    assert _behind(township) is None
    for page in pages[3:]:
        township.apply_pull_page(page)
    assert _cases(township) == _as_one_page(tmp_path, village_events)


def test_a_village_pulling_its_own_events_back_holds_nothing(
    service: CaseService, store: StationStore, village_events: list[RecordedEvent]
) -> None:
    """A restored copy pulls its own events in full: they settle its pending ones."""
    for page in _pages(village_events, 4):
        store.apply_pull_page(page)
        assert _behind(store) is None
    assert {case.state for case in store.list_cases()} == {"submitted"}
    for case in store.list_cases():
        view = store.get_case(case.case_id)
        assert view is not None
        assert {entry.status.value for entry in view.history} == {"applied"}


def test_a_page_with_our_own_event_writes_what_was_held_before_it(
    township: StationStore, village_events: list[RecordedEvent]
) -> None:
    taken_in, submitted = village_events[: 2 * CASES], village_events[2 * CASES :]
    township.apply_pull_page(PullResponse(events=taken_in, next_cursor=2 * CASES, has_more=False))
    last = submitted[-1].case_number
    looked = NewEvent(EventKind.id_revealed, "u-reviewer", Role.reviewer, {"name": "李审核"})
    township.append_many([(last, [looked])])
    ours = township.outbox_batch(10, 1 << 20)
    assert len(ours) == 1
    township.apply_pull_page(  # holds the first three cases' submissions
        PullResponse(events=submitted[:3], next_cursor=17, has_more=True)
    )
    assert _behind(township) == str(2 * CASES)
    back = RecordedEvent(**ours[0].model_dump(), central_seq=18, status=EventStatus.applied)
    township.apply_pull_page(  # our own event comes back, more to follow: nothing held
        PullResponse(events=[back], next_cursor=18, has_more=True)
    )
    assert _behind(township) is None
    states = {case.case_number: case.state for case in township.list_cases()}
    assert [states[event.case_number] for event in submitted] == ["submitted"] * 3 + [
        "received"
    ] * (CASES - 3)
    view = township.get_case(last)
    assert view is not None
    assert [(entry.kind.value, entry.status.value) for entry in view.history][-1] == (
        "id_revealed",
        "applied",
    )


def test_a_last_page_that_fails_and_comes_again_rebuilds_what_the_pull_held(
    township: StationStore,
    village_events: list[RecordedEvent],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """(review) The pull's last page fails; the engine has nothing to write; the next
    sync of the same running desk brings the same last page, which holds nothing."""
    pages = _pages(village_events, 4)
    for page in pages[:-1]:
        township.apply_pull_page(page)

    def locked(*args: object, **kwargs: object) -> None:
        raise OSError("database is locked")

    monkeypatch.setattr(meta, "put", locked)
    with pytest.raises(OSError, match="locked"):
        township.apply_pull_page(pages[-1])
    monkeypatch.undo()
    township.write_held_views()
    assert _behind(township) == "0"
    township.apply_pull_page(pages[-1])
    assert _behind(township) is None
    assert _cases(township) == _as_one_page(tmp_path, village_events)


def test_a_page_of_unknown_acknowledgements_pulled_again_in_full_rebuilds_what_was_held(
    township: StationStore, village_events: list[RecordedEvent], tmp_path: Path
) -> None:
    """(review) ``UnknownAcks`` rolls the page back; the engine pulls it again in full."""
    pages = _pages(village_events, 4)
    for page in pages[:-1]:
        township.apply_pull_page(page)
    unknown = EventAck(id=uuid4(), central_seq=999, status=EventStatus.applied)
    with pytest.raises(UnknownAcks):
        township.apply_pull_page(pages[-1].model_copy(update={"acks": [unknown]}))
    township.apply_pull_page(pages[-1])
    assert _cases(township) == _as_one_page(tmp_path, village_events)


def test_a_station_with_views_behind_rebuilds_them_even_when_nothing_is_new(
    tmp_path: Path, village_events: list[RecordedEvent]
) -> None:
    """A desk left open after a failed pull: its next sync finds nothing new and still
    rebuilds (without waiting for the desk to be opened again)."""
    township = _township(tmp_path / "township")
    try:
        for page in _pages(village_events, 4)[:2]:
            township.apply_pull_page(page)
        township._held = None  # as a failed page leaves it
        township.apply_pull_page(PullResponse(events=[], next_cursor=8, has_more=False))
        assert _behind(township) is None
        assert _cases(township) == _as_one_page(tmp_path, village_events[:8])
    finally:
        township.close()


def test_the_desk_opened_during_another_process_s_pull_leaves_the_repair_to_it(
    tmp_path: Path, village_events: list[RecordedEvent]
) -> None:
    township = _township(tmp_path / "township")
    try:
        for page in _pages(village_events, 4)[:2]:
            township.apply_pull_page(page)
        with sync_lock(tmp_path / "township"):  # the pull still running, elsewhere
            desk = StationStore.open(tmp_path / "township")
            assert _behind(desk) == "0"
            assert _cases(desk) == []
            desk.close()
        township.close()  # and then it dies
        after = StationStore.open(tmp_path / "township")
        assert _behind(after) is None
        assert _cases(after) == _as_one_page(tmp_path, village_events[:8])
        after.close()
    finally:
        township.close()


@pytest.mark.parametrize("size", [4, 100], ids=["held over pages", "one page"])
def test_a_pulled_case_is_stored_as_a_rebuild_from_its_rows_and_read_with_its_summaries(
    township: StationStore, village_events: list[RecordedEvent], size: int
) -> None:
    for page in _pages(village_events, size):
        township.apply_pull_page(page)  # the views advanced without their entries' summaries
    pulled = _cases(township)
    with township.engine.begin() as conn:  # each case folded anew from its rows, summaries too
        case_ids = [row.case_id for row in conn.execute(text("SELECT case_id FROM cases"))]
        projection.refold_many(conn, case_ids)
    assert _cases(township) == pulled  # the stored text is the same, byte for byte
    payloads = {event.id: event.payload for event in village_events}
    for case in township.list_cases():
        history = township.case_history(case.case_id)
        assert history[0].kind is EventKind.created and history[-1].kind is EventKind.submitted
        for entry in history:
            assert entry.summary == entry_summary(payloads[entry.event_id])
        assert history[0].summary["applicant"] == case.applicant_name
