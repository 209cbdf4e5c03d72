"""Signing in for one command (``daiban case accept N --as USER``): the desk's gate, kept on disk.

The desk keeps its :class:`~station.services.auth.LoginGate` for as long as it
runs; a command lives for one attempt, so the gate's failure counts and locks
are kept in the station's data directory between commands. Five wrong
passwords in a row lock the username for everyone, desk rules, whether they
come from a person or a script.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from station.services.actors import account_actor
from station.services.application import ActionRefused, Actor
from station.services.auth import LoginGate
from station.store import StationStore

LOCK_FILE = "signin-locks.json"
"""Failure counts and locks of command-line sign-ins, in the station's data directory."""


def sign_in(
    store: StationStore,
    username: str,
    password: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Actor:
    """The actor ``username`` becomes once ``password`` is checked (argon2, lockout).

    Args:
        store: the station whose cached accounts are checked.
        username: the account's login name.
        password: as given (prompted, or ``DAIBAN_PASSWORD``).
        clock: now (tests fix it to cross the lock's end).

    Returns:
        The signed-in person as an actor (user id, role, name, phone).

    Raises:
        ActionRefused: wrong password, locked or disabled account; the message says which.
    """
    path = store.data_dir / LOCK_FILE
    gate = _load_gate(store, path, clock)
    result = gate.attempt(username, password)
    _save_gate(gate, path)
    if result.user is None:
        raise ActionRefused(result.error)
    return account_actor(store, result.user.username)


def _load_gate(store: StationStore, path: Path, clock: Callable[[], datetime]) -> LoginGate:
    gate = LoginGate(store, clock=clock)
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return gate
    gate.failures.update({str(k): int(v) for k, v in saved.get("failures", {}).items()})
    for username, until in saved.get("locked_until", {}).items():
        gate.locked_until[str(username)] = datetime.fromisoformat(until)
    return gate


def _save_gate(gate: LoginGate, path: Path) -> None:
    """Write the counts atomically (a crash leaves the old file or the new one)."""
    data = {
        "failures": gate.failures,
        "locked_until": {name: until.isoformat() for name, until in gate.locked_until.items()},
    }
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)
