"""POST /push: a batch of events; always 2xx with one result per event.

The hot path: the body is parsed straight from bytes by pydantic and the
answer serialised straight to bytes (no dict round trip through FastAPI's
encoder), which is a large share of a push's server time.
"""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.faults import fault_point
from central.services.admission import Busy, PushGate
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

_gate_lock = threading.Lock()


def _push_gate(request: Request) -> PushGate:
    """The app's push gate (admission control), made on first use from its settings."""
    state = request.app.state
    with _gate_lock:
        if getattr(state, "push_gate", None) is None:
            settings = state.settings
            state.push_gate = PushGate(settings.push_slots, settings.push_wait_s)
    gate: PushGate = state.push_gate
    return gate


GateDep = Annotated[PushGate, Depends(_push_gate)]

_OPENAPI_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": PushRequest.model_json_schema()}},
    }
}


@router.post("", response_model=PushResponse, openapi_extra=_OPENAPI_BODY)
def push(
    request: PushBody,
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    gate: GateDep,
) -> Response:
    """Apply the batch in one transaction; replaying it answers ``duplicate`` for each.

    At most ``push_slots`` pushes are applied at once per worker; beyond that, after
    ``push_wait_s``, the answer is 429 with ``Retry-After`` (nothing was applied).
    """
    schemas = SchemaRange(settings.min_schema_version, settings.max_schema_version)
    fault_point("push")  # test-only (central.faults); a no-op unless DAIBAN_CENTRAL_FAULT is set
    try:
        with gate.admitted():
            results = apply_events(
                session=session,
                station=station,
                events=request.events,
                schemas=schemas,
                catalog_path=settings.catalog_path,
            )
    except Busy:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "the centre is busy: push again after the Retry-After delay",
            headers={"Retry-After": str(settings.push_retry_after_s)},
        ) from None
    fault_point("after_push_commit")
    answer = PushResponse(results=results).model_dump_json()
    return Response(content=answer, media_type="application/json")
