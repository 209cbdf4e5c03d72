"""GET /pull?after=N&limit=M[&own_upto=K]: the station's scope after its cursor, in pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.faults import fault_point
from central.services.catalog import announced_version
from central.services.pull import pull_page
from sync.protocol import PULL_PAGE_EVENTS, PullResponse

router = APIRouter(prefix="/pull", tags=["sync"])


@router.get("", response_model=PullResponse)
def pull(
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=PULL_PAGE_EVENTS)] = PULL_PAGE_EVENTS,
    own_upto: Annotated[int | None, Query(ge=0)] = None,
) -> PullResponse:
    """Events with central_seq > ``after`` in the station's scope, plus changed accounts
    (the station's own events up to ``own_upto`` as acknowledgements)."""
    page = pull_page(session=session, station=station, after=after, limit=limit, own_upto=own_upto)
    fault_point("mid_pull_page")  # test-only (central.faults); no-op unless configured
    announced = announced_version(session=session, path=settings.catalog_path)
    return page.model_copy(update={"catalog_version": announced})
