"""GET /pull?after=N&limit=M[&own_upto=K]: the station's scope after its cursor, in pages.

The page is read and its read ended in one request thread: the connection is back in
the pool before the route returns. A plain ``def`` route with a
response model held its connection into a second thread hop (FastAPI validates a sync
route's answer in the thread pool): in the 9 a.m. wave every request thread could be
waiting for a connection while the pulls holding all of them waited for a thread, and
the worker answered nothing until the pool's timeout (10 s), then 429s.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.api.routing import ReleasingRoute
from central.faults import fault_point
from central.models import Station
from central.services.catalog import announced_from
from central.services.pull import page_status, pull_page
from central.settings import CentralSettings
from sync.protocol import PULL_PAGE_EVENTS, PullResponse

router = APIRouter(prefix="/pull", tags=["sync"], route_class=ReleasingRoute)


def read_page(
    session: Session,
    station: Station,
    settings: CentralSettings,
    after: int,
    limit: int,
    own_upto: int | None,
) -> PullResponse:
    """The page with the catalog it announces and the newest 闭环 change stamp, its read
    ended (``GET /pull``, and the last part of ``POST /sync``)."""
    status = page_status(session)
    page = pull_page(
        session=session,
        station=station,
        after=after,
        limit=limit,
        own_upto=own_upto,
        horizon=status.horizon,
    )
    fault_point("mid_pull_page")  # test-only (central.faults); no-op unless configured
    announced = announced_from(status.catalog, settings.catalog_path)
    session.commit()  # a read: ends it and gives the connection back
    return page.model_copy(
        update={
            "catalog_version": announced.version,
            "catalog": announced,
            "loops_seq": status.loops_seq,
        }
    )


@router.get("", response_model=PullResponse)
async def pull(
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PULL_PAGE_EVENTS)] = PULL_PAGE_EVENTS,
    own_upto: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """Events with central_seq > ``after`` in the station's scope, plus changed accounts
    (the station's own events up to ``own_upto`` as acknowledgements)."""
    page = await run_in_threadpool(read_page, session, station, settings, after, limit, own_upto)
    return Response(content=page.model_dump_json(), media_type="application/json")
