"""The case-scoped scan download: retried like every request, checked against its hash,
written atomically, refused (not retried) out of scope."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from sync.client import CentralClient
from sync.errors import CentralRefused

SCAN = b"\x89PNG\r\n\x1a\n" + b"scan" * 1000
SHA = hashlib.sha256(SCAN).hexdigest()
CASE = "01a232c8-a061-7834-9054-d20a2d555985"


def _client(answers: list[httpx.Response], seen: list[str], waits: list[float]) -> CentralClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return answers.pop(0)

    return CentralClient(
        "http://centre", "token", transport=httpx.MockTransport(handle), sleep=waits.append
    )


def test_a_download_is_retried_after_a_busy_centre_and_lands_whole(tmp_path: Path) -> None:
    seen: list[str] = []
    waits: list[float] = []
    answers = [httpx.Response(503, headers={"Retry-After": "2"}), httpx.Response(200, content=SCAN)]
    dest = tmp_path / "cache" / SHA
    with _client(answers, seen, waits) as client:
        assert client.download_case_blob(CASE, SHA, dest) == dest
    assert dest.read_bytes() == SCAN
    assert seen == [f"/api/v1/blobs/{SHA}/case/{CASE}"] * 2
    assert len(waits) == 1 and 2.0 <= waits[0] <= 3.0  # Retry-After, plus jitter
    assert list(dest.parent.iterdir()) == [dest]  # no partial file left behind


def test_damaged_bytes_are_refused_and_never_cached(tmp_path: Path) -> None:
    dest = tmp_path / "cache" / SHA
    with _client([httpx.Response(200, content=SCAN[:-1])], [], []) as client:
        with pytest.raises(CentralRefused) as refused:
            client.download_case_blob(CASE, SHA, dest)
    assert refused.value.status_code == 422
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()


def test_out_of_scope_is_refused_at_once(tmp_path: Path) -> None:
    seen: list[str] = []
    answer = httpx.Response(403, json={"detail": "the case is outside this station's scope"})
    with _client([answer], seen, []) as client:
        with pytest.raises(CentralRefused) as refused:
            client.download_case_blob(CASE, SHA, tmp_path / SHA)
    assert refused.value.status_code == 403 and len(seen) == 1
