"""Pure ASGI middleware: accept gzip-compressed request bodies.

The station's sync client sends JSON with ``Content-Encoding: gzip``. The body
is decompressed incrementally and refused with 413 past ``max_bytes`` (so a
small gzip bomb cannot fill memory), or 400 when it is not valid gzip.
The compressed bytes as sent are limited and timed by ``central.api.limits``.
Responses are compressed by Starlette's GZipMiddleware.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _BodyError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class GzipRequestMiddleware:
    """Decompress ``Content-Encoding: gzip`` request bodies before the app sees them."""

    def __init__(self, app: ASGIApp, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _is_gzip(scope):
            await self.app(scope, receive, send)
            return
        try:
            body = await self._inflate(receive)
        except _BodyError as error:
            await _refuse(send, error.status, error.detail)
            return
        headers = [
            (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, "headers": headers}, replay, send)

    async def _inflate(self, receive: Receive) -> bytes:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _BodyError(400, "client disconnected")
            more = bool(message.get("more_body", False))
            try:
                chunk = inflater.decompress(message.get("body", b""), self.max_bytes - size + 1)
            except zlib.error as exc:
                raise _BodyError(400, "the request body is not valid gzip") from exc
            size += len(chunk)
            if size > self.max_bytes or inflater.unconsumed_tail:
                raise _BodyError(413, f"the request body is larger than {self.max_bytes} bytes")
            parts.append(chunk)
        return b"".join(parts)


def _is_gzip(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-encoding":
            return bytes(value).strip().lower() == b"gzip"
    return False


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


RESPONSE_GZIP_LEVEL = 5
"""The stations' own level for what they send (``sync.client``). Starlette's default, 9,
cost the centre 7.2 ms of CPU for a township's pull page of 500 events (14.5 µs an event:
a quarter of the page's whole cost at the centre) for 37.5 KB; level 5 takes 2.9 ms for
40.3 KB (8 % more bytes, 40 % of the CPU)."""


class JsonGZipMiddleware:
    """Starlette's GZipMiddleware for everything but attachments (scans are not
    recompressed), at :data:`RESPONSE_GZIP_LEVEL`."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1024, skip_prefix: str = "") -> None:
        from starlette.middleware.gzip import GZipMiddleware

        self.app = app
        self.gzip = GZipMiddleware(
            app, minimum_size=minimum_size, compresslevel=RESPONSE_GZIP_LEVEL
        )
        self.skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.skip_prefix and str(scope.get("path", "")).startswith(self.skip_prefix):
            await self.app(scope, receive, send)
            return
        await self.gzip(scope, receive, send)
