"""The app's group commit queues (one of each per worker process), made on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from central.services.group_commit import GroupCommit

Group = TypeVar("Group", bound=Sequence[Any])

_lock = threading.Lock()


def group_of(request: Request, name: str) -> GroupCommit[Any, Any]:
    """The app's group commit queue called ``name`` (``push``, ``hello``)."""
    state = request.app.state
    attribute = f"{name}_group"
    with _lock:
        if getattr(state, attribute, None) is None:
            setattr(state, attribute, GroupCommit())
    group: GroupCommit[Any, Any] = getattr(state, attribute)
    return group


def apart(
    bind: Engine | Connection, apply: Callable[[Session, Group], None]
) -> Callable[[Group], None]:
    """``apply(session, group)`` for a queue: each group in a session of its own on
    ``bind`` (a queue outlives the request that started it, and so its session)."""

    def run(group: Group) -> None:
        with Session(bind, expire_on_commit=False) as session:
            apply(session, group)

    return run
