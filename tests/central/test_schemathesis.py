"""Schemathesis over the central's OpenAPI: no operation answers 5xx or breaks its own schema.

A bounded, deterministic run (derandomized Hypothesis, a few examples per
operation) of every operation, as each kind of caller: nobody, a station by its
token alone, and a person signed in at a station (an agent at a village, a
reviewer at a township, an administrator at the county). The checks are
schemathesis's ``not_a_server_error`` and ``response_schema_conformance``
(timestamps carry their zone, a refusal's ``detail`` is documented). The
document itself must be a valid OpenAPI document whose every ``$ref`` resolves.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.central.conftest import COUNTY, TOWNSHIP, VILLAGE

pytestmark = pytest.mark.slow

EXAMPLES = {"sqlite": 2, "postgres": 1}
"""Examples per operation and caller (≤ 60 s for the whole run on two shared cores)."""
SIGN_OUT = "DELETE /api/v1/auth/session"
"""Run last for each caller: it ends the session the caller's other requests use."""


@pytest.fixture
def callers(enroll: Any, sign_in: Any) -> dict[str, dict[str, str]]:
    """The headers of each kind of caller, with real tokens and person sessions."""
    village = enroll(VILLAGE, "village")
    township = enroll(TOWNSHIP, "township")
    county = enroll(COUNTY, "county")
    return {
        "nobody": {},
        "station": village.headers,
        "agent": sign_in(village, "agent1", "agent"),
        "reviewer": sign_in(township, "reviewer1", "reviewer"),
        "admin": sign_in(county, "admin1", "admin"),
    }


def _run(operation: Any, headers: dict[str, str], examples: int, failures: Counter[str]) -> int:
    """Up to ``examples`` generated requests to ``operation``; how many were sent."""
    sent = 0

    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy())
    def one(case: Any) -> None:
        nonlocal sent
        sent += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance], headers=headers
            )
        except (AssertionError, BaseExceptionGroup) as failure:
            failures[f"{operation.label}: {' '.join(str(failure).split())[:400]}"] += 1

    one()
    return sent


def test_no_operation_answers_5xx_or_breaks_its_schema(
    app: FastAPI, callers: dict[str, dict[str, str]], db_url: str, request: pytest.FixtureRequest
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = sorted((r.ok() for r in schema.get_all_operations()), key=lambda o: o.label)
    operations.sort(key=lambda o: o.label == SIGN_OUT)
    examples = EXAMPLES["postgres" if db_url.startswith("postgresql") else "sqlite"]
    failures: Counter[str] = Counter()
    sent = Counter[str]()
    started = time.monotonic()
    for caller, headers in callers.items():
        for operation in operations:
            sent[caller] += _run(operation, headers, examples, failures)
    seconds = round(time.monotonic() - started, 1)
    request.node.user_properties.append(("requests", dict(sent)))
    request.node.user_properties.append(("seconds", seconds))
    assert not failures, "\n".join(f"{n} × {text}" for text, n in failures.items())
    assert len(operations) >= 40  # every route of the API is in the document
    assert all(n >= len(operations) for n in sent.values()), sent


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolves(document: dict[str, Any], ref: str) -> bool:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def test_the_openapi_document_is_valid_and_every_reference_resolves(app: FastAPI) -> None:
    """The document validates as OpenAPI, and client generators find every ``$ref`` (``/push``'s too)."""
    schemathesis.openapi.from_dict(app.openapi()).validate()
    document = app.openapi()
    refs = _refs(document)
    assert refs and all(ref.startswith("#/") for ref in refs)
    assert [ref for ref in refs if not _resolves(document, ref)] == []
    push = document["paths"]["/api/v1/push"]["post"]["requestBody"]
    assert re.search(r"components/schemas/Event\b", str(push))


def test_numbers_and_dates_out_of_range_are_refused_with_a_reason(
    enroll: Any, sign_in: Any, client: Any
) -> None:
    """Found by the run: a cursor past 64 bits or a period to year 9999 was a 500."""
    village = enroll(VILLAGE, "village")
    admin = sign_in(enroll(COUNTY, "county"), "admin1", "admin")
    answers = [
        client.get("/api/v1/pull", params={"after": 10**20}, headers=village.headers),
        client.get("/api/v1/loops/outcomes", params={"after": 10**20}, headers=village.headers),
        client.get(f"/api/v1/loops/{10**20}", headers=admin),
        client.get(
            "/api/v1/admin/dashboard",
            params={"from": "0001-01-01", "to": "9999-12-31"},
            headers=admin,
        ),
    ]
    assert [a.status_code for a in answers] == [422] * 4
    assert all("out of the range" in a.json()["detail"] for a in answers)


def test_timestamps_carry_their_zone(enroll: Any, sign_in: Any, client: Any) -> None:
    """Found by the run: stations and accounts showed naive timestamps (no zone) on SQLite."""
    admin = sign_in(enroll(COUNTY, "county"), "admin1", "admin")
    station = client.get("/api/v1/admin/stations", headers=admin).json()[0]
    user = client.get("/api/v1/admin/users", headers=admin).json()[0]
    for moment in (station["enrolled_at"], station["last_seen"], user["updated_at"]):
        assert moment.endswith(("Z", "+00:00")), moment
