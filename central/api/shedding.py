"""Load shedding: a request that waited too long for the centre is told to come back.

When more stations reconnect than the workers can answer within the station's own
timeout (30 s), the requests queue for the request threads; a request that finally
gets a thread after its station has given up is work for nobody (the station has
already retried, so the work is done twice). So the centre notes when each request
arrived (:class:`ArrivalMiddleware`) and, when a request reaches its database session
(:func:`check_waited`) later than ``queue_budget_s`` after arriving, answers 429 with
``Retry-After`` at once — cheap, before any database work — and the station waits it
out with jitter (``sync.client``), spreading the wave instead of repeating it. A pool
that has no connection to give within its timeout means the same: busy, not broken.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.responses import JSONResponse

from central.logging_setup import error_log

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

_now = time.monotonic
"""The clock of waits (a module name, so a test can hold it)."""

BUSY = "the centre is busy: try again after the time given in Retry-After"
_ARRIVED = "daiban_arrived"


class ArrivalMiddleware:
    """Notes when each HTTP request was whole (monotonic clock) in its scope's state.

    The moment is the arrival of its last body chunk (or of its head, without a body):
    a village's slow upload is the network's time, not a wait for the centre.
    """

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """Stamp the request (again when its body is complete) and pass it on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[_ARRIVED] = _now()

        async def stamped() -> Any:
            message = await receive()
            if message.get("type") == "http.request" and not message.get("more_body", False):
                state[_ARRIVED] = _now()
            return message

        await self.app(scope, stamped, send)


def busy(retry_after_s: int) -> HTTPException:
    """The 429 a station waits out (``Retry-After`` seconds, plus its own jitter)."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS, BUSY, headers={"Retry-After": str(retry_after_s)}
    )


def waited(request: Request) -> float:
    """Seconds since the request arrived (0 when it was not stamped)."""
    arrived = request.scope.get("state", {}).get(_ARRIVED)
    return _now() - arrived if arrived is not None else 0.0


def check_waited(request: Request, budget_s: float, retry_after_s: int) -> None:
    """Refuse (429) a request that waited longer than ``budget_s`` for a thread.

    Raises:
        HTTPException: 429 with ``Retry-After``.
    """
    if budget_s > 0 and waited(request) > budget_s:
        raise busy(retry_after_s)


def pool_exhausted_handler(
    retry_after_s: int,
) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """The handler for SQLAlchemy's pool timeout: 429 with ``Retry-After``, not a 500."""

    async def handle(request: Request, error: Exception) -> JSONResponse:
        # Seen by the operator, not only as a 429 among the shed ones: the pool ran dry.
        error_log.warning(
            "busy: no database connection within the pool's timeout for %s %s (%s)",
            request.method,
            request.url.path,
            error,
        )
        return JSONResponse(
            {"detail": BUSY},
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(retry_after_s)},
        )

    return handle
