"""POST /hello: the station says who it is; the centre answers its time and schemas."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from central.api.deps import BearerDep, SessionDep, SettingsDep, StationDep
from central.db import write_turn
from central.models import utcnow
from central.services.station_tokens import rotate_if_due
from central.services.stations import touch_station
from sync.protocol import HelloRequest, HelloResponse, StationRole

router = APIRouter(prefix="/hello", tags=["sync"])


@router.post("", response_model=HelloResponse)
def hello(
    request: HelloRequest,
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    presented: BearerDep,
) -> HelloResponse:
    """Record the station as seen, with what it reports holding (its outbox, its catalog
    version, its cases); tell it the time and the schema versions accepted, and give it
    a new token when its own is past half its life."""
    with write_turn(session.get_bind().engine):  # SQLite: queue with pushes, not sleep-poll
        touch_station(
            session=session,
            station=station,
            software_version=request.software_version,
            report=request,
        )
        lifetime = timedelta(days=settings.station_token_days)
        fresh = rotate_if_due(
            session=session, station=station, presented=presented, lifetime=lifetime
        )
    return HelloResponse(
        server_time=utcnow(),
        min_schema_version=settings.min_schema_version,
        max_schema_version=settings.max_schema_version,
        station_id=station.id,
        division=station.division,
        role=StationRole(station.role),
        public_base_url=settings.public_base_url,
        token=fresh.token if fresh else None,
        token_expires_at=fresh.expires_at if fresh else None,
    )
