"""A sync in one request (``POST /sync``) where it can, the old three where it cannot.

The hello, the outbox's first batch and the first page go together; what does not fit
goes as before (``/push`` batches, ``/pull`` pages). A lost answer is sent again and
answered as duplicates; a centre that predates the route is synced the old way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pytest

from sync.engine import run_sync
from sync.errors import CentralUnreachable, SyncError
from sync.protocol import CASE_NUMBER_TAKEN, CatalogInfo, StationReport

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
    # the centre recorded the outbox as the push, applied in the same request, left it
    assert (centre.reports[-1].outbox_depth, centre.reports[-1].oldest_unsent) == (0, None)


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

    # the first hello said what the settled push left (nothing): no hello after it
    assert centre.requests == ["sync", "sync"]
    assert [r.outbox_depth for r in centre.reports] == [0, 0]


def _describing(store: FakeStore) -> Callable[[], StationReport]:
    def describe() -> StationReport:
        depth = store.outbox_depth()
        return StationReport(outbox_depth=depth, oldest_unsent=OLDEST if depth else None)

    return describe


OLDEST = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_an_outbox_longer_than_the_first_batch_is_reported_as_it_is_then_as_it_is_left(
    store: FakeStore,
) -> None:
    taken_in(store, 150)  # 300 events: the hello's batch is 200 of them
    centre = AtOnceCentre()

    run_sync(store, centre, software_version="1.0", describe=_describing(store))

    assert centre.requests == ["sync", "push", "pull", "hello"]
    assert [(r.outbox_depth, r.oldest_unsent) for r in centre.reports] == [
        (300, OLDEST),
        (0, None),
    ]


def test_a_batch_the_centre_leaves_unsettled_keeps_the_report_as_sent(store: FakeStore) -> None:
    """The centre did not settle the whole outbox it was sent: it holds the station's
    report as sent (4 unsent); the event left unanswered goes once more in the same run
    (a push), and the run's last hello says the outbox is empty."""
    taken_in(store, 2)
    centre = AtOnceCentre()
    centre.answer_only = 3  # one of the four events comes back without a result

    report = run_sync(store, centre, software_version="1.0", describe=_describing(store))

    assert report.pending == 0 and len(centre.log) == 4 and report.error is None
    assert [r.outbox_depth for r in centre.reports] == [4, 0]
    assert (report.applied, report.duplicates) == (3, 1)
    assert centre.requests == ["sync", "push", "pull", "hello"]


def test_a_lost_answer_leaves_the_outbox_to_be_reported_again(store: FakeStore) -> None:
    """The centre recorded "empty" and applied the push, but the answer was lost: the
    station sends it all again; the duplicates settle it, as the hello said."""
    taken_in(store, 2)
    centre = AtOnceCentre()
    centre.lose_answer_once = True

    with pytest.raises(CentralUnreachable):
        run_sync(store, centre, software_version="1.0", describe=_describing(store))
    report = run_sync(store, centre, software_version="1.0", describe=_describing(store))

    assert (report.duplicates, report.pending) == (4, 0)
    assert centre.requests == ["sync", "sync"]
    assert [r.outbox_depth for r in centre.reports] == [0, 0]


@pytest.mark.parametrize("schema", [(1, 1), (2, 3)])
def test_a_push_that_fails_or_is_refused_leaves_the_report_as_sent(
    store: FakeStore, schema: tuple[int, int]
) -> None:
    """The county must not read an outbox emptied by a push that did not go: a push that
    fails at the centre, or a schema it does not accept, leaves the true report, run
    after run, until the push goes."""
    taken_in(store, 2)
    centre = AtOnceCentre(schema=schema)
    centre.fail_push_once = schema == (1, 1)

    with pytest.raises(SyncError):
        run_sync(store, centre, software_version="1.0", describe=_describing(store))

    assert [(r.outbox_depth, r.oldest_unsent) for r in centre.reports] == [(4, OLDEST)]
    assert store.outbox_depth() == 4 and centre.log == []


def test_a_centre_that_does_not_record_the_outbox_as_left_is_told_at_the_end(
    store: FakeStore,
) -> None:
    """A centre that predates ``whole_outbox`` records the report as sent and says nothing
    of it: the run's last hello tells what the push left."""
    taken_in(store, 2)
    centre = AtOnceCentre(settles=False)

    run_sync(store, centre, software_version="1.0", describe=_describing(store))

    assert centre.requests == ["sync", "hello"]
    assert [r.outbox_depth for r in centre.reports] == [4, 0]


@pytest.mark.parametrize(("offers", "first"), [(True, "sync"), (False, "hello")])
def test_the_hello_answer_reaches_the_caller_before_any_other_request(
    store: FakeStore, offers: bool, first: str
) -> None:
    """A token the centre rotated in the hello (of ``POST /sync`` or ``/hello``) reaches the
    caller (the desk saves it and uses it) before the run sends anything else."""
    taken_in(store, 150)  # more than a batch: pushes and pages follow the first request
    centre = AtOnceCentre(offers=offers)
    seen: list[list[str]] = []

    run_sync(
        store, centre, software_version="1.0", on_hello=lambda a: seen.append(list(centre.requests))
    )

    assert seen == [[first]] and len(centre.requests) > 1


def test_the_last_page_tells_the_report_the_catalog_and_the_loops_stamp(store: FakeStore) -> None:
    taken_in(store, 1)
    centre = AtOnceCentre()
    centre.catalog = CatalogInfo(number=3, version="2026.12.1", sha256="ab" * 32)
    centre.loops_seq = 17

    report = run_sync(store, centre, software_version="1.0")

    assert (report.catalog, report.loops_seq) == (centre.catalog, 17)
    assert run_sync(store, AtOnceCentre(), software_version="1.0").catalog is None  # not said


def test_a_backlog_left_after_the_sync_goes_in_bulk_batches(store: FakeStore) -> None:
    """The first 200 went with ``POST /sync``: what is left is a backlog, sent 1,000 at a
    time (it went 200 more first, a request's fixed cost for nothing)."""
    taken_in(store, 700)  # 1,400 events: 200 with the sync, then 1,000 and 200

    report = run_sync(store, centre := AtOnceCentre(), software_version="1.0")

    assert centre.batch_sizes == [200, 1000, 200]
    assert (report.pushed, report.applied, report.pending) == (1400, 1400, 0)
    assert store.outbox_depth() == 0
