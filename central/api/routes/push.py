"""POST /push: a batch of events; always 2xx with one result per event.

The hot path: the body is parsed straight from bytes by pydantic and the
answer serialised straight to bytes (no dict round trip through FastAPI's
encoder), which is a large share of a push's server time.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.faults import fault_point
from central.services.push import SchemaRange, apply_events
from sync.protocol import PushRequest, PushResponse

router = APIRouter(prefix="/push", tags=["sync"])


async def _push_request(request: Request) -> PushRequest:
    """The body as a ``PushRequest``, validated from the raw JSON bytes (422 if it is not one)."""
    body = await request.body()
    try:
        return PushRequest.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors(include_url=False), body=body) from None


PushBody = Annotated[PushRequest, Depends(_push_request)]

_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PushRequest.model_json_schema()}},
    }
}


@router.post("", response_model=PushResponse, openapi_extra=_OPENAPI_BODY)
def push(
    request: PushBody, station: StationDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """Apply the batch in one transaction; replaying it answers ``duplicate`` for each."""
    schemas = SchemaRange(settings.min_schema_version, settings.max_schema_version)
    fault_point("push")  # test-only (central.faults); a no-op unless DAIBAN_CENTRAL_FAULT is set
    results = apply_events(
        session=session,
        station=station,
        events=request.events,
        schemas=schemas,
        catalog_path=settings.catalog_path,
    )
    fault_point("after_push_commit")
    answer = PushResponse(results=results).model_dump_json()
    return Response(content=answer, media_type="application/json")
