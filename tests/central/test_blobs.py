"""Blobs: resumable chunked upload, hash check, size limit, fetch only within scope."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from fastapi.testclient import TestClient

from sync.events import EventKind
from sync.protocol import API_PREFIX
from tests.central.conftest import TOWNSHIP, VILLAGE_2

CHUNK = 64 * 1024


def _put(station: Any, sha: str, offset: int, data: bytes, size: int) -> Any:
    return station.client.put(
        f"{API_PREFIX}/blobs/{sha}",
        params={"offset": offset, "size": size},
        content=data,
        headers={**station.headers, "Content-Type": "application/octet-stream"},
    )


def test_a_scan_uploads_in_chunks_and_resumes(enroll: Any, client: TestClient) -> None:
    village = enroll()
    scan = os.urandom(3 * CHUNK + 123)
    sha = hashlib.sha256(scan).hexdigest()
    status_url = f"{API_PREFIX}/blobs/{sha}/status"
    assert client.get(status_url, headers=village.headers).status_code == 404
    assert client.head(f"{API_PREFIX}/blobs/{sha}", headers=village.headers).status_code == 404

    assert _put(village, sha, 0, scan[:CHUNK], len(scan)).json()["received"] == CHUNK
    assert _put(village, sha, CHUNK, scan[CHUNK : 2 * CHUNK], len(scan)).status_code == 200
    # The connection dropped here; the station asks where to resume.
    held = client.get(status_url, headers=village.headers).json()
    assert held == {"sha256": sha, "size": len(scan), "received": 2 * CHUNK, "complete": False}
    wrong_offset = _put(village, sha, CHUNK, scan[CHUNK:], len(scan))
    assert wrong_offset.status_code == 409
    last = _put(village, sha, 2 * CHUNK, scan[2 * CHUNK :], len(scan)).json()
    assert last["complete"] and last["received"] == len(scan)

    assert client.head(f"{API_PREFIX}/blobs/{sha}", headers=village.headers).status_code == 200
    fetched = client.get(f"{API_PREFIX}/blobs/{sha}", headers=village.headers)
    assert fetched.content == scan


def test_content_that_does_not_match_its_hash_is_refused(enroll: Any, client: TestClient) -> None:
    village = enroll()
    sha = hashlib.sha256(b"the real scan").hexdigest()
    refused = _put(village, sha, 0, b"something else", len(b"something else"))
    assert refused.status_code == 422
    assert "SHA-256" in refused.json()["detail"]
    status = client.get(f"{API_PREFIX}/blobs/{sha}/status", headers=village.headers).json()
    assert status["received"] == 0 and not status["complete"]


def test_a_blob_over_the_limit_is_refused_with_a_clear_message(enroll: Any, app: Any) -> None:
    village = enroll()
    limit = app.state.settings.max_blob_bytes
    response = _put(village, "a" * 64, 0, b"x", limit + 1)
    assert response.status_code == 413
    assert "20 MB" in response.json()["detail"]


def test_only_stations_whose_scope_holds_the_case_fetch_a_blob(enroll: Any) -> None:
    village, neighbour, township = enroll(), enroll(VILLAGE_2), enroll(TOWNSHIP, "township")
    scan = b"%PDF scan of a household register"
    sha = hashlib.sha256(scan).hexdigest()
    assert _put(village, sha, 0, scan, len(scan)).json()["complete"]
    created = village.event(EventKind.created)
    supplement = village.event(
        EventKind.supplemented,
        created.case_id,
        payload={"attachments": [{"sha256": sha, "name": "hukou.pdf", "size": len(scan)}]},
    )
    village.push([created, village.event(EventKind.received, created.case_id), supplement])

    url = f"{API_PREFIX}/blobs/{sha}"
    assert township.client.get(url, headers=township.headers).content == scan
    refused = neighbour.client.get(url, headers=neighbour.headers)
    assert refused.status_code == 403
