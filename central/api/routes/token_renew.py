"""POST /token/renew: a station whose token expired gets a new one on a signed request.

No bearer token (the station has none that works): the request is signed with the
station's enrollment signing key (``central.services.station_tokens.renew_expired``).
The body is read up to ``TOKEN_RENEW_MAX_BYTES`` before anything else is done with it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError

from central.api.deps import SessionDep, SettingsDep
from central.api.routing import ReleasingRoute
from central.db import write_turn
from central.services.station_tokens import RenewRefusedError, renew_expired
from sync.protocol import TOKEN_RENEW_MAX_BYTES, TokenRenewRequest, TokenRenewResponse

router = APIRouter(prefix="/token", tags=["sync"], route_class=ReleasingRoute)

TOO_BIG = f"the request body is larger than {TOKEN_RENEW_MAX_BYTES} bytes"


async def bounded_request(request: Request) -> TokenRenewRequest:
    """The body as a :class:`TokenRenewRequest`: 413 past the bound, 422 when invalid."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > TOKEN_RENEW_MAX_BYTES:
        raise HTTPException(413, TOO_BIG)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > TOKEN_RENEW_MAX_BYTES:
            raise HTTPException(413, TOO_BIG)
    try:
        return TokenRenewRequest.model_validate_json(bytes(body))
    except ValidationError as error:
        detail = jsonable_encoder(error.errors(include_url=False, include_context=False))
        raise HTTPException(422, detail) from None


_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": TokenRenewRequest.model_json_schema()}},
    }
}


@router.post("/renew", response_model=TokenRenewResponse, openapi_extra=_BODY)
def renew(
    request: Annotated[TokenRenewRequest, Depends(bounded_request)],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenRenewResponse:
    """Give a station whose token expired a new one, on a request signed with its
    signing key; refused (4xx with the reason) for an unknown or revoked station, a
    wrong signature, a clock more than 24 h off, or a token not expired or not held."""
    lifetime = timedelta(days=settings.station_token_days)
    try:
        with write_turn(session.get_bind().engine):
            fresh = renew_expired(
                session=session,
                request=request,
                secret_key=settings.secret_key,
                lifetime=lifetime,
            )
    except RenewRefusedError as refused:
        session.rollback()
        raise HTTPException(refused.status_code, refused.reason) from None
    return TokenRenewResponse(token=fresh.token, token_expires_at=fresh.expires_at)
