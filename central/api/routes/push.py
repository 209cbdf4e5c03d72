"""POST /push: a batch of events; always 2xx with one result per event.

The hot path: the body is parsed straight from bytes by pydantic and the
answer serialised straight to bytes (no dict round trip through FastAPI's
encoder), which is a large share of a push's server time.
"""

from __future__ import annotations

import threading
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.api.groups import apart, group_of
from central.api.routing import ReleasingRoute
from central.faults import fault_point
from central.models import Station
from central.services.admission import Busy, PushGate
from central.services.group_commit import GroupCommit, Queued
from central.services.push import PushJob, SchemaRange, apply_group
from central.settings import CentralSettings
from sync.collector import collector_paused
from sync.events import Event
from sync.protocol import EventResult, PushRequest, PushResponse

M = TypeVar("M", bound=BaseModel)

router = APIRouter(prefix="/push", tags=["sync"], route_class=ReleasingRoute)


async def parsed_body(request: Request, model: type[M]) -> M:
    """The body as ``model``, validated from the raw JSON bytes (422 if it is not one)."""
    body = await request.body()
    try:
        with collector_paused():  # a batch's objects are freed by reference counting
            return model.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False), body=body) from None


async def _push_request(request: Request) -> PushRequest:
    """The body as a ``PushRequest`` (422 if it is not one)."""
    return await parsed_body(request, PushRequest)


PushBody = Annotated[PushRequest, Depends(_push_request)]

_gate_lock = threading.Lock()


async def _push_gate(request: Request) -> PushGate:
    """The app's push gate (admission control), made on first use from its settings."""
    return push_gate(request)


def push_gate(request: Request) -> PushGate:
    """The app's push gate (see ``_push_gate``), for a route that looks it up itself."""
    state = request.app.state
    with _gate_lock:
        if getattr(state, "push_gate", None) is None:
            settings = state.settings
            state.push_gate = PushGate(settings.push_slots, settings.push_wait_s)
    gate: PushGate = state.push_gate
    return gate


async def _group_commit(request: Request) -> GroupCommit[PushJob, list[EventResult]]:
    """The app's push group commit queue (one per worker process)."""
    return push_group(request)


def push_group(request: Request) -> GroupCommit[PushJob, list[EventResult]]:
    """The app's push group commit queue, for a route that looks it up itself."""
    return group_of(request, "push")


def _apply(session: Session, group: list[Queued[PushJob, list[EventResult]]]) -> None:
    apply_group(session=session, group=group)


GateDep = Annotated[PushGate, Depends(_push_gate)]
GroupDep = Annotated[GroupCommit[PushJob, list[EventResult]], Depends(_group_commit)]


def openapi_body(model: type[BaseModel]) -> dict[str, object]:
    """The OpenAPI request body of a route that parses ``model`` itself (``parsed_body``)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }


@router.post("", response_model=PushResponse, openapi_extra=openapi_body(PushRequest))
async def push(
    request: PushBody,
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    gate: GateDep,
    group: GroupDep,
) -> Response:
    """Apply the batch in one transaction; replaying it answers ``duplicate`` for each.

    At most ``push_slots`` pushes are admitted at once per worker (they are applied
    together, in one transaction: ``central.services.group_commit``); beyond that, after
    ``push_wait_s``, the answer is 429 with ``Retry-After`` (nothing was applied).
    The route runs on the event loop: it waits for its slot and its group's commit
    without holding a request thread; only the group's leader applies, in one thread.
    """
    fault_point("push")  # test-only (central.faults); a no-op unless DAIBAN_CENTRAL_FAULT is set
    results = await admitted_push(request.events, station, session, settings, gate, group)
    fault_point("after_push_commit")
    answer = PushResponse(results=results).model_dump_json()
    return Response(content=answer, media_type="application/json")


async def admitted_push(
    events: list[Event],
    station: Station,
    session: Session,
    settings: CentralSettings,
    gate: PushGate,
    group: GroupCommit[PushJob, list[EventResult]],
) -> list[EventResult]:
    """Wait for a push slot, apply ``events`` with the pushes admitted together, one
    result per event (``POST /push``, and the second part of ``POST /sync``).

    Raises:
        HTTPException: 429 with ``Retry-After`` when no slot was free in time (nothing
            applied).
    """
    schemas = SchemaRange(settings.min_schema_version, settings.max_schema_version)
    try:
        async with gate.admitted_async():
            job = PushJob(station, events, schemas, settings.catalog_path)
            # The pushes admitted together share one transaction (one durable commit).
            return await group.submit_async(job, apart(session.get_bind(), _apply))
    except Busy:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "the centre is busy: push again after the Retry-After delay",
            headers={"Retry-After": str(settings.push_retry_after_s)},
        ) from None
