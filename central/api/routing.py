"""Routes whose request session gives its connection back before the answer is serialised.

FastAPI runs a plain ``def`` route in a request thread, then validates its answer against
the response model in a *second* thread hop. The request's session (``deps.get_session``)
is closed only after that, on the event loop, so a route that read something kept its
pooled connection while waiting for another thread. In the 9 a.m. wave every request
thread could be waiting for a connection while every connection was held by a route
waiting for a thread: the worker answered nothing until the pool's timeout, then 429s.

:class:`ReleasingRoute` closes the sessions a plain route was given as soon as it
returns, in its own thread: exactly what the teardown would have done (a rollback of any
transaction left open), only before the answer is serialised. What the route returns is
loaded by then (sessions here do not expire on commit).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlmodel import Session


def _releasing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the signature through ``__wrapped__``
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            for value in kwargs.values():
                if isinstance(value, Session):
                    value.close()

    return run


class ReleasingRoute(APIRoute):
    """An ``APIRoute`` whose plain ``def`` endpoint closes its sessions when it returns."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        """Wrap ``endpoint`` unless it is a coroutine (which runs on the loop, no hop)."""
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = _releasing(endpoint)
        super().__init__(path, endpoint, **kwargs)
