"""The authorisation matrix: every route of the app × every kind of caller → the status expected.

The routes are enumerated from ``app.routes``, so a route added without an entry
here fails the test. The callers: nobody, a garbage token, the village station
that owns the data (its token alone), a village of the same township and a
township elsewhere in the county (their tokens), a revoked station, and a person
signed in at a station in each role (an agent at the owning village, a reviewer
at its township, an administrator at the county).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.routing import Mount

from central.api.deps import PERSON_HEADER
from central.models import EnrollmentCode
from central.services.stations import enroll_code, revoke_station
from sync.events import SCHEMA_VERSION, EventKind
from sync.protocol import API_PREFIX
from tests.central.conftest import COUNTY, TOWNSHIP, VILLAGE, VILLAGE_2, StationClient

OTHER_TOWNSHIP = "640522101000"
CALLERS = (
    "nobody",
    "garbage",
    "village",
    "other_village",
    "other_township",
    "revoked",
    "agent",
    "reviewer",
    "admin",
)
SCAN = b"%PDF-1.4 household register of the owning village"
SHA = hashlib.sha256(SCAN).hexdigest()


@dataclass
class World:
    """What the requests refer to: the owner's case and scan, a spare account, a code."""

    headers: dict[str, dict[str, str]]
    case_id: str = ""
    revoked_id: str = ""
    code_ref: str = ""
    sent: list[int] = field(default_factory=list)


def station_route(ok: int, **scoped: int) -> dict[str, int]:
    """A route for any active station (its token alone is enough)."""
    return (
        {"nobody": 401, "garbage": 401, "revoked": 403}
        | dict.fromkeys(
            ("village", "other_village", "other_township", "agent", "reviewer", "admin"), ok
        )
        | scoped
    )


def person_route(ok: int, **by_role: int) -> dict[str, int]:
    """A route for a person signed in at a station (a station's token alone: 401)."""
    stations_only = dict.fromkeys(("village", "other_village", "other_township"), 401)
    people = dict.fromkeys(("agent", "reviewer", "admin"), ok)
    return {"nobody": 401, "garbage": 401, "revoked": 403} | stations_only | people | by_role


def admin_route(ok: int) -> dict[str, int]:
    """A route for the county's administrator only."""
    return person_route(ok, agent=403, reviewer=403)


def everyone(status: int) -> dict[str, int]:
    """A public route: the same answer whoever asks."""
    return dict.fromkeys(CALLERS, status)


Probe = Callable[[World], dict[str, Any]]
"""The request a route is sent: method-less kwargs for ``TestClient.request`` plus ``url``."""

V = API_PREFIX
MATRIX: dict[tuple[str, str], tuple[Probe, dict[str, int]]] = {
    ("GET", "/openapi.json"): (lambda w: {"url": "/openapi.json"}, everyone(200)),
    ("GET", "/docs"): (lambda w: {"url": "/docs"}, everyone(200)),
    ("GET", "/docs/oauth2-redirect"): (lambda w: {"url": "/docs/oauth2-redirect"}, everyone(200)),
    ("GET", "/redoc"): (lambda w: {"url": "/redoc"}, everyone(200)),
    ("GET", "/healthz"): (lambda w: {"url": "/healthz"}, everyone(200)),
    ("GET", "/readyz"): (lambda w: {"url": "/readyz"}, everyone(200)),
    # no bearer at all: an expired station proves itself by its signature (422: no body)
    ("POST", f"{V}/token/renew"): (
        lambda w: {"url": f"{V}/token/renew", "json": {}},
        everyone(422),
    ),
    ("GET", "/static-offline-docs/{path}"): (
        lambda w: {"url": "/static-offline-docs/no-such-asset.js"},
        everyone(404),
    ),
    ("GET", "/p/{key:path}"): (lambda w: {"url": "/p/no-such-key"}, everyone(404)),
    ("POST", f"{V}/enroll"): (
        lambda w: {"url": f"{V}/enroll", "json": {"code": "used-or-unknown"}},
        everyone(403),
    ),
    ("POST", f"{V}/hello"): (
        lambda w: {
            "url": f"{V}/hello",
            "json": {"software_version": "matrix", "schema_version": SCHEMA_VERSION},
        },
        station_route(200),
    ),
    ("POST", f"{V}/auth/session"): (
        lambda w: {
            "url": f"{V}/auth/session",
            "json": {"username": "agent1", "password": "admin-pass-1"},
        },
        # An account may sign in at any station whose scope holds its division (the
        # village's agent at its village, township and county), never elsewhere.
        station_route(200, other_village=401, other_township=401),
    ),
    ("DELETE", f"{V}/auth/session"): (
        lambda w: {"url": f"{V}/auth/session"},
        person_route(204),
    ),
    ("POST", f"{V}/push"): (
        lambda w: {"url": f"{V}/push", "json": {"events": []}},
        station_route(200),
    ),
    ("GET", f"{V}/pull"): (lambda w: {"url": f"{V}/pull"}, station_route(200)),
    ("POST", f"{V}/sync"): (
        lambda w: {
            "url": f"{V}/sync",
            "json": {"software_version": "matrix", "schema_version": SCHEMA_VERSION, "after": 0},
        },
        station_route(200),
    ),
    ("GET", f"{V}/blobs/{{sha256}}/status"): (
        lambda w: {"url": f"{V}/blobs/{SHA}/status"},
        station_route(200),
    ),
    ("HEAD", f"{V}/blobs/{{sha256}}"): (
        lambda w: {"url": f"{V}/blobs/{SHA}"},
        station_route(200),
    ),
    ("GET", f"{V}/blobs/{{sha256}}"): (
        lambda w: {"url": f"{V}/blobs/{SHA}"},
        station_route(200, other_village=403, other_township=403),
    ),
    ("GET", f"{V}/blobs/{{sha256}}/case/{{case_id}}"): (
        lambda w: {"url": f"{V}/blobs/{SHA}/case/{w.case_id}"},
        station_route(200, other_village=403, other_township=403),
    ),
    ("PUT", f"{V}/blobs/{{sha256}}"): (
        lambda w: {"url": f"{V}/blobs/{SHA}", "content": SCAN},
        station_route(200),
    ),
    ("POST", f"{V}/bundles"): (
        lambda w: {"url": f"{V}/bundles", "content": b"not a bundle"},
        station_route(422),
    ),
    ("GET", f"{V}/catalog"): (lambda w: {"url": f"{V}/catalog"}, station_route(200)),
    ("GET", f"{V}/catalog/file"): (lambda w: {"url": f"{V}/catalog/file"}, station_route(200)),
    ("POST", f"{V}/admin/catalog"): (
        lambda w: {"url": f"{V}/admin/catalog", "json": {}},
        admin_route(422),
    ),
    ("GET", f"{V}/admin/catalog/versions"): (
        lambda w: {"url": f"{V}/admin/catalog/versions"},
        admin_route(200),
    ),
    ("GET", f"{V}/admin/divisions"): (
        lambda w: {"url": f"{V}/admin/divisions"},
        admin_route(200),
    ),
    ("POST", f"{V}/admin/enrollment-codes"): (
        lambda w: {
            "url": f"{V}/admin/enrollment-codes",
            "json": {"division": "640522102000", "name": "矩阵镇", "role": "township"},
        },
        admin_route(200),
    ),
    ("GET", f"{V}/admin/enrollment-codes"): (
        lambda w: {"url": f"{V}/admin/enrollment-codes"},
        admin_route(200),
    ),
    ("POST", f"{V}/admin/enrollment-codes/{{ref}}/cancel"): (
        lambda w: {"url": f"{V}/admin/enrollment-codes/{w.code_ref}/cancel"},
        admin_route(200),
    ),
    ("GET", f"{V}/admin/stations"): (lambda w: {"url": f"{V}/admin/stations"}, admin_route(200)),
    ("POST", f"{V}/admin/stations/{{station_id}}/revoke"): (
        lambda w: {"url": f"{V}/admin/stations/{w.revoked_id}/revoke", "json": {"force": True}},
        admin_route(200),
    ),
    ("POST", f"{V}/admin/stations/{{station_id}}/unrevoke"): (
        lambda w: {"url": f"{V}/admin/stations/no-such-station/unrevoke"},
        admin_route(404),
    ),
    ("GET", f"{V}/admin/users"): (lambda w: {"url": f"{V}/admin/users"}, admin_route(200)),
    ("POST", f"{V}/admin/users"): (
        lambda w: {"url": f"{V}/admin/users", "json": {}},
        admin_route(422),
    ),
    ("POST", f"{V}/admin/users/{{username}}/disable"): (
        lambda w: {"url": f"{V}/admin/users/spare1/disable"},
        admin_route(200),
    ),
    ("POST", f"{V}/admin/users/{{username}}/enable"): (
        lambda w: {"url": f"{V}/admin/users/spare1/enable"},
        admin_route(200),
    ),
    ("POST", f"{V}/admin/users/{{username}}/password"): (
        lambda w: {"url": f"{V}/admin/users/spare1/password", "json": {"password": "new-pass-12"}},
        admin_route(200),
    ),
    ("GET", f"{V}/admin/reconcile"): (lambda w: {"url": f"{V}/admin/reconcile"}, admin_route(200)),
    ("GET", f"{V}/admin/stats"): (lambda w: {"url": f"{V}/admin/stats"}, admin_route(200)),
    ("GET", f"{V}/admin/dashboard"): (lambda w: {"url": f"{V}/admin/dashboard"}, admin_route(200)),
    ("GET", f"{V}/admin/dashboard/cases"): (
        lambda w: {"url": f"{V}/admin/dashboard/cases", "params": {"key": "not-a-key"}},
        admin_route(422),
    ),
    ("GET", f"{V}/admin/reports/{{kind}}"): (
        lambda w: {"url": f"{V}/admin/reports/monthly", "params": {"month": "2026-10"}},
        admin_route(200),
    ),
    ("GET", f"{V}/loops/outcomes"): (lambda w: {"url": f"{V}/loops/outcomes"}, station_route(200)),
    ("GET", f"{V}/loops"): (lambda w: {"url": f"{V}/loops"}, person_route(200)),
    ("GET", f"{V}/loops/{{item_id}}"): (lambda w: {"url": f"{V}/loops/987654"}, person_route(404)),
    ("POST", f"{V}/loops/{{item_id}}/assign"): (
        lambda w: {
            "url": f"{V}/loops/987654/assign",
            "json": {"unit_kind": "township", "unit": TOWNSHIP, "unit_name": "镇"},
        },
        admin_route(404),
    ),
    ("POST", f"{V}/loops/{{item_id}}/steps/{{action}}"): (
        lambda w: {"url": f"{V}/loops/987654/steps/visited", "json": {"detail": {"how": "电话"}}},
        person_route(404),
    ),
    ("POST", f"{V}/loops/{{item_id}}/appeal"): (
        lambda w: {"url": f"{V}/loops/987654/appeal", "json": {"text": "申诉"}},
        person_route(404),
    ),
    ("POST", f"{V}/loops/{{item_id}}/appeal-decision"): (
        lambda w: {
            "url": f"{V}/loops/987654/appeal-decision",
            "json": {"overturn": False, "note": "维持"},
        },
        admin_route(404),
    ),
    ("POST", f"{V}/loops/{{item_id}}/close"): (
        lambda w: {"url": f"{V}/loops/987654/close", "json": {"text": "办结"}},
        admin_route(404),
    ),
}
LAST = ("DELETE", f"{V}/auth/session")
"""Sent last: it ends the sessions the other requests use."""


def _routes(app: FastAPI) -> Iterator[tuple[str, str]]:
    def flat(routes: list[Any]) -> Iterator[Any]:
        for route in routes:
            if hasattr(route, "effective_candidates"):  # an included router (FastAPI ≥ 0.160)
                yield from flat(route.effective_candidates())
            else:
                yield route

    for route in flat(app.routes):
        if isinstance(route, Mount):  # static files (the offline docs' assets): one GET entry
            yield "GET", f"{route.path}/{{path}}"
            continue
        for method in sorted(route.methods or ()):
            if method != "HEAD" or route.methods == {"HEAD"}:
                yield method, route.path


@pytest.fixture
def world(app: FastAPI, client: TestClient, session: Session, enroll: Any, sign_in: Any) -> World:
    """Stations in every position, people in every role, a case with a scan at the village."""
    village: StationClient = enroll(VILLAGE, "village")
    township = enroll(TOWNSHIP, "township")
    county = enroll(COUNTY, "county")
    revoked = enroll("640522100203", "village")
    revoke_station(session=session, station_id=revoked.id)
    sign_in(county, "spare1", "agent")
    headers = {
        "nobody": {},
        "garbage": {"Authorization": "Bearer not-a-token-at-all"},
        "village": village.headers,
        "other_village": enroll(VILLAGE_2, "village").headers,
        "other_township": enroll(OTHER_TOWNSHIP, "township").headers,
        "revoked": revoked.headers,
        "agent": sign_in(village, "agent1", "agent"),
        "reviewer": sign_in(township, "reviewer1", "reviewer"),
        "admin": sign_in(county, "admin1", "admin"),
    }
    assert client.put(f"{V}/blobs/{SHA}", content=SCAN, headers=village.headers).status_code == 200
    attachment = {"sha256": SHA, "name": "hukou.pdf", "size": len(SCAN)}
    created = village.event(EventKind.created, payload={
        "item_code": "pension-enrollment",
        "applicant": {"name": "张三", "id_number": "640522195001011234"},
        "attachments": [attachment],
    })  # fmt: skip
    village.push([created])
    enroll_code(
        session=session, division="640522100205", name="作废", role="village", ttl_minutes=60
    )
    ref = session.exec(select(EnrollmentCode.ref).where(EnrollmentCode.division == "640522100205"))
    return World(headers, str(created.case_id), revoked.id, str(ref.one()))


def test_every_route_answers_every_caller_as_expected(
    app: FastAPI, client: TestClient, world: World, request: pytest.FixtureRequest
) -> None:
    routes = set(_routes(app))
    assert routes - MATRIX.keys() == set(), "a route without an entry in the matrix"
    assert MATRIX.keys() - routes == set(), "an entry for a route that no longer exists"
    order = sorted(routes, key=lambda route: route == LAST)
    wrong = []
    for method, path in order:
        probe, expected = MATRIX[method, path]
        for caller in CALLERS:
            kwargs = probe(world)
            headers = world.headers[caller]
            answer = client.request(method, kwargs.pop("url"), headers=headers, **kwargs)
            world.sent.append(answer.status_code)
            if answer.status_code != expected[caller]:
                wrong.append(
                    f"{method} {path} as {caller}: {answer.status_code} {answer.text[:120]}"
                )
    request.node.user_properties.append(("requests", len(world.sent)))
    assert wrong == [], "\n".join(wrong)
    assert all(status < 500 for status in world.sent)
    assert PERSON_HEADER in world.headers["admin"]
