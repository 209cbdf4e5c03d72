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

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from central.api.deps import BearerDep, SessionDep, SettingsDep, StationDep
from central.api.routes.hello import greet
from central.api.routes.pull import read_page
from central.api.routes.push import GateDep, GroupDep, admitted_push, openapi_body, parsed_body
from central.api.routing import ReleasingRoute
from central.faults import fault_point
from sync.protocol import EventResult, PullResponse, SyncRequest, SyncResponse

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
    settings: SettingsDep,
    presented: BearerDep,
    gate: GateDep,
    group: GroupDep,
    http: Request,
) -> Response:
    """Say hello, push ``events`` and read the page after ``after``, in that order.

    The push is skipped (no results) and the page left empty when the centre does not
    accept the station's schema: the station reads the range in the hello and stops. A push that finds
    no slot in time makes the whole answer 429 with ``Retry-After`` (the hello is
    recorded, nothing is pushed); the station sends it all again, which is safe.
    """
    greeting = await greet(request, station, session, settings, presented, http)
    results: list[EventResult] = []
    accepted = greeting.min_schema_version <= request.schema_version <= greeting.max_schema_version
    if request.events and accepted:
        fault_point("push")  # test-only (central.faults); a no-op unless configured
        results = await admitted_push(request.events, station, session, settings, gate, group)
        fault_point("after_push_commit")
    page = PullResponse(events=[], next_cursor=request.after, has_more=False)
    if accepted:  # else the station stops at the hello: nothing it might not read
        page = await run_in_threadpool(
            read_page, session, station, settings, request.after, request.limit, request.own_upto
        )
    answer = SyncResponse(hello=greeting, results=results, page=page).model_dump_json()
    return Response(content=answer, media_type="application/json")
