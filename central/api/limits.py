"""Limits that no single request can break: body size, read time, inflated bundles.

``RequestLimitMiddleware`` wraps every request's ``receive``: it counts the body's
bytes as they stream (so a chunked body without ``Content-Length`` is held to the
same limit as one that declares it) and refuses with 413 past the route's limit,
and with 408 when the client stops sending in the middle of a body. The error is
an ``HTTPException``, so a route reading the body answers it like any refusal;
the middleware answers it itself when it is raised before any route runs (the
gzip middleware reads the body first).

``RequestTimeoutProtocol`` closes connections that never finish their request
line and headers (uvicorn only times out idle keep-alive connections).

``check_bundle_inflation`` bounds what a bundle may inflate to before any member
is read, so a small signed zip cannot fill memory.
"""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Awaitable, Callable, MutableMapping
from functools import cache
from typing import Any

from fastapi import HTTPException, status
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BUNDLE_BYTES = 256 * 1024 * 1024
"""Largest bundle uploaded over HTTP (a bigger one is imported at the county's desk)."""
BUNDLE_INFLATION_FLOOR = 16 * 1024 * 1024
"""Any bundle may hold this much once inflated, whatever its compressed size."""
BUNDLE_INFLATION_RATIO = 50
"""Beyond the floor, a bundle may inflate to this many times its own size (JSON lines
compress about tenfold; scans are stored, not compressed)."""
MAX_BUNDLE_INFLATED = 1024 * 1024 * 1024
"""No bundle inflates past this, whatever its size."""

TOO_LARGE = "the request body is larger than {limit} bytes"
TOO_SLOW = "the request body did not arrive in time (nothing for {seconds:g} s)"
BUNDLE_INFLATES = "the bundle would inflate to more than {limit} bytes; import it at the county"


class BodyRefused(HTTPException):
    """The body broke a limit: 413 (too large) or 408 (too slow)."""


def too_large(limit: int) -> BodyRefused:
    """The 413 refusal for a body past ``limit`` bytes."""
    return BodyRefused(status.HTTP_413_CONTENT_TOO_LARGE, TOO_LARGE.format(limit=limit))


class RequestLimitMiddleware:
    """Count every request body as it streams; 413 past the limit, 408 on a stall.

    Args:
        app: the wrapped ASGI app.
        max_bytes: the limit for JSON bodies (compressed bytes as sent).
        read_timeout: seconds a body may go without a byte arriving.
        stream_limits: path suffixes or infixes of raw-bytes routes and their limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        read_timeout: float,
        stream_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout = read_timeout
        self.stream_limits = stream_limits or {}

    def limit_for(self, path: str) -> int:
        """The body limit of ``path`` (the raw-bytes routes have their own)."""
        for marker, limit in self.stream_limits.items():
            if marker in path:
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(str(scope.get("path", "")))
        if declared_length(scope) > limit:
            await refuse(send, too_large(limit))
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, self._counting(receive, limit), tracking_send)
        except BodyRefused as error:
            if started:
                raise
            await refuse(send, error)

    def _counting(self, receive: Receive, limit: int) -> Receive:
        size = 0
        complete = False  # past the body, receive() only waits for a disconnect: no deadline
        timeout = self.read_timeout

        async def counted() -> Message:
            nonlocal size, complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout)
            except TimeoutError:
                raise BodyRefused(
                    status.HTTP_408_REQUEST_TIMEOUT, TOO_SLOW.format(seconds=timeout)
                ) from None
            size += len(message.get("body", b""))
            if size > limit:
                raise too_large(limit)
            complete = not message.get("more_body", False)
            return message

        return counted


def declared_length(scope: Scope) -> int:
    """The request's ``Content-Length`` (0 when absent or not a number)."""
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


async def refuse(send: Send, error: HTTPException) -> None:
    """Answer ``error`` as JSON ``{"detail": ...}`` and close the connection."""
    body = json.dumps({"detail": error.detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": error.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def check_bundle_inflation(data: bytes) -> None:
    """Refuse (413) a bundle whose members would inflate past the bound for its size.

    ``zipfile`` never reads a member past the size its directory declares, so
    checking the declared sizes before reading bounds the memory the import takes.
    A file that is not a zip passes: the import refuses it as damaged.

    Raises:
        BodyRefused: the members' declared sizes add up past the bound.
    """
    bound = min(MAX_BUNDLE_INFLATED, BUNDLE_INFLATION_FLOOR + BUNDLE_INFLATION_RATIO * len(data))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if inflated > bound:
        raise BodyRefused(status.HTTP_413_CONTENT_TOO_LARGE, BUNDLE_INFLATES.format(limit=bound))


@cache
def header_timeout() -> float:
    """Seconds a connection has to finish its headers: the central's ``read_timeout_seconds``.

    Read once per worker process from the same settings the app is built from
    (``daiban central serve`` puts the data directory in the environment).
    """
    from central.settings import CentralSettings

    return CentralSettings().read_timeout_seconds


class RequestTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that also closes a connection slow to send its headers.

    uvicorn arms no timer between a connection's opening (or a keep-alive
    connection's next request line) and the end of its headers, so a client
    that connects and sends nothing, or drips a header a minute, holds a
    connection for ever. Here it gets ``header_timeout()`` seconds, then a 408.
    """

    header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Arm the header timer as the connection opens."""
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        """Arm it again for each request of a keep-alive connection."""
        super().on_message_begin()
        if self.header_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        """The headers are in: from here the app's body timeout applies."""
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """Nothing to time out on a closed connection."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self.header_timer = self.loop.call_later(header_timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            self.transport.close()  # a pipelined request behind an answer still being sent
            return
        body = json.dumps({"detail": "the request headers did not arrive in time"}).encode()
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body
        )
        self.transport.close()
