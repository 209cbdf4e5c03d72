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

SMALL_VILLAGE = "640522100203"
PUSH_PATH = "/push"


class RecordingTransport(httpx.HTTPTransport):
    """The real transport; keeps each push request's headers and body as sent."""

    def __init__(self) -> None:
        super().__init__()
        self.pushes: list[tuple[list[tuple[bytes, bytes]], bytes]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; a push is recorded first."""
        if request.url.path.endswith(PUSH_PATH):
            headers = [
                (name.lower(), value)
                for name, value in request.headers.raw
                if name.lower() not in (b"host", b"content-length")
            ]
            self.pushes.append((headers, request.read()))
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
        enrolled(central, "township", TOWNSHIP, "township") as township,
    ):
        take_in(village.store, 1, cases, village.agent_id)
        take_in(small.store, 900_000, 3, small.agent_id)
        _copy_dir(central.central_dir, work / "central")
        _copy_dir(township.store.data_dir, work / "township")
        pushes = {}
        for name, station in (("bulk", village), ("small", small)):
            identity = station.store.require_identity()
            transport = RecordingTransport()
            with CentralClient(identity.central_url, identity.token, transport=transport) as c:
                run_sync(station.store, c, software_version=software_version())
            pushes[name] = transport.pushes
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


async def _asgi_post(app: Any, path: str, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """POST ``body`` straight into the ASGI app; the answer's status (its body is read)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
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
    """Apply the recorded pushes to a copy of the centre, counting ``which`` of them."""
    from central.app import create_app
    from central.settings import CentralSettings
    from sync.protocol import API_PREFIX

    pushes = pickle.loads((work / "pushes.pkl").read_bytes())
    data = Path(tempfile.mkdtemp(prefix="daiban-bench-instr-"))
    try:
        _copy_dir(work / "central", data / "central")
        app = create_app(CentralSettings(data_dir=data / "central"))
        path = f"{API_PREFIX}{PUSH_PATH}"

        async def push_all(name: str) -> None:
            for headers, body in pushes[name]:
                status = await _asgi_post(app, path, headers, body)
                if status != 200:
                    raise SystemExit(f"a recorded push was answered {status}")

        async def apply() -> None:  # one event loop: the app's queues belong to it
            if which == "bulk":
                with counting():
                    await push_all("bulk")
                return
            await push_all("bulk")
            with counting():
                await push_all("small")

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


def _events(pushes: list[tuple[Any, bytes]]) -> int:
    return sum(len(json.loads(gzip.decompress(body))["events"]) for _, body in pushes)


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
