"""A sync in one request (``POST /sync``) where it can, the old three where it cannot.

The hello, the outbox's first batch and the first page go together; what does not fit
goes as before (``/push`` batches, ``/pull`` pages). A lost answer is sent again and
answered as duplicates; a centre that predates the route is synced the old way.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from sync.engine import run_sync
from sync.errors import CentralUnreachable, SyncError
from sync.protocol import CASE_NUMBER_TAKEN, StationReport

from .fakes import AtOnceCentre, FakeCentre, FakeStore
from .test_engine import taken_in


@pytest.fixture
def store(tmp_path: Path) -> FakeStore:
    return FakeStore(tmp_path / "blobs")


def test_a_small_outbox_syncs_in_one_request(store: FakeStore) -> None:
    taken_in(store, 3)
    centre = AtOnceCentre()

    report = run_sync(store, centre, software_version="1.0")

    assert centre.requests == ["sync"]
    assert (report.pushed, report.applied, report.pending) == (6, 6, 0)
    assert store.outbox_depth() == 0
    # the page read after the push: the six come back, the cursor is past them
    assert (report.pulled, store.cursor) == (6, 6)
    assert centre.reports[-1].outbox_depth == 6  # the hello's report, before the push


def test_an_outbox_longer_than_a_batch_goes_on_with_pushes_and_pages(store: FakeStore) -> None:
    taken_in(store, 150)  # 300 events: 200 with the hello, then a push of 100
    centre = AtOnceCentre()

    report = run_sync(store, centre, software_version="1.0")

    assert centre.requests == ["sync", "push", "pull"]
    assert centre.batch_sizes == [200, 100]
    assert (report.pushed, report.applied, report.pending) == (300, 300, 0)
    # the first page (read after the first batch) brought 200, the next page the rest
    assert (report.pulled, store.cursor) == (300, 300)
    assert [e.central_seq for e in store.pulled] == list(range(1, 301))


def test_a_centre_without_the_route_is_synced_the_old_way(store: FakeStore) -> None:
    taken_in(store, 3)
    centre = AtOnceCentre(offers=False)

    report = run_sync(store, centre, software_version="1.0")

    assert centre.requests == ["hello", "push", "pull"]
    assert (report.pushed, report.applied, report.pulled, report.pending) == (6, 6, 6, 0)


def test_a_lost_answer_is_sent_again_and_answered_as_duplicates(store: FakeStore) -> None:
    taken_in(store, 2)
    centre = AtOnceCentre()
    centre.lose_answer_once = True  # applied at the centre, the answer lost on the way

    with pytest.raises(CentralUnreachable):
        run_sync(store, centre, software_version="1.0")
    assert (store.outbox_depth(), store.cursor, len(centre.log)) == (4, 0, 4)

    report = run_sync(store, centre, software_version="1.0")

    assert (report.duplicates, report.applied, report.pulled, report.pending) == (4, 0, 4, 0)
    assert len(centre.log) == 4  # held once
    assert centre.requests == ["sync", "sync"]


def test_a_schema_the_centre_refuses_stops_the_run_and_pushes_nothing(store: FakeStore) -> None:
    taken_in(store, 1)
    centre = AtOnceCentre(schema=(2, 3))

    with pytest.raises(SyncError, match="accepts event schema 2-3, this station writes 1"):
        run_sync(store, centre, software_version="1.0")

    assert centre.log == [] and store.reports[-1].pending == 2
    assert store.cursor == 0  # the page that came with it is not applied either


def test_a_batch_answered_in_part_goes_again_by_push(store: FakeStore) -> None:
    """The centre refuses one event; the rest is recorded, nothing is offered twice."""
    writers = taken_in(store, 2)
    refused = writers[1].case_id
    centre = AtOnceCentre()
    centre.refuse = lambda e: "wrong station" if e.case_id == refused else None

    report = run_sync(store, centre, software_version="1.0")

    assert (report.applied, report.rejected, report.pending) == (2, 2, 0)
    assert sorted(store.rejected.values()) == ["wrong station"] * 2
    assert centre.requests == ["sync"]


def test_the_old_fake_centre_still_syncs(store: FakeStore) -> None:
    """A client that cannot sync at once (no ``sync_at_once``) keeps the three requests."""
    taken_in(store, 1)
    report = run_sync(store, FakeCentre(), software_version="1.0")
    assert (report.pushed, report.pulled) == (2, 2)


def test_a_page_the_station_cannot_read_is_pulled_again_after_the_push_is_recorded(
    store: FakeStore,
) -> None:
    taken_in(store, 2)
    centre = AtOnceCentre(unreadable_page=True)

    report = run_sync(store, centre, software_version="1.0")

    assert centre.requests == ["sync", "pull"]
    assert (report.applied, report.pending, report.pulled) == (4, 0, 4)


class _Renumbering(FakeStore):
    """Gives a case a new number on its unsent events (as the station's store does)."""

    def renumber_case(self, case_id: UUID) -> str:
        number = "640522100201-20261201-0099"
        self.outbox = [
            e.model_copy(update={"case_number": number}) if e.case_id == case_id else e
            for e in self.outbox
        ]
        return number


def test_a_case_number_taken_in_the_first_batch_is_renumbered_and_pushed_again(
    tmp_path: Path,
) -> None:
    """A restored PC numbered a case again: refused with the hello's batch, renumbered,
    pushed again by /push; the page read before that is not used."""
    store = _Renumbering(tmp_path / "blobs")
    writers = taken_in(store, 2)
    store.outbox = [  # the second case has a number of its own
        e.model_copy(update={"case_number": "640522100201-20261123-0002"})
        if e.case_id == writers[1].case_id
        else e
        for e in store.outbox
    ]
    taken = next(e.case_number for e in store.outbox if e.case_id == writers[0].case_id)
    centre = AtOnceCentre()
    centre.refuse = lambda e: CASE_NUMBER_TAKEN if e.case_number == taken else None

    report = run_sync(store, centre, software_version="1.0")

    assert centre.requests == ["sync", "push", "pull"]
    assert (report.renumbered, report.applied, report.pending) == (1, 4, 0)
    assert {e.case_number for e in centre.log} >= {"640522100201-20261201-0099"}
    assert taken not in {e.case_number for e in centre.log}
    assert (report.pulled, store.cursor) == (4, 4)


def test_a_desk_reports_what_it_holds_after_a_push_and_not_after_an_idle_run(
    store: FakeStore,
) -> None:
    taken_in(store, 3)
    centre = AtOnceCentre()

    def describe() -> StationReport:
        return StationReport(outbox_depth=store.outbox_depth(), cases_held=3)

    run_sync(store, centre, software_version="1.0", describe=describe)
    run_sync(store, centre, software_version="1.0", describe=describe)  # nothing new

    assert centre.requests == ["sync", "hello", "sync"]
    assert [r.outbox_depth for r in centre.reports] == [6, 0, 0]
