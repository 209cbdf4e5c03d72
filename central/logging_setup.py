"""The centre's log: one JSON object a line, a request id on each, rotated, no ID numbers.

``<data_dir>/logs/central.log`` is rotated by size (:data:`MAX_BYTES`, :data:`BACKUPS`
kept). Every request gets an id (:class:`RequestIdMiddleware`): the caller's
``X-Request-ID`` when it is a sane token, else a fresh one; it is echoed in the
response and written on every line logged while the request runs, so a county's
operator can find a station's complaint in the log by the id the station shows.

Nothing a request carries in its body is logged; a traceback can quote data, so
every line passes through ``forms.privacy.mask_ids`` after it is formatted.
An unexpected error is logged here (masked) and answered 500 with the request id;
it is not re-raised, so no unmasked traceback reaches the server's own stderr.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forms.privacy import mask_ids

LOG_FILE = "central.log"
"""The log's name in ``<data_dir>/logs``."""
MAX_BYTES = 10 * 1024 * 1024
"""Rotate when the log reaches this size."""
BACKUPS = 5
"""Rotated files kept (``central.log.1`` ... ``.5``)."""
REQUEST_ID_HEADER = "X-Request-ID"
LOGGERS = ("central", "uvicorn.error")
"""Loggers whose records go to the file: the API's own and the server's."""
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_EXTRA_FIELDS = ("method", "path", "status", "duration_ms")

request_id: ContextVar[str] = ContextVar("daiban_request_id", default="-")
"""The id of the request being handled (``-`` outside a request)."""

access_log = logging.getLogger("central.access")
error_log = logging.getLogger("central.error")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line, ID numbers masked."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        entry.update({k: getattr(record, k) for k in _EXTRA_FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return mask_ids(json.dumps(entry, ensure_ascii=False, default=str))


class _RotatingFile(RotatingFileHandler):
    """``RotatingFileHandler`` that decides to roll over from the file's size alone.

    The standard handler formats every record twice (once to measure it) and stats
    the file twice per record; at 9 a.m. the access lines alone made that a tenth of
    the centre's CPU. Here a record goes to the file once formatted, and the file
    rolls over when it has reached ``maxBytes`` (so a file may end one line past it).
    """

    def shouldRollover(self, record: logging.LogRecord) -> int:  # noqa: N802 - the stdlib's name
        """Whether the file reached ``maxBytes``."""
        if self.stream is None:
            self.stream = self._open()
        return int(self.maxBytes > 0 and self.stream.tell() >= self.maxBytes)


def log_file(data_dir: Path) -> Path:
    """Where the centre logs: ``<data_dir>/logs/central.log``."""
    return data_dir / "logs" / LOG_FILE


def setup_logging(data_dir: Path) -> Path:
    """Send the centre's records to the rotated JSON log of ``data_dir`` (replacing an earlier one).

    Args:
        data_dir: the central's directory.

    Returns:
        The log file's path.
    """
    path = log_file(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = _RotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    handler.set_name("daiban-central-json")
    for name in LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == handler.get_name()]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
    logging.getLogger("central").setLevel(logging.INFO)
    path.chmod(0o600)
    return path


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _SANE_ID.fullmatch(text) else None
    return None


class RequestIdMiddleware:
    """Give every HTTP request an id, echo it, log one access line, contain unexpected errors."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with its id set; log it when it ends."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _incoming_id(scope) or uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        state = {"status": 500, "sent": False}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["sent"] = message["status"], True
                MutableHeaders(scope=message).append(REQUEST_ID_HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            error_log.exception("unexpected error while answering a request")
            if not state["sent"]:
                await _answer_500(send_with_id)
        finally:
            _log_access(scope, int(state["status"]), started)
            request_id.reset(token)


async def _answer_500(send: Send) -> None:
    body = json.dumps({"detail": "internal error", "request_id": request_id.get()}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _log_access(scope: Scope, status: int, started: float) -> None:
    """One line per request: method, path (never the query or the body), status, duration."""
    access_log.info(
        "request",
        extra={
            "method": scope.get("method", ""),
            "path": scope.get("path", ""),
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
