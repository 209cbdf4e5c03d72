"""Nothing one request can break, against a real central on loopback (``daiban central serve``).

Each test sends what a careless or hostile client might (a chunked body past
the limit, a body promised and never sent, a connection that never finishes
its headers, a small signed bundle that inflates to a huge one, a gzip bomb)
and expects a prompt 4xx with a reason: never a hang, never memory growth.
The central runs with a small body limit and a one-second read timeout, so
every refusal comes in about a second.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import os
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from central.api.limits import MAX_BUNDLE_BYTES
from sync.bundle import write_bundle
from sync.protocol import API_PREFIX, EnrollResponse
from tests.e2e.conftest import Central, running_central

LIMIT = 64 * 1024
"""The central's ``max_request_bytes`` in these tests."""
READ_TIMEOUT = 1.0
"""The central's ``read_timeout_seconds`` in these tests."""
PATIENCE = 15.0
"""How long a test waits for an answer before calling it a hang."""


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    """A central with a 64 KiB body limit and a one-second read timeout."""
    values = {
        "DAIBAN_CENTRAL_MAX_REQUEST_BYTES": str(LIMIT),
        "DAIBAN_CENTRAL_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT),
    }
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        with running_central(tmp_path_factory.mktemp("limited"), ()) as central:
            yield central
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def credential(limited: Central) -> EnrollResponse:
    """A village station enrolled with the limited central."""
    code = limited.enroll_code("640522100203", "限额测试站", "village")
    answer = httpx.post(f"{limited.url}{API_PREFIX}/enroll", json={"code": code}, timeout=PATIENCE)
    assert answer.status_code == 200, answer.text
    return EnrollResponse.model_validate(answer.json())


def _chunks(total: int, size: int = 8192) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b" " * part


def _raw(url: str, request: bytes) -> tuple[bytes, float]:
    """Send ``request`` as is on a fresh connection; the answer, and how long it took to come."""
    host, port = url.removeprefix("http://").split(":")
    start = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=PATIENCE) as sock:
        if request:
            sock.sendall(request)
        answer = b""
        while not _complete(answer) and (chunk := sock.recv(65536)):
            answer += chunk
    return answer, time.monotonic() - start


def _complete(answer: bytes) -> bool:
    head, blank, body = answer.partition(b"\r\n\r\n")
    if not blank:
        return False
    for line in head.lower().split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def test_a_chunked_body_past_the_limit_is_refused_without_credentials(limited: Central) -> None:
    """No Content-Length: the bytes are counted as they arrive, 413 past the limit."""
    response = httpx.post(
        f"{limited.url}{API_PREFIX}/push",
        content=_chunks(LIMIT + 16 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=PATIENCE,
    )
    assert response.status_code == 413
    assert f"larger than {LIMIT} bytes" in response.json()["detail"]


def test_a_chunked_gzip_bomb_is_refused(limited: Central, credential: EnrollResponse) -> None:
    """A small chunked gzip body that inflates past the limit: 413, not the whole inflated body."""
    bomb = gzip.compress(b" " * (LIMIT * 40))
    assert len(bomb) < LIMIT

    def parts() -> Iterator[bytes]:
        yield from (bomb[i : i + 1024] for i in range(0, len(bomb), 1024))

    headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
    headers["Authorization"] = f"Bearer {credential.token}"
    response = httpx.post(
        f"{limited.url}{API_PREFIX}/push", content=parts(), headers=headers, timeout=PATIENCE
    )
    assert response.status_code == 413


def test_a_body_promised_and_never_sent_is_answered_408(limited: Central) -> None:
    """Headers announce 1000 bytes, none follow: the centre answers 408 after its read timeout."""
    request = (
        b"POST /api/v1/push HTTP/1.1\r\nHost: central\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    )
    answer, waited = _raw(limited.url, request)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"did not arrive in time" in answer
    assert waited < PATIENCE


def test_a_body_that_stops_half_way_is_answered_408(limited: Central) -> None:
    request = (
        b"POST /api/v1/enroll HTTP/1.1\r\nHost: central\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        b'5\r\n{"cod\r\n'
    )
    answer, _ = _raw(limited.url, request)
    assert answer.startswith(b"HTTP/1.1 408 ")


@pytest.mark.parametrize(
    "request_start",
    [b"", b"GET /api/v1/pull HTTP/1.1\r\nHost: central\r\n"],
    ids=["silent", "headers-never-finished"],
)
def test_a_connection_slow_with_its_headers_is_closed(
    limited: Central, request_start: bytes
) -> None:
    """A client that connects and says nothing (or never ends its headers) is cut off."""
    answer, waited = _raw(limited.url, request_start)
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert waited < PATIENCE


def test_a_bundle_is_refused_before_its_body_when_the_token_is_wrong(limited: Central) -> None:
    """A huge bundle announced without a valid token: 401 at once, its body never awaited."""
    request = (
        b"POST /api/v1/bundles HTTP/1.1\r\nHost: central\r\nAuthorization: Bearer forged\r\n"
        b"Content-Length: " + str(MAX_BUNDLE_BYTES - 1).encode() + b"\r\n\r\n" + b"PK" * 100
    )
    answer, waited = _raw(limited.url, request)
    assert answer.startswith(b"HTTP/1.1 401 ")
    assert waited < READ_TIMEOUT  # answered before the read timeout could fire


def test_a_bundle_larger_than_the_upload_limit_is_refused_at_once(limited: Central) -> None:
    request = (
        b"POST /api/v1/bundles HTTP/1.1\r\nHost: central\r\n"
        b"Content-Length: " + str(MAX_BUNDLE_BYTES + 1).encode() + b"\r\n\r\nPK"
    )
    answer, waited = _raw(limited.url, request)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert waited < READ_TIMEOUT


def _bomb(tmp_path: Path, credential: EnrollResponse, inflated: int) -> bytes:
    scan = tmp_path / "scan.pdf"
    with scan.open("wb") as handle:
        for _ in range(inflated // (1 << 20)):
            handle.write(bytes(1 << 20))
    sha = hashlib.sha256(scan.read_bytes()).hexdigest()
    signed = write_bundle(
        tmp_path / "outbox.daiban",
        station_id=credential.station_id,
        direction="outbox",
        events=[],
        blob_paths={sha: scan},
        signing_key=credential.signing_key,
    ).path
    return _recompress(signed, tmp_path / "bomb.daiban").read_bytes()


def _recompress(bundle: Path, out: Path) -> Path:
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            copy.writestr(info.filename, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out


def test_a_small_signed_bundle_that_inflates_too_far_is_refused(
    limited: Central, credential: EnrollResponse, tmp_path: Path
) -> None:
    """A validly signed bundle of well under 1 MB holding 48 MB of zeros: 413 before inflating."""
    bomb = _bomb(tmp_path, credential, 48 << 20)
    assert len(bomb) < 1 << 20
    response = httpx.post(
        f"{limited.url}{API_PREFIX}/bundles",
        content=bomb,
        headers={"Authorization": f"Bearer {credential.token}"},
        timeout=PATIENCE,
    )
    assert response.status_code == 413
    assert "would inflate to more than" in response.json()["detail"]


def test_a_signed_bundle_within_bounds_is_still_imported(
    limited: Central, credential: EnrollResponse, tmp_path: Path
) -> None:
    """The same bundle with a scan of 1 MB inflates within bounds and is imported."""
    bundle = _bomb(tmp_path, credential, 1 << 20)
    response = httpx.post(
        f"{limited.url}{API_PREFIX}/bundles",
        content=bundle,
        headers={"Authorization": f"Bearer {credential.token}"},
        timeout=PATIENCE,
    )
    assert response.status_code == 200, response.text
    assert response.json()["blobs_stored"] == 1


async def test_waiting_for_a_disconnect_after_the_body_has_no_deadline() -> None:
    """Once the body is in, ``receive()`` only waits for the client to leave (a streamed
    answer listens for that): the read timeout must not cut a long answer short."""
    from central.api.limits import RequestLimitMiddleware

    messages = [{"type": "http.request", "body": b"{}", "more_body": False}]
    left = asyncio.Event()

    async def receive() -> dict[str, object]:
        if messages:
            return messages.pop(0)
        await left.wait()
        return {"type": "http.disconnect"}

    async def app(scope: object, receive: Any, send: Any) -> None:
        assert (await receive())["body"] == b"{}"
        listener = asyncio.ensure_future(receive())
        # The answer streams for five times the read timeout: the listener is still waiting.
        done, _ = await asyncio.wait({listener}, timeout=0.05)
        assert not done
        left.set()
        assert (await listener)["type"] == "http.disconnect"

    limited = RequestLimitMiddleware(app, max_bytes=LIMIT, read_timeout=0.01)
    scope = {"type": "http", "path": "/api/v1/pull", "headers": []}
    await limited(scope, receive, lambda message: asyncio.sleep(0))
