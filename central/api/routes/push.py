"""POST /push: a batch of events; always 2xx with one result per event."""

from __future__ import annotations

from fastapi import APIRouter

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.services.push import SchemaRange, apply_events
from sync.protocol import PushRequest, PushResponse

router = APIRouter(prefix="/push", tags=["sync"])


@router.post("", response_model=PushResponse)
def push(
    request: PushRequest, station: StationDep, session: SessionDep, settings: SettingsDep
) -> PushResponse:
    """Apply the batch in one transaction; replaying it answers ``duplicate`` for each."""
    schemas = SchemaRange(settings.min_schema_version, settings.max_schema_version)
    results = apply_events(session=session, station=station, events=request.events, schemas=schemas)
    return PushResponse(results=results)
