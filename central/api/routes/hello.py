"""POST /hello: the station says who it is; the centre answers its time and schemas."""

from __future__ import annotations

from fastapi import APIRouter

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.db import write_turn
from central.models import utcnow
from central.services.stations import touch_station
from sync.protocol import HelloRequest, HelloResponse, StationRole

router = APIRouter(prefix="/hello", tags=["sync"])


@router.post("", response_model=HelloResponse)
def hello(
    request: HelloRequest, station: StationDep, session: SessionDep, settings: SettingsDep
) -> HelloResponse:
    """Record the station as seen, with what it reports holding (its outbox, its catalog
    version, its cases); tell it the time and the schema versions accepted."""
    with write_turn(session.get_bind().engine):  # SQLite: queue with pushes, not sleep-poll
        touch_station(
            session=session,
            station=station,
            software_version=request.software_version,
            report=request,
        )
    return HelloResponse(
        server_time=utcnow(),
        min_schema_version=settings.min_schema_version,
        max_schema_version=settings.max_schema_version,
        station_id=station.id,
        division=station.division,
        role=StationRole(station.role),
        public_base_url=settings.public_base_url,
    )
