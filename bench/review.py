"""Review desk benchmark: ``python -m bench.review --cases 2000``.

A township station in a temporary data directory is filled with N cases waiting
for its decision (已报送), written the way the desk writes them (the ``created`` +
``received`` events of a real ``CaseService`` intake, then ``submitted``; names,
ID numbers, villages and submission days varied; one transaction per 1,000
cases), then the real desk (``make_app``) is driven headless with Textual's Pilot
as a township reviewer. Prints ``name=value`` lines:

- ``queue_open_ms``: from pushing the review queue (审核台) to its first section
  being in the table (the worker's read of every open case, sorting, marks,
  duplicates, and filling the table);
- ``filter_ms_median`` / ``filter_ms_p99``: typing names into the queue's search key
  by key, and choosing each village in the village filter: from each change to the
  narrowed queue being in the table;
- ``keys_per_decision`` / ``decision_ms_median``: from the queue, one decided case:
  the keys pressed and the time until the queue shows again. The decision is an
  accept (open + the accept key + confirm) once the review page offers one; until
  then ``decision=open+back`` is measured (Enter, Esc).

Targets (not assertions): queue open <= 200 ms, filter <= 50 ms p99, <= 8 keys per accept.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.desk import GIVEN, SURNAMES, p99

DAY = date(2026, 11, 23)
""""Today" at the township (a Monday)."""
VILLAGES = ("山门村便民服务站", "李庄村便民服务站", "红星村便民服务站", "杨家湾村便民服务站")
DECISIONS = 20


def _submitted_at(rng: random.Random) -> datetime:
    """A submission 0 to 9 calendar days ago, in office hours (China), as UTC."""
    back = timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 7))
    return datetime(DAY.year, DAY.month, DAY.day, 1, tzinfo=UTC) - back


def seed(data_dir: Path, cases: int) -> tuple[float, list[str]]:
    """Fill a fresh township station with ``cases`` waiting cases.

    Returns:
        (seconds, some applicants' names that exist).
    """
    from station.services.cases import CaseService
    from station.store import NewEvent
    from sync.events import EventKind, Role
    from tests.station.cases_seed import AGENT, allowance
    from tests.station.conftest import shipped_catalog
    from tests.station.queue_seed import township_store

    store = township_store(data_dir)
    service = CaseService(store, shipped_catalog(), AGENT)
    template = service.intake_events(allowance(), today=DAY)
    rng = random.Random(7)
    names: list[str] = []
    started = time.perf_counter()
    for first in range(0, cases, 1000):
        batch = []
        for _ in range(min(1000, cases - first)):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2))
            number = _id_number(rng)
            village = rng.choice(VILLAGES)
            events = [_varied(event, name, number, village) for event in template]
            submitted = NewEvent(
                EventKind.submitted, AGENT.user_id, Role.agent, device_time=_submitted_at(rng)
            )
            batch.append([*events, submitted])
            names.append(name)
        store.create_cases(batch, DAY)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, names[:: max(1, len(names) // 12)][:12]


def _id_number(rng: random.Random) -> str:
    from tests.station.test_intake import id_number

    born = f"{rng.randint(1930, 1946)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return id_number(f"640522{born}{rng.randint(0, 999):03d}")


def _varied(event: Any, name: str, id_number: str, village: str) -> Any:
    from sync.ids import new_id

    payload = dict(event.payload)
    if "applicant" in payload:
        payload["applicant"] = {**payload["applicant"], "name": name, "id_number": id_number}
        payload["station_name"] = village
    return dataclasses.replace(event, id=new_id(), payload=payload)


class Timer:
    """When the queue last put a section into its table."""

    def __init__(self) -> None:
        self.shown: list[float] = []

    def install(self) -> None:
        """Wrap the queue's handler so each filled table is timed."""
        from station.screens.review_queue import ReviewQueueScreen

        original = ReviewQueueScreen.on_review_queue_screen_loaded
        shown = self.shown

        def timed(screen: ReviewQueueScreen, message: ReviewQueueScreen.Loaded) -> None:
            original(screen, message)
            shown.append(time.perf_counter())

        ReviewQueueScreen.on_review_queue_screen_loaded = timed  # type: ignore[method-assign]


async def drive(data_dir: Path, names: list[str]) -> dict[str, float | str]:
    """Open the queue, filter it, and decide cases from it in the real desk; time each."""
    from textual.widgets import DataTable, Input, Select

    from station.app import make_app
    from station.config import load_settings
    from station.screens.review_queue import ReviewQueueScreen
    from tests.station.conftest import shipped_catalog
    from tests.station.helpers import log_in
    from tests.station.queue_seed import at

    timer = Timer()
    timer.install()
    app = make_app(load_settings(data_dir), clock=lambda: at(DAY), catalog=shipped_catalog())
    figures: dict[str, float | str] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "wangfang")
        opens = []
        for _ in range(5):
            timer.shown.clear()
            started = time.perf_counter()
            await app.push_screen(ReviewQueueScreen(app.desk))
            await _settle(pilot)
            opens.append((timer.shown[0] - started) * 1000)
            if len(app.screen_stack) > 2:
                app.pop_screen()
                await _settle(pilot)
        figures["queue_open_ms"] = statistics.median(opens)
        screen = app.screen
        assert isinstance(screen, ReviewQueueScreen)
        figures["waiting"] = screen.data.count(screen.section) if screen.data else 0
        search = screen.query_one("#queue-search", Input)
        typed = []
        for name in names:
            for length in range(1, len(name) + 1):
                typed.append(await _timed_change(pilot, timer, search, name[:length]))
        await _timed_change(pilot, timer, search, "")
        village = screen.query_one("#queue-village", Select)
        chosen = [await _timed_change(pilot, timer, village, v) for v in [*VILLAGES, *VILLAGES]]
        await _timed_change(pilot, timer, village, Select.NULL)
        changes = typed + chosen
        figures["search_ms_p99"] = p99(typed)
        figures["village_filter_ms_p99"] = p99(chosen)
        figures["filter_ms_median"] = statistics.median(changes)
        figures["filter_ms_p99"] = p99(changes)
        figures["filter_samples"] = len(changes)
        screen.query_one(DataTable).focus()
        figures.update(await _decide(pilot, timer))
    return figures


async def _settle(pilot: Any) -> None:
    """Settle, when a closed screen's workers were cancelled on the way."""
    from textual.worker import WorkerCancelled

    from tests.station.helpers import settle

    for _ in range(5):
        try:
            await settle(pilot)
            return
        except WorkerCancelled:
            continue


async def _timed_change(pilot: Any, timer: Timer, widget: Any, value: Any) -> float:
    """Milliseconds from setting a search box's or filter's value to the queue shown."""
    timer.shown.clear()
    started = time.perf_counter()
    widget.value = value
    await _settle(pilot)
    return (timer.shown[-1] - started) * 1000


async def _decide(pilot: Any, timer: Timer) -> dict[str, float | str]:
    """Decide DECISIONS cases from the queue: accept if the review page can, else open + back."""
    settle = _settle
    app = pilot.app
    keys_used, times, how = [], [], "open+back"
    for _ in range(DECISIONS):
        queue = app.screen
        timer.shown.clear()
        started = time.perf_counter()
        keys = ["enter"]
        await pilot.press("enter")
        await settle(pilot)
        accept = _accept_key(app.screen)
        if accept is not None:
            how = "accept"
            keys += [accept, "enter"]
            await pilot.press(accept)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
        if app.screen is not queue:
            keys.append("escape")
            await pilot.press("escape")
            await settle(pilot)
        times.append(((timer.shown[-1] if timer.shown else time.perf_counter()) - started) * 1000)
        keys_used.append(len(keys))
    return {
        "decision": how,
        "keys_per_decision": statistics.mean(keys_used),
        "decision_ms_median": statistics.median(times),
    }


def _accept_key(screen: Any) -> str | None:
    """The key of the review page's accept (受理) action, once there is one."""
    for key, active in screen.active_bindings.items():
        if active.binding.action == "accept" and screen.check_action("accept", ()) is not False:
            return str(key)
    return None


def main() -> None:
    """Run the benchmark and print name=value lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="daiban-bench-review-") as tmp:
        data_dir = Path(tmp) / "township"
        seeded, names = seed(data_dir, args.cases)
        print(f"cases={args.cases}")
        print(f"seed_s={seeded:.1f}")
        for key, value in asyncio.run(drive(data_dir, names)).items():
            print(f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}")


if __name__ == "__main__":
    main()
