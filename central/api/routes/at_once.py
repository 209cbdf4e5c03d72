"""POST /sync: a small sync in one request: the hello, the outbox's first batch, the first page.

A village's 9 a.m. sync was three requests (hello, a push of a few events, a pull that
brings back little more than their acknowledgements), and each request's fixed cost at
the centre (the token's look-up, the middleware, the framework, a thread hop) was most of
the centre's CPU per sync. Here the three parts run in order, each as its own route runs
it (the hello grouped with others, the push admitted and grouped with others, the page
read after the push has committed), and go back in one answer. A station goes on with
``/push`` and ``/pull`` only when there is more; one that meets a centre without this
route (404) syncs the old way.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from central.api.deps import BearerDep, SessionDep, StationDep
from central.api.routes.hello import greet, record_hello
from central.api.routes.pull import read_page
from central.api.routes.push import (
    admitted_push,
    openapi_body,
    parsed_body,
    push_gate,
    push_group,
)
from central.api.routing import ReleasingRoute
from central.faults import fault_point
from central.models import Station
from central.settings import CentralSettings
from sync.protocol import EventResult, PullResponse, SyncRequest, SyncResponse, batch_settled

log = logging.getLogger(__name__)
router = APIRouter(prefix="/sync", tags=["sync"], route_class=ReleasingRoute)


async def _sync_request(request: Request) -> SyncRequest:
    """The body as a ``SyncRequest`` (422 if it is not one)."""
    return await parsed_body(request, SyncRequest)


SyncBody = Annotated[SyncRequest, Depends(_sync_request)]


@router.post("", response_model=SyncResponse, openapi_extra=openapi_body(SyncRequest))
async def sync_at_once(
    request: SyncBody,
    station: StationDep,
    session: SessionDep,
    presented: BearerDep,
    http: Request,
) -> Response:
    """Say hello, push ``events`` and read the page after ``after``, in that order.

    The push is skipped (no results) and the page left empty when the centre does not
    accept the station's schema: the station reads the range in the hello and stops. A push that finds
    no slot in time makes the whole answer 429 with ``Retry-After`` (the hello is
    recorded, nothing is pushed); the station sends it all again, which is safe.

    When the events are the station's whole outbox (``whole_outbox``), the hello is
    recorded after the push: as the push left the outbox (empty) when it settled every
    event, else as the station reported it (the push failed, was not admitted, or left
    events unsettled): the county never reads an outbox emptied by a push that did not go.
    """
    # Looked up here, not as dependencies: FastAPI's resolving of each costs more than
    # the look-up, and every station's 9 a.m. sync is this route.
    settings: CentralSettings = http.app.state.settings
    gate, group = push_gate(http), push_group(http)
    accepted = settings.min_schema_version <= request.schema_version <= settings.max_schema_version
    after_push = accepted and request.whole_outbox and bool(request.events)
    greeting = await greet(
        request, station, session, settings, presented, http, record=not after_push
    )
    results: list[EventResult] = []
    if request.events and accepted:
        try:
            fault_point("push")  # test-only (central.faults); a no-op unless configured
            results = await admitted_push(request.events, station, session, settings, gate, group)
            fault_point("after_push_commit")
        except BaseException:
            if after_push:  # the report as sent: nothing is known to have gone
                await _record_quietly(request, station, session, http)
            raise
    settled = after_push and batch_settled((str(e.id) for e in request.events), results)
    if after_push:
        left = request.model_copy(update={"outbox_depth": 0, "oldest_unsent": None})
        await record_hello(left if settled else request, station, session, http)
    page = PullResponse(events=[], next_cursor=request.after, has_more=False)
    if accepted:  # else the station stops at the hello: nothing it might not read
        page = await run_in_threadpool(
            read_page, session, station, settings, request.after, request.limit, request.own_upto
        )
    answer = SyncResponse(hello=greeting, results=results, page=page, outbox_settled=settled)
    return Response(content=answer.model_dump_json(), media_type="application/json")


async def _record_quietly(
    request: SyncRequest, station: Station, session: Session, http: Request
) -> None:
    """Record the hello after a failed push; a failure here is logged, and the push's
    own error is the one answered."""
    try:
        await record_hello(request, station, session, http)
    except Exception:  # noqa: BLE001 - the push's error is the answer
        log.warning("the hello of a failed push was not recorded", exc_info=True)
