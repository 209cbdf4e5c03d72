"""Instructions, not seconds: ``python -m bench.instructions [--cases N]`` (needs valgrind).

The 2-core machines the benchmarks run on change speed twofold within an hour
(``bench.machine``), so a change that saves 5 % of the centre's CPU cannot be seen in
``bench.sync``'s microseconds. This benchmark counts the machine instructions the code
executes (valgrind's callgrind, ``Ir``), which do not depend on the machine's speed or
load: the same commit gives the same counts to within a fraction of a percent.

A real central and real stations record the work once (``daiban central serve`` on
loopback, the stations' real ``run_sync``): the push requests a village station sends
for N cases (batches of 200 events, gzip), the one push of a village that took 3 cases
in (9 events), the centre's database before either, and the pages a fresh township
pulls. Then, each in a process of its own under callgrind, with counting switched on
only around the work itself:

- the centre's app applies the recorded pushes (ASGI calls straight into the app: the
  middleware, the route, the group commit, the database; no HTTP server, no client);
- a fresh copy of the township's store applies the recorded pages, as ``run_sync`` does.

Prints ``name=value`` lines:

- ``push_instructions_per_event``: the centre, per event of the bulk pushes;
- ``push9_instructions``: the centre, for the one push of 9 events (a village's morning
  sync: its fixed costs);
- ``sync9_apart_instructions``: the centre, for that village's whole sync in three
  requests (hello, push, pull: ``sync9_apart_requests``), as before ``POST /sync``;
- ``sync9_at_once_instructions``: the centre, for another village's sync of 3 cases in
  one request (``POST /sync``: ``sync9_at_once_requests``); its ratio to the line above
  is what one request per sync saves;
- ``catchup_instructions_per_event``: the township's store, per event pulled (parsing the
  pages included);
- ``python``: the interpreter's version (the counts are its instructions).

Compare two commits by these figures; a ratio is the change's effect.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench._central import CentralRun
from bench.sync import TOWNSHIP, VILLAGE, emit, enrolled, take_in
from sync.protocol import API_PREFIX

SMALL_VILLAGE = "640522100203"
PUSH_PATH = "/push"
SYNC_PATH = "/sync"
AT_ONCE_VILLAGE = "640522100204"
WARM_VILLAGE = "640522100205"


Request = tuple[str, str, bytes, list[tuple[bytes, bytes]], bytes]
"""A recorded request: method, path (after the API prefix), query string, headers, body."""


class RecordingTransport(httpx.HTTPTransport):
    """The real transport; keeps each request's method, path, query, headers and body."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, recorded first."""
        headers = [
            (name.lower(), value)
            for name, value in request.headers.raw
            if name.lower() not in (b"host", b"content-length")
        ]
        path = request.url.path.rpartition(API_PREFIX)[2]
        self.requests.append((request.method, path, request.url.query, headers, request.read()))
        return super().handle_request(request)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the backup API, WAL included)."""
    with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(target)) as copy:
        live.backup(copy)


def _copy_dir(source: Path, target: Path) -> None:
    """A data directory: its SQLite databases through the backup API, the rest as files."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.db", "*.db-wal", "*.db-shm"))
    for database in source.glob("*.db"):
        _copy_sqlite(database, target / database.name)


def record(cases: int, work: Path) -> None:
    """Record the pushes, the centre before them and the township's pages into ``work``."""
    from station.services.syncing import software_version
    from sync.client import CentralClient
    from sync.engine import run_sync

    with (
        CentralRun("sqlite", 1) as central,
        enrolled(central, "village", VILLAGE, "village") as village,
        enrolled(central, "small", SMALL_VILLAGE, "village") as small,
        enrolled(central, "at_once", AT_ONCE_VILLAGE, "village") as at_once,
        enrolled(central, "warm", WARM_VILLAGE, "village") as warm,
        enrolled(central, "township", TOWNSHIP, "township") as township,
    ):
        take_in(village.store, 1, cases, village.agent_id)
        take_in(small.store, 900_000, 3, small.agent_id)
        take_in(at_once.store, 950_000, 3, at_once.agent_id)
        take_in(warm.store, 970_000, 3, warm.agent_id)
        _copy_dir(central.central_dir, work / "central")
        _copy_dir(township.store.data_dir, work / "township")
        pushes = {}
        # the bulk and the small village sync in three requests (hello, push, pull), as
        # every round before POST /sync counted them; the third village in one
        for name, station, one in (
            ("bulk", village, False),
            ("small", small, False),
            ("warm", warm, True),
            ("at_once", at_once, True),
        ):
            identity = station.store.require_identity()
            transport = RecordingTransport()
            with CentralClient(
                identity.central_url, identity.token, transport=transport, at_once=one
            ) as c:
                run_sync(station.store, c, software_version=software_version())
            pushes[name] = transport.requests
        (work / "pushes.pkl").write_bytes(pickle.dumps(pushes))
        identity = township.store.require_identity()
        pages = []
        with CentralClient(identity.central_url, identity.token) as client:
            cursor, own = township.store.pull_cursor(), township.store.own_seq_held()
            while True:
                page = client.pull(cursor, own_upto=own)
                pages.append(page.model_dump_json())
                if not page.has_more:
                    break
                cursor = page.next_cursor
        (work / "pages.json").write_text(json.dumps(pages))


@contextmanager
def counting() -> Iterator[None]:
    """Callgrind counts instructions only inside the block (when running under it)."""
    pid = str(os.getpid())
    subprocess.run(["callgrind_control", "-i", "on", pid], capture_output=True, check=False)
    try:
        yield
    finally:
        subprocess.run(["callgrind_control", "-i", "off", pid], capture_output=True, check=False)


async def _asgi(app: Any, request: Request) -> int:
    """Send a recorded request straight into the ASGI app; the answer's status (its body
    is read)."""
    method, route, query, headers, body = request
    path = f"{API_PREFIX}{route}"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers, (b"content-length", b"%d" % len(body))],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    status: list[int] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            await asyncio.Event().wait()  # no disconnect while the answer is made
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


def centre(work: Path, which: str) -> None:
    """Apply the recorded requests to a copy of the centre, counting ``which`` of them:
    ``bulk`` (the bulk village's pushes), ``small`` (the small village's push alone),
    ``small_sync`` (its hello, push and pull) or ``at_once`` (the third village's
    ``POST /sync``); the bulk village's pushes always go first."""
    from central.app import create_app
    from central.settings import CentralSettings

    recorded = pickle.loads((work / "pushes.pkl").read_bytes())
    data = Path(tempfile.mkdtemp(prefix="daiban-bench-instr-"))
    try:
        _copy_dir(work / "central", data / "central")
        app = create_app(CentralSettings(data_dir=data / "central"))

        async def send_all(requests: list[Request]) -> None:
            for request in requests:
                status = await _asgi(app, request)
                if status != 200:
                    raise SystemExit(f"a recorded {request[0]} {request[1]} was answered {status}")

        pushes = [r for r in recorded["bulk"] if r[1] == PUSH_PATH]
        # Before a whole sync is counted, every kind of request has run once (the bulk
        # village's hello and pulls, another village's POST /sync): what a route does
        # on its first call only (statements compiled, a group's thread started) is not
        # a sync's cost.
        warm_up = {"small_sync": recorded["bulk"], "at_once": recorded["bulk"] + recorded["warm"]}
        counted_part = {
            "bulk": [],
            "small": [r for r in recorded["small"] if r[1] == PUSH_PATH],
            "small_sync": recorded["small"],
            "at_once": recorded["at_once"],
        }[which]

        async def apply() -> None:  # one event loop: the app's queues belong to it
            if which == "bulk":
                with counting():
                    await send_all(pushes)
                return
            await send_all(warm_up.get(which, pushes))
            with counting():
                await send_all(counted_part)

        asyncio.run(apply())
    finally:
        shutil.rmtree(data, ignore_errors=True)


def township(work: Path) -> None:
    """Apply the recorded pages to a fresh copy of the township's store, counted."""
    from station.store import StationStore
    from sync.protocol import PullResponse

    pages = json.loads((work / "pages.json").read_text())
    data = Path(tempfile.mkdtemp(prefix="daiban-bench-instr-"))
    try:
        _copy_dir(work / "township", data / "township")
        store = StationStore.open(data / "township")
        try:
            gc.disable()  # as run_sync pulls (sync.engine: the collector paused)
            with counting():
                for text in pages:
                    store.apply_pull_page(PullResponse.model_validate_json(text))
        finally:
            store.close()
    finally:
        shutil.rmtree(data, ignore_errors=True)


def counted(work: Path, role: str, *args: str) -> int:
    """Run ``role`` in a process under callgrind; the instructions it counted."""
    out = work / f"callgrind.{role}.{'.'.join(args) or 'all'}"
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out}",
        sys.executable,
        "-m",
        "bench.instructions",
        "--role",
        role,
        "--work",
        str(work),
        *args,
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict layouts every run
    subprocess.run(command, check=True, capture_output=True, env=environment)
    for line in out.read_text().splitlines():
        if line.startswith("totals:"):
            return int(line.split()[1])
    raise SystemExit(f"callgrind wrote no totals to {out}")


def _events(requests: list[Request]) -> int:
    """The events pushed by ``requests`` (in ``/push`` and ``/sync`` bodies)."""
    bodies = [r[4] for r in requests if r[1] in (PUSH_PATH, SYNC_PATH)]
    return sum(len(json.loads(gzip.decompress(body))["events"]) for body in bodies)


def run(cases: int) -> None:
    """Record, then count each part in its own process under callgrind."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("bench.instructions needs valgrind (apt install valgrind)")
    emit("cases", cases)
    emit("python", sys.version.split()[0])
    work = Path(tempfile.mkdtemp(prefix="daiban-bench-instr-"))
    try:
        record(cases, work)
        pushes = pickle.loads((work / "pushes.pkl").read_bytes())
        bulk_events, small_events = _events(pushes["bulk"]), _events(pushes["small"])
        pages = json.loads((work / "pages.json").read_text())
        pulled = sum(len(json.loads(text)["events"]) for text in pages)
        emit("push_events", bulk_events)
        emit("push_instructions_per_event", counted(work, "centre", "bulk") // bulk_events)
        emit("push9_events", small_events)
        emit("push9_instructions", counted(work, "centre", "small"))
        emit("sync9_apart_requests", len(pushes["small"]))
        emit("sync9_apart_instructions", counted(work, "centre", "small_sync"))
        emit("sync9_at_once_events", _events(pushes["at_once"]))
        emit("sync9_at_once_requests", len(pushes["at_once"]))
        emit("sync9_at_once_instructions", counted(work, "centre", "at_once"))
        emit("catchup_events", pulled)
        emit("catchup_instructions_per_event", counted(work, "township") // pulled)
    finally:
        shutil.rmtree(work, ignore_errors=True)


ROLES: dict[str, Callable[..., None]] = {"centre": centre, "township": township}


def main(argv: list[str] | None = None) -> None:
    """Parse the options and run (``--role``: one counted part, under callgrind)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000, help="the village's cases")
    parser.add_argument("--role", choices=sorted(ROLES), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("part", nargs="?", default="", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.role:
        arguments = (options.part,) if options.part else ()
        ROLES[options.role](options.work, *arguments)
        return
    started = time.perf_counter()
    run(options.cases)
    emit("total_s", time.perf_counter() - started)


if __name__ == "__main__":
    main()
