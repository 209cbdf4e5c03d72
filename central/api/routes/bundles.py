"""POST /bundles: an offline bundle brought online (by the station or its township).

The order matters: the station's token is checked before a byte of the body is
read, the body is counted as it streams (``central.api.limits``), and what the
bundle would inflate to is bounded before any member is read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.api.limits import MAX_BUNDLE_BYTES, check_bundle_inflation, too_large
from central.api.routing import ReleasingRoute
from central.services.bundles import import_bundle_bytes
from sync.errors import BundleError
from sync.protocol import BundleImportResult

router = APIRouter(prefix="/bundles", tags=["bundles"], route_class=ReleasingRoute)


async def _bundle_bytes(request: Request, station: StationDep) -> bytes:
    """The body of an authenticated upload, within the size and inflation bounds."""
    del station  # depending on it authenticates the upload before its body is read
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > MAX_BUNDLE_BYTES:
            raise too_large(MAX_BUNDLE_BYTES)
        parts.append(part)
    data = b"".join(parts)
    check_bundle_inflation(data)
    return data


@router.post("", response_model=BundleImportResult)
def upload_bundle(
    station: StationDep,
    data: Annotated[bytes, Depends(_bundle_bytes)],
    session: SessionDep,
    settings: SettingsDep,
) -> BundleImportResult:
    """Import the bundle through the same idempotent path as a push; 422 if refused whole."""
    try:
        return import_bundle_bytes(session=session, settings=settings, data=data, carrier=station)
    except BundleError as error:
        raise HTTPException(422, error.reason) from error
