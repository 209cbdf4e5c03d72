"""A real central on loopback for the benchmarks, and a wire-byte counter.

The same approach as the end-to-end tests (``tests/e2e/conftest.py``): the
central is set up in a temporary data directory (``daiban central init``'s
code, in-process), then served by ``daiban central serve`` in a subprocess
(uvicorn with uvloop and httptools) on a free port. PostgreSQL comes from
``tests.pgcluster.start_cluster()``. ``CentralRun`` is a context manager that
stops every process and removes every directory it made, also on Ctrl-C.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any
from unittest import mock

import httpx

DAIBAN = Path(sys.executable).parent / "daiban"
BENCH_PASSWORD = "bench-password"
START_DEADLINE_S = 60.0
STOP_DEADLINE_S = 10.0


@cache
def _password_hash(password: str) -> str:
    from central.services.accounts import hash_password

    return hash_password(password)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _Interrupts:
    """Ctrl-C, SIGTERM and SIGHUP as KeyboardInterrupt, held back while something
    is being started or stopped (so no process is left without an owner)."""

    def __init__(self) -> None:
        self.holding = False
        self.pending = False
        self._old: dict[int, Any] = {}

    def install(self) -> None:
        for signum in STOP_SIGNALS:
            self._old[signum] = signal.signal(signum, self._handle)

    def restore(self) -> None:
        for signum, handler in self._old.items():
            signal.signal(signum, handler)
        self._old.clear()

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        if self.holding:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold interrupts back inside; one that came meanwhile is raised at the end."""
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


class CentralRun:
    """A temporary workspace with a central serving on loopback.

    Use as a context manager; on exit (normal, error or Ctrl-C/SIGTERM) the
    server's process group is terminated, the PostgreSQL cluster stopped and
    the temporary directory removed.
    """

    def __init__(self, db: str = "sqlite", workers: int = 1, *, durable: bool = False) -> None:
        self.db = db
        self.workers = workers
        self.durable = durable
        """PostgreSQL with fsync on (default off: figures of the code, not of the disk)."""
        self.root = Path(tempfile.mkdtemp(prefix="daiban-bench-"))
        self.url = ""
        self.db_url: str | None = None
        self._cluster: Any = None
        self._process: subprocess.Popen[bytes] | None = None
        self._old_home = os.environ.get("DAIBAN_HOME")
        self._interrupts = _Interrupts()
        self._admin: Any = None

    @property
    def central_dir(self) -> Path:
        """The central's own directory (``<root>/central``, as the CLI uses it)."""
        return self.root / "central"

    def __enter__(self) -> CentralRun:
        # Nothing may land in the real user data directory.
        os.environ["DAIBAN_HOME"] = str(self.root)
        self._interrupts.install()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def _start(self) -> None:
        from central.bootstrap import init_central

        if self.db == "postgres":
            from tests.pgcluster import start_cluster

            with self._interrupts.held():
                self._cluster = start_cluster(durable=self.durable)
            self.db_url = self._cluster.create_database("daiban_bench")
        init_central(self.central_dir, self.db_url)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [
            str(DAIBAN),
            "central",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(self.workers),
            "--data-dir",
            str(self.root),
        ]
        if self.db_url:
            command += ["--db", self.db_url]
        log = (self.root / "central.log").open("wb")
        with log, self._interrupts.held():
            # Its own process group: Ctrl-C reaches only us, and we stop the
            # server and all its workers together in close().
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"central exited: {self.log_text()}")
            try:
                # Without a token the centre answers 401: it is up and routing.
                if httpx.post(f"{self.url}/api/v1/hello", timeout=1.0).status_code == 401:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # polling a subprocess with a deadline
        raise RuntimeError(f"central did not answer within {START_DEADLINE_S} s")

    def log_text(self) -> str:
        """What the server wrote so far."""
        path = self.root / "central.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @contextmanager
    def admin_session(self) -> Iterator[Any]:
        """A session on the central's database for setting up (enrollment codes, accounts).

        Nested uses share the outermost one: opening one migrates and prepares the database,
        which a storm's thousands of set-up calls should pay once, not each time.
        """
        if self._admin is not None:
            yield self._admin
            return
        from central.bootstrap import load_settings, open_session

        with open_session(load_settings(self.central_dir, self.db_url)) as session:
            self._admin = session
            try:
                yield session
            finally:
                self._admin = None

    def enrollment_code(self, division: str, name: str, role: str) -> str:
        """A one-time code, issued as ``daiban central enroll`` does."""
        from central.services.stations import enroll_code

        with self.admin_session() as session:
            return enroll_code(
                session=session, division=division, name=name, role=role, ttl_minutes=60
            )

    def agent_account(self, division: str) -> str:
        """The id of the village's 代办员 account (made the first time): the centre refuses
        events by anyone who is not one of its accounts.

        Every bench account has the same password, so its argon2 hash is computed once
        (a valid hash of that password, salted once): set-up, not what is measured.
        """
        from sqlmodel import select

        from central.models import User
        from central.services import accounts

        username = f"bench-agent-{division}"
        with self.admin_session() as session:
            held = session.exec(select(User).where(User.username == username)).first()
            if held is not None:
                return str(held.id)
            hashed = _password_hash(BENCH_PASSWORD)
            with mock.patch.object(accounts, "hash_password", lambda _password: hashed):
                user = accounts.create_user(
                    session=session, username=username, display_name="代办员", role="agent",
                    division=division, password=BENCH_PASSWORD,
                )  # fmt: skip
            return str(user.id)

    def server_cpu(self) -> float:
        """CPU seconds used so far by the server's processes (uvicorn and its workers)."""
        return (
            0.0 if self._process is None else cpu_seconds(lambda st: st.pgrp == self._process_group)
        )

    def db_cpu(self) -> float:
        """CPU seconds used so far by PostgreSQL (postmaster and backends); 0 on SQLite."""
        if self._cluster is None:
            return 0.0
        pid_file = Path(self._cluster.base) / "data" / "postmaster.pid"
        try:
            postmaster = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0.0
        # A backend that exited meanwhile (its connection closed) no longer shows on its own:
        # its CPU is in the postmaster's reaped-children time, counted with it.
        return sum(
            stat.cpu + (stat.children_cpu if stat.pid == postmaster else 0.0)
            for stat in _proc_stats()
            if postmaster in (stat.pid, stat.ppid)
        )

    @property
    def _process_group(self) -> int:
        return self._process.pid if self._process is not None else -1

    def close(self) -> None:
        """Stop the server and the cluster, remove the workspace (idempotent).

        A second Ctrl-C while this runs is ignored: cleaning up comes first.
        """
        self._interrupts.holding = True
        try:
            self._stop_server()
        finally:
            try:
                if self._cluster is not None:
                    self._cluster.stop()
                    self._cluster = None
            finally:
                shutil.rmtree(self.root, ignore_errors=True)
                if self._old_home is None:
                    os.environ.pop("DAIBAN_HOME", None)
                else:
                    os.environ["DAIBAN_HOME"] = self._old_home
                self._interrupts.restore()
                self._interrupts.holding = False
                self._interrupts.pending = False

    def _stop_server(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        group = process.pid  # start_new_session: the group id is the server's pid
        try:
            os.killpg(group, signal.SIGTERM)
            process.wait(timeout=STOP_DEADLINE_S)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass
        try:  # uvicorn workers left behind by a hard stop
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass


@dataclass(frozen=True)
class ProcStat:
    """The fields of ``/proc/<pid>/stat`` the CPU accounting needs."""

    pid: int
    ppid: int
    pgrp: int
    cpu: float
    """utime + stime, seconds."""
    children_cpu: float = 0.0
    """cutime + cstime: the CPU of its children that exited and were waited for, seconds."""


def _proc_stats() -> Iterator[ProcStat]:
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = raw[raw.rindex(")") + 2 :].split()
        # after "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt
        # majflt cmajflt utime stime cutime cstime ...
        yield ProcStat(
            pid=int(entry.name),
            ppid=int(fields[1]),
            pgrp=int(fields[2]),
            cpu=(int(fields[11]) + int(fields[12])) / tick,
            children_cpu=(int(fields[13]) + int(fields[14])) / tick,
        )


def cpu_seconds(wanted: Callable[[ProcStat], bool]) -> float:
    """CPU seconds of the live processes ``wanted`` picks (Linux ``/proc``; 0 elsewhere)."""
    if not Path("/proc/self/stat").exists():
        return 0.0
    return sum(stat.cpu for stat in _proc_stats() if wanted(stat))


@dataclass
class Tally:
    """Requests and bytes on the wire (request line, headers and body as sent)."""

    requests: int = 0
    sent: int = 0
    """Request bytes: request line, headers, body (compressed if it was)."""
    sent_body: int = 0
    received: int = 0
    """Response bytes: status line, headers, body (compressed if it was)."""

    def minus(self, other: Tally) -> Tally:
        """What happened since ``other`` was taken."""
        return Tally(
            self.requests - other.requests,
            self.sent - other.sent,
            self.sent_body - other.sent_body,
            self.received - other.received,
        )


def _head_bytes(first_line: str, headers: httpx.Headers) -> int:
    lines = sum(len(k) + len(v) + 4 for k, v in headers.raw)  # "k: v\r\n"
    return len(first_line.encode()) + 2 + lines + 2


class _CountingStream(httpx.SyncByteStream):
    def __init__(self, inner: Any, tally: Tally) -> None:
        self._inner = inner
        self._tally = tally

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            self._tally.received += len(chunk)
            yield chunk

    def close(self) -> None:
        self._inner.close()


@dataclass
class CountingTransport(httpx.BaseTransport):
    """Wraps the real HTTP transport and counts what crosses the wire.

    Bodies are counted as they are sent and received (compressed where they
    were); request and status lines and headers are counted as HTTP/1.1
    writes them.
    """

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    by_path: dict[str, Tally] = field(default_factory=dict)
    """Counts per endpoint: the last segment of the path (``push``, ``pull``, ``hello``...)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the real transport, counting both directions."""
        tally = self.by_path.setdefault(request.url.path.rstrip("/").rsplit("/")[-1], Tally())
        body = request.read()
        line = f"{request.method} {request.url.raw_path.decode()} HTTP/1.1"
        tally.requests += 1
        tally.sent += _head_bytes(line, request.headers) + len(body)
        tally.sent_body += len(body)
        response = self.inner.handle_request(request)
        status = f"HTTP/1.1 {response.status_code} {response.reason_phrase}"
        tally.received += _head_bytes(status, response.headers)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CountingStream(response.stream, tally),
            extensions=response.extensions,
        )

    def snapshot(self, path: str | None = None) -> Tally:
        """The counts so far, of one endpoint or all (subtract with ``Tally.minus``)."""
        tallies = [self.by_path.get(path, Tally())] if path else list(self.by_path.values())
        return Tally(
            sum(t.requests for t in tallies),
            sum(t.sent for t in tallies),
            sum(t.sent_body for t in tallies),
            sum(t.received for t in tallies),
        )

    def close(self) -> None:
        """Close the real transport."""
        self.inner.close()
