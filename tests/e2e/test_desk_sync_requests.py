"""What a desk's sync sends to a real central: one request when nothing else moved.

Every desk syncs every 30 s (``station.services.desksync``), so what one idle sync sends
is a county's steady load, times its stations. It was a hello, ``POST /sync``, a hello
with what the station held after the push, ``GET /catalog`` and ``GET /loops/outcomes``:
now ``POST /sync`` alone, unless cases wait to be submitted (a hello first: they are
submitted once the centre has answered), the catalog changed or a 闭环 outcome moved.

The requests are counted on the wire by the real client's transport; the centre is a
real one on loopback (SQLite and PostgreSQL), and what the county is told is read back
from its reconciliation.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest

from station.services.cases import Actor, CaseService
from station.services.syncing import sync_now
from station.store import StationIdentity, StationStore
from sync.client import CentralClient
from sync.events import Role
from tests.e2e.conftest import Central, Station, id_number
from tests.e2e.test_catalog_publish import NEW_VERSION, county_catalog
from tests.station.cases_seed import allowance
from tests.station.conftest import shipped_catalog

pytestmark = pytest.mark.slow  # a real central on loopback


class Counting(httpx.HTTPTransport):
    """The real transport, noting each request's method and path, and whether Python's
    cycle collector was on when it went."""

    def __init__(self, seen: list[str], collecting: list[bool]) -> None:
        super().__init__()
        self.seen = seen
        self.collecting = collecting

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path.removeprefix('/api/v1')}")
        self.collecting.append(gc.isenabled())
        return super().handle_request(request)


@dataclass
class Desk:
    """A village desk's store, its agent, and the requests its syncs send."""

    store: StationStore
    station: Station
    seen: list[str] = field(default_factory=list)
    collecting: list[bool] = field(default_factory=list)

    def client(self, identity: StationIdentity) -> CentralClient:
        """The desk's client (``default_client``'s retries) on a counting transport."""
        return CentralClient(
            identity.central_url,
            identity.token,
            retries=3,
            transport=Counting(self.seen, self.collecting),
        )

    def sync(self) -> list[str]:
        """One sync as the desk runs it; the requests it sent.

        Every request goes with the cycle collector paused (in a desk a collection walks
        the whole app's heap: a fifth of a small sync's instructions), and it is on again
        afterwards."""
        self.seen.clear()
        self.collecting.clear()
        assert gc.isenabled()
        report = sync_now(self.store, client_factory=self.client)
        assert report.error is None
        assert self.collecting == [False] * len(self.seen), self.seen
        assert gc.isenabled()
        return list(self.seen)

    def agent(self) -> CaseService:
        actor = Actor(self.station.user_id, Role.agent, "马丽")
        return CaseService(self.store, shipped_catalog(), actor)

    def take_in(self, serial: int) -> str:
        elder = id_number(f"6405221940010100{serial}")  # 高龄津贴: 80 or older
        application = allowance(("马占福", "马占禄", "马占寿")[serial - 1], elder)
        return self.agent().take_in(application, today=date(2026, 11, 23)).case_number


@contextmanager
def _desk(station: Station) -> Iterator[Desk]:
    store = StationStore.open(station.data_dir)
    try:
        yield Desk(store, station)
    finally:
        store.close()


def test_an_idle_desk_sync_is_one_request_and_the_county_sees_what_it_holds(
    central: Central, village: Station
) -> None:
    with _desk(village) as desk:
        number = desk.take_in(1)
        first = desk.sync()  # a case waits to be submitted: a hello goes first
        assert first[:2] == ["POST /hello", "POST /sync"], first
        assert "GET /catalog" not in first and "GET /loops/outcomes" not in first, first
        held = desk.store.get_case(number)
        assert held is not None and held.state == "submitted"

        assert desk.sync() == ["POST /sync"]  # idle
        assert desk.sync() == ["POST /sync"]

        desk.take_in(2)
        assert desk.sync() == ["POST /hello", "POST /sync"]  # and no hello after the push

    county = central.reconcile()[village.station_id]
    assert (county["outbox_depth"], county["oldest_unsent"], county["cases_held"]) == (0, None, 2)
    assert (county["cases"], county["events"]) == (2, 6)


def test_a_desk_fetches_the_catalog_and_the_outcomes_only_when_they_moved(
    central: Central, village: Station, tmp_path: Path
) -> None:
    with _desk(village) as desk:
        desk.sync()
        assert desk.sync() == ["POST /sync"]

        folder, _before, _after = county_catalog(tmp_path / "county-catalog")
        central.cli("catalog", "publish", str(folder))
        # downloaded, then said at once: the county's list showed the old catalog for a
        # whole sync more (the run's report had gone before the download)
        assert desk.sync() == ["POST /sync", "GET /catalog/file", "POST /hello"]
        assert _reported_catalog(central, village).endswith(f":{NEW_VERSION}")
        assert desk.sync() == ["POST /sync"]  # the desk runs it now

        desk.agent().record_unresolved(
            what="补办出生医学证明", why="须出生医院签发，本站不能代办", contact="马秀兰"
        )
        # the 办不成事 goes with the sync; the county's 闭环 took it in: outcomes asked once
        assert desk.sync() == ["POST /sync", "GET /loops/outcomes"]
        assert desk.sync() == ["POST /sync"]


def _reported_catalog(central: Central, station: Station) -> str:
    """The catalog the county's station list shows for ``station``."""
    rows = central.cli("stations")["stations"]
    return str(next(r for r in rows if r["station"] == station.station_id)["catalog_version"])


class _DropsTheHello(Counting):
    """The wire goes down just after the catalog's download: the hello that would tell the
    county never arrives."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/hello") and any("/catalog/file" in s for s in self.seen):
            self.seen.append("lost POST /hello")
            raise httpx.ConnectError("network is unreachable", request=request)
        return super().handle_request(request)


def test_a_lost_report_of_the_new_catalog_fails_nothing_and_the_next_sync_says_it(
    central: Central, village: Station, tmp_path: Path
) -> None:
    if central.cli("catalog", "versions")["current"]["version"] != NEW_VERSION:
        folder, _before, _after = county_catalog(tmp_path / "county-catalog")
        central.cli("catalog", "publish", str(folder))  # (else an earlier test published it)
    with _desk(village) as desk:  # this PC's first sync takes the county's catalog
        seen: list[str] = []

        def dropping(identity: StationIdentity) -> CentralClient:
            return CentralClient(
                identity.central_url, identity.token, retries=1,
                transport=_DropsTheHello(seen, []),
            )  # fmt: skip

        report = sync_now(desk.store, client_factory=dropping)
        assert report.error is None and report.catalog_taken is not None
        assert report.catalog_taken.endswith(f":{NEW_VERSION}")  # in use here already
        assert "lost POST /hello" in seen
        assert not _reported_catalog(central, village).endswith(f":{NEW_VERSION}")  # not told
        assert desk.sync() == ["POST /sync"]  # the next sync says it, with no extra request
        assert _reported_catalog(central, village).endswith(f":{NEW_VERSION}")


class AnswerLost(httpx.HTTPTransport):
    """The real line to the real centre, the answer to ``POST /sync`` lost once after the
    centre did it (a weak line that went silent): what the desk's client then sees is a
    read timeout, as from a centre that never answers."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.lost = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url.path.removeprefix('/api/v1')}")
        response = super().handle_request(request)
        if request.url.path.endswith("/sync") and not self.lost:
            self.lost = True
            response.read()  # the centre answered (and committed): the answer goes nowhere
            raise httpx.ReadTimeout("timed out", request=request)
        return response


def test_a_sync_whose_answer_is_lost_is_not_sent_again_in_the_run_and_settles_next_time(
    central: Central, village: Station
) -> None:
    """The desk's client asks a silent centre once (``silence_once``): the run fails and
    says so; the next sync sends the same events, the centre answers them as duplicates,
    and the county holds each case once."""
    from station.services.syncing import default_client
    from sync.errors import CentralNoAnswer

    line = AnswerLost()
    with _desk(village) as desk:
        desk.sync()  # a replaced PC: the village's cases so far first (their numbers taken)
        numbers = [desk.take_in(1), desk.take_in(2)]
        with pytest.raises(CentralNoAnswer, match="did not answer"):
            sync_now(desk.store, client_factory=lambda i: default_client(i, line))
        assert line.seen == ["POST /hello", "POST /sync"]  # sent once, not three times
        assert desk.store.outbox_depth() == 6  # kept: the station never heard

        again = sync_now(desk.store, client_factory=lambda i: default_client(i, line))
        assert again.error is None
        assert (again.pushed, again.duplicates) == (6, 6)
        assert desk.store.outbox_depth() == 0
        for number in numbers:
            held = desk.store.get_case(number)
            assert held is not None and held.state == "submitted"

    county = central.reconcile()[village.station_id]
    assert (county["cases"], county["events"], county["duplicate_pushes"]) == (2, 6, 6)
