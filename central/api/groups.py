"""The app's group commit queues (one of each per worker process), made on first use."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import Request

from central.services.group_commit import GroupCommit

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
