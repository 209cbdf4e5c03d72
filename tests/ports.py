"""Loopback ports for the servers tests start, never two alike across pytest-xdist workers.

Asking the kernel for a free port (bind to port 0, close, hand the number on) races: in
the second before the server binds it, another worker may be handed the same number,
start its own centre there, and a test then talks to the wrong centre (seen in CI: a
station's enrollment answered 403 "code unknown" by another worker's centre). Each
worker takes its ports from a range of its own instead, below the kernel's ephemeral
range (32768 and up on Linux), so neither another worker nor an outgoing connection is
handed one; a port still held (a server of an earlier run) is skipped.
"""

from __future__ import annotations

import itertools
import os
import socket

BASE = 20_000
PER_WORKER = 600
"""Ports per worker: 20 workers fit below 32768."""

_next = itertools.count()


def _worker() -> int:
    """This xdist worker's number (``gw3`` → 3), 0 without xdist."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(name.removeprefix("gw") or 0)


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    """A loopback port no other worker of this run is handed, and free just now."""
    first = BASE + (_worker() % 20) * PER_WORKER
    for _ in range(PER_WORKER):
        port = first + next(_next) % PER_WORKER
        if _bindable(port):
            return port
    raise RuntimeError(f"no free port in {first}..{first + PER_WORKER - 1}")
