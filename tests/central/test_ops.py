"""Operations of the centre's API: health probes, the request id, the JSON log, offline docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from central.app import create_app
from central.logging_setup import log_file
from central.settings import CentralSettings
from sync.protocol import API_PREFIX

RESIDENT_ID = "640522199001011234"
"""An ID number a request carries; it must never reach the log."""


def _log_lines(settings: CentralSettings) -> list[dict[str, object]]:
    text = log_file(settings.data_dir).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_healthz_and_readyz_answer_without_credentials(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


def test_readyz_is_503_while_the_schema_is_not_migrated(tmp_path: Path) -> None:
    settings = CentralSettings(
        data_dir=tmp_path / "central",
        db_url=f"sqlite:///{tmp_path / 'empty.db'}",
        secret_key="test-secret-key-0123456789",
        migrate_on_start=False,
    )
    with TestClient(create_app(settings)) as client:
        answer = client.get("/readyz")
        assert client.get("/healthz").status_code == 200
    assert answer.status_code == 503
    assert answer.json() == {"status": "unavailable", "reason": "schema not at head"}


def test_every_answer_carries_a_request_id_and_echoes_a_given_one(client: TestClient) -> None:
    fresh = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    given = client.get("/healthz", headers={"X-Request-ID": "station-abc-123"})
    assert given.headers["X-Request-ID"] == "station-abc-123"
    refused = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert refused.headers["X-Request-ID"] != "bad id\twith spaces"


def test_the_log_is_json_lines_with_the_request_id(
    client: TestClient, settings: CentralSettings
) -> None:
    answer = client.post(f"{API_PREFIX}/hello", json={}, headers={"X-Request-ID": "req-0001-x"})
    assert answer.status_code == 401
    lines = [e for e in _log_lines(settings) if e["request_id"] == "req-0001-x"]
    assert lines == [
        {
            "time": lines[0]["time"],
            "level": "INFO",
            "logger": "central.access",
            "message": "request",
            "request_id": "req-0001-x",
            "method": "POST",
            "path": f"{API_PREFIX}/hello",
            "status": 401,
            "duration_ms": lines[0]["duration_ms"],
        }
    ]
    assert str(lines[0]["time"]).endswith("+00:00")


def test_a_request_carrying_an_id_number_leaves_none_in_the_log(
    app: FastAPI, settings: CentralSettings
) -> None:
    @app.post("/test-only/echo-crash")
    async def crash(request: Request) -> None:
        body = await request.json()
        raise RuntimeError(f"cannot handle {body}")  # a traceback quoting the request's data

    with TestClient(app) as client:
        signed = client.post(
            f"{API_PREFIX}/auth/session",
            json={"username": RESIDENT_ID, "password": RESIDENT_ID},
            params={"id": RESIDENT_ID},
        )
        crashed = client.post("/test-only/echo-crash", json={"id_number": RESIDENT_ID})
    assert signed.status_code in (401, 403)
    assert crashed.status_code == 500
    assert crashed.json()["request_id"] == crashed.headers["X-Request-ID"]
    text = log_file(settings.data_dir).read_text(encoding="utf-8")
    assert RESIDENT_ID not in text
    errors = [e for e in _log_lines(settings) if e["logger"] == "central.error"]
    assert errors[0]["request_id"] == crashed.headers["X-Request-ID"]
    assert "640522********1234" in str(errors[0]["exception"])  # masked, as on screens


def test_the_log_rotates(settings: CentralSettings, client: TestClient) -> None:
    import logging

    handler = next(h for h in logging.getLogger("central").handlers if h.get_name())
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert Path(handler.baseFilename) == log_file(settings.data_dir)
    assert handler.maxBytes > 0 and handler.backupCount > 0
    configured, handler.maxBytes = handler.maxBytes, 2_000
    try:
        for n in range(40):
            client.get("/healthz", headers={"X-Request-Id": f"rotate-{n:02d}"})
    finally:
        handler.maxBytes = configured
    current = log_file(settings.data_dir)
    rolled = current.with_name(current.name + ".1")
    assert rolled.exists()
    assert rolled.stat().st_size < 2_000 + 1_000  # rolled over at the size, one line past at most
    files = [current.with_name(f"{current.name}.{n}") for n in range(handler.backupCount, 0, -1)]
    lines = [
        line for f in [*files, current] if f.exists() for line in f.read_text("utf-8").splitlines()
    ]
    ids = [json.loads(line)["request_id"] for line in lines]  # every line whole, none lost
    assert [i for i in ids if i.startswith("rotate-")] == [f"rotate-{n:02d}" for n in range(40)]


def test_docs_work_without_the_internet(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert sources, page.text
    assert not [s for s in sources if re.match(r"(https?:)?//", s)], sources
    assert "cdn" not in page.text.lower()
    for source in sources:
        assert client.get(source).status_code == 200, source
    redoc = client.get("/redoc").text
    assert not re.search(r"""(?:src|href)=["'](https?:)?//""", redoc)


def test_the_api_documents_its_operations_in_chinese(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    untranslated = [
        op["summary"] for op in operations if not re.search(r"[\u4e00-\u9fff]", op["summary"])
    ]
    assert untranslated == []
    assert schema["paths"][f"{API_PREFIX}/push"]["post"]["summary"] == "推送事件"
