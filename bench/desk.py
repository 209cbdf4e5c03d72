"""Desk benchmark: ``python -m bench.desk --cases 100000``.

A station in a temporary data directory is filled with N cases written the way
the desk writes them (the ``created`` + ``received`` events of a real
``CaseService`` intake, names and ID numbers varied, one transaction per 1,000
cases), then the real desk (``make_app``) is driven headless with Textual's
Pilot. Prints ``name=value`` lines:

- ``seed_s``: writing the N cases;
- ``cold_start_s``: a fresh interpreter importing the desk, opening the store and
  showing the login screen (median of 3 subprocess runs);
- ``open_case_list_ms``: from the key on the home screen to the first page of the
  case list in its table (the list reads one page and a count, never everything);
- ``search_key_ms_median`` / ``search_key_ms_p99``: typing a name into the case
  search, key by key: from each change of the search box to that query's page
  being in the table (the worker's read plus filling the table);
- ``save_draft_ms_median`` / ``save_draft_ms_p99``: ``store.save_draft`` (one durable
  commit), 300 saves of a growing take-in draft.

Targets (not assertions): case list < 300 ms, a keystroke < 100 ms, a save < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "秀英桂兰玉珍凤芳建国明华福海军兵强伟志勇丽霞平刚德成文武忠义春梅兰云"
DAY = date(2026, 11, 23)


def p99(values: list[float]) -> float:
    """The 99th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def seed(data_dir: Path, cases: int) -> tuple[float, str]:
    """Fill a fresh station with ``cases`` cases; returns (seconds, a name that exists)."""
    from station.services.cases import CaseService
    from tests.station.cases_seed import AGENT, allowance
    from tests.station.conftest import seed_station, shipped_catalog

    store = seed_station(data_dir)
    template = CaseService(store, shipped_catalog(), AGENT).intake_events(allowance(), today=DAY)
    rng = random.Random(7)
    started = time.perf_counter()
    name = ""
    for first in range(0, cases, 1000):
        batch = []
        for _ in range(min(1000, cases - first)):
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2))
            number = f"640522{rng.randint(1930, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 9999):04d}"
            batch.append([_varied(event, name, number) for event in template])
        store.create_cases(batch, DAY)
    elapsed = time.perf_counter() - started
    store.close()
    return elapsed, name


def _varied(event: Any, name: str, id_number: str) -> Any:
    payload = dict(event.payload)
    if "applicant" in payload:
        payload["applicant"] = {**payload["applicant"], "name": name, "id_number": id_number}
    from sync.ids import new_id

    return dataclasses.replace(event, id=new_id(), payload=payload)


COLD = """
import asyncio, sys, time
t0 = float(sys.argv[2])
from pathlib import Path
from station.app import make_app
from station.config import load_settings
from station.screens.login import LoginScreen
async def main():
    app = make_app(load_settings(Path(sys.argv[1])))
    async with app.run_test(size=(80, 24)) as pilot:
        while not isinstance(app.screen, LoginScreen):
            await pilot.pause()
        print(time.time() - t0)
asyncio.run(main())
"""


def cold_start(data_dir: Path) -> float:
    """Median seconds from a new interpreter to the login screen."""
    runs = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", COLD, str(data_dir), repr(time.time())],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(runs)


async def drive(data_dir: Path, name: str) -> dict[str, float]:
    """Open the case list and search key by key in the real desk; time both."""
    from textual.widgets import DataTable, Input

    from station.app import make_app
    from station.config import load_settings
    from station.screens.cases import CasesScreen
    from tests.station.conftest import shipped_catalog
    from tests.station.helpers import log_in, settle

    shown: list[float] = []
    original = CasesScreen.on_cases_screen_loaded

    def timed(screen: CasesScreen, message: CasesScreen.Loaded) -> None:
        original(screen, message)
        shown.append(time.perf_counter())  # the page is in the table now

    CasesScreen.on_cases_screen_loaded = timed  # type: ignore[method-assign,assignment]
    app = make_app(load_settings(data_dir), catalog=shipped_catalog())
    figures: dict[str, float] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        started = time.perf_counter()
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen) and app.screen.query_one(DataTable).row_count
        figures["open_case_list_ms"] = (shown[0] - started) * 1000
        search = app.screen.query_one("#cases-search", Input)
        keys = []
        for length in range(1, len(name) + 1):
            shown.clear()
            started = time.perf_counter()
            search.value = name[:length]
            await settle(pilot)
            keys.append((shown[-1] - started) * 1000)
        figures["search_key_ms_median"] = statistics.median(keys)
        figures["search_key_ms_p99"] = p99(keys)
        figures["search_rows"] = app.screen.query_one(DataTable).row_count
    return figures


def save_latency(data_dir: Path, saves: int = 300) -> list[float]:
    """Milliseconds per ``save_draft`` of a draft growing like a take-in."""
    from station.store import StationStore

    store = StationStore.open(data_dir)
    data: dict[str, Any] = {"item_code": "640522-MZ-001", "applicant": {}, "fields": {}}
    timings = []
    for index in range(saves):
        data["fields"][f"f{index % 40}"] = "海原县海城镇山门村三组" * (1 + index % 3)
        started = time.perf_counter()
        store.save_draft("bench-draft", data)
        timings.append((time.perf_counter() - started) * 1000)
    store.delete_draft("bench-draft")
    store.close()
    return timings


def main() -> None:
    """Run the benchmark and print name=value lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="daiban-bench-desk-") as tmp:
        data_dir = Path(tmp) / "station"
        seeded, name = seed(data_dir, args.cases)
        print(f"cases={args.cases}")
        print(f"seed_s={seeded:.1f}")
        print(f"cold_start_s={cold_start(data_dir):.2f}")
        for key, value in asyncio.run(drive(data_dir, name)).items():
            print(f"{key}={value:.1f}")
        saves = save_latency(data_dir)
        print(f"save_draft_ms_median={statistics.median(saves):.2f}")
        print(f"save_draft_ms_p99={p99(saves):.2f}")


if __name__ == "__main__":
    main()
