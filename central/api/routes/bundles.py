"""POST /bundles: an offline bundle brought online (by the station or its township)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.services.bundles import import_bundle_bytes
from sync.errors import BundleError
from sync.protocol import BundleImportResult

router = APIRouter(prefix="/bundles", tags=["bundles"])

MAX_BUNDLE_BYTES = 512 * 1024 * 1024


async def _bundle_bytes(request: Request) -> bytes:
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > MAX_BUNDLE_BYTES:
            raise HTTPException(413, "the bundle is too large to upload; import it at the county")
        parts.append(part)
    return b"".join(parts)


@router.post("", response_model=BundleImportResult)
def upload_bundle(
    data: Annotated[bytes, Depends(_bundle_bytes)],
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
) -> BundleImportResult:
    """Import the bundle through the same idempotent path as a push; 422 if refused whole."""
    try:
        return import_bundle_bytes(session=session, settings=settings, data=data, carrier=station)
    except BundleError as error:
        raise HTTPException(422, error.reason) from error
