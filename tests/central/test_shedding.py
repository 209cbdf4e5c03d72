"""Load shedding: a request that waited past the centre's queue budget is answered 429
at once (before any database work), a slow upload is not a wait, and an exhausted
connection pool is "busy" (429), not a fault (500)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.exc import TimeoutError as PoolTimeout

import central.api.shedding as shedding
from central.api.routing import ReleasingRoute
from central.api.shedding import BUSY, ArrivalMiddleware
from sync.protocol import API_PREFIX

from .conftest import StationClient

HELLO = {"software_version": "t", "schema_version": 1, "outbox_depth": 0}


def test_a_request_that_waited_past_the_budget_is_429_and_does_nothing(
    app: FastAPI, client: TestClient, enroll: Any
) -> None:
    village: StationClient = enroll()
    events = village.new_case()
    settings = app.state.settings
    settings.queue_budget_s = 1e-9  # every request has waited "too long"
    try:
        hello = client.post(f"{API_PREFIX}/hello", json=HELLO, headers=village.headers)
        body = {"events": [e.model_dump(mode="json") for e in events]}
        push = client.post(f"{API_PREFIX}/push", json=body, headers=village.headers)
        health = client.get("/healthz")
    finally:
        settings.queue_budget_s = 20.0
    assert (hello.status_code, push.status_code) == (429, 429)
    assert hello.headers["Retry-After"] == str(settings.shed_retry_after_s)
    assert hello.json()["detail"] == BUSY
    assert health.status_code == 200  # the probe needs no database session
    assert village.pull()["events"] == []  # the shed push stored nothing
    assert [r["status"] for r in village.push(events)] == ["applied"] * 3


def test_an_exhausted_connection_pool_is_busy_not_a_fault(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    def exhausted() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 20 reached")

    app.add_api_route("/test-exhausted", exhausted)
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/test-exhausted")
    assert answer.status_code == 429
    assert int(answer.headers["Retry-After"]) == app.state.settings.shed_retry_after_s
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warned == [
        "busy: no database connection within the pool's timeout for GET /test-exhausted"
        " (QueuePool limit of size 10 overflow 20 reached)"
    ]


def test_the_wait_is_counted_from_the_last_body_chunk_not_from_the_first_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A village's slow upload is the network's time: the stamp moves to the last chunk."""
    clock = iter([100.0, 160.0])  # the head at 100 s, the last chunk a minute later
    monkeypatch.setattr(shedding, "_now", lambda: next(clock))
    chunks = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.request", "body": b"}", "more_body": False},
    ]
    seen: dict[str, float] = {}

    async def app(scope: Any, receive: Any, _send: Any) -> None:
        seen["at head"] = scope["state"]["daiban_arrived"]
        while (await receive()).get("more_body"):
            pass
        seen["when whole"] = scope["state"]["daiban_arrived"]

    async def receive() -> dict[str, Any]:
        return chunks.pop(0)

    async def send(_message: Any) -> None:
        return None

    asyncio.run(ArrivalMiddleware(app)({"type": "http"}, receive, send))
    assert seen == {"at head": 100.0, "when whole": 160.0}


@pytest.mark.parametrize("path", ["/pull", "/catalog"])
def test_requests_answer_when_there_are_fewer_connections_and_threads_than_requests(
    app: FastAPI, client: TestClient, enroll: Any, path: str
) -> None:
    """The 9 a.m. stall: one connection, two request threads, twenty requests at once.

    A route that has read what it answers must give its connection back before it needs
    another request thread (a plain ``def`` route's answer is serialised in a second
    one): with every thread waiting for a connection and every connection held by a
    route waiting for a thread, the worker answered nothing until the pool's timeout,
    then 429 to everyone waiting. ``/pull`` is the hot route, ``/catalog`` any plain one."""
    village: StationClient = enroll()
    village.push(village.new_case())
    url = app.state.engine.url
    tiny = create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=5.0,
        connect_args={"check_same_thread": False} if url.get_backend_name() == "sqlite" else {},
    )
    wide, app.state.engine = app.state.engine, tiny

    def two_threads() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 2

    def get(_: int) -> Any:
        return client.get(f"{API_PREFIX}{path}", headers=village.headers)

    assert client.portal is not None
    client.portal.call(two_threads)
    try:
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(get, range(20)))
    finally:
        app.state.engine = wide
        tiny.dispose()
    assert [a.status_code for a in answers] == [200] * 20, answers[0].text
    assert len({a.text for a in answers}) == 1  # the same page, the same catalog
    if path == "/pull":
        assert len(answers[0].json()["events"]) == 3


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # an included router (FastAPI 0.165)
        if inner is not None:
            yield from _api_routes(inner.routes)
        elif isinstance(route, APIRoute):
            yield route


def test_every_plain_route_gives_its_connection_back_as_it_returns(app: FastAPI) -> None:
    """A router made without ``route_class=ReleasingRoute`` would bring the stall back."""
    routes = list(_api_routes(app.routes))
    plain = [
        route.path
        for route in routes
        if not isinstance(route, ReleasingRoute) and not asyncio.iscoroutinefunction(route.endpoint)
    ]
    assert len(routes) > 40  # the walk reached the API's routes
    assert plain == []
