"""Attachments: HEAD/GET /blobs/{sha256}, GET .../status, GET .../case/{case_id} (a case's
scan, scoped), PUT ?offset=N&size=S (resumable)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.api.routing import ReleasingRoute
from central.faults import fault_point
from central.services.blobs import (
    BlobError,
    blob_status,
    put_chunk,
    readable_blob,
    readable_case_blob,
)
from central.services.blobs import (
    too_large as _too_large,
)
from sync.protocol import BlobStatus

router = APIRouter(prefix="/blobs", tags=["blobs"], route_class=ReleasingRoute)


def _http(error: BlobError) -> HTTPException:
    return HTTPException(error.status_code, error.message)


@router.get("/{sha256}/status", response_model=BlobStatus)
def status(sha256: str, station: StationDep, session: SessionDep) -> BlobStatus:
    """How much of the blob the centre holds (404 when nothing)."""
    held = blob_status(session=session, sha256=sha256)
    if held is None:
        raise HTTPException(404, "the centre does not hold this blob")
    return held


@router.head("/{sha256}")
def head(sha256: str, station: StationDep, session: SessionDep) -> Response:
    """200 when the blob is complete here (with ``X-Blob-Received``), else 404."""
    held = blob_status(session=session, sha256=sha256)
    received = str(held.received if held else 0)
    code = 200 if held is not None and held.complete else 404
    return Response(status_code=code, headers={"X-Blob-Received": received})


@router.get("/{sha256}")
def fetch(
    sha256: str, station: StationDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """The blob's bytes, for a station whose scope holds a case referencing it."""
    try:
        path = readable_blob(
            session=session, station=station, blob_dir=settings.blob_dir, sha256=sha256
        )
    except BlobError as error:
        raise _http(error) from error
    return FileResponse(path, media_type="application/octet-stream")


@router.get("/{sha256}/case/{case_id}")
def fetch_for_case(
    sha256: str, case_id: UUID, station: StationDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """A scan of one case, for a station whose scope holds the case (403 otherwise)."""
    try:
        path = readable_case_blob(
            session=session,
            station=station,
            blob_dir=settings.blob_dir,
            sha256=sha256,
            case_id=case_id,
        )
    except BlobError as error:
        raise _http(error) from error
    return FileResponse(path, media_type="application/octet-stream")


async def _chunk(request: Request, settings: SettingsDep, station: StationDep) -> bytes:
    """The request body of an authenticated station, refused with 413 past the attachment limit."""
    del station  # depending on it authenticates the upload before its body is read
    limit = settings.max_blob_bytes
    if int(request.headers.get("content-length") or 0) > limit:
        raise _http(_too_large(limit))
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            raise _http(_too_large(limit))
        parts.append(part)
    return b"".join(parts)


ChunkDep = Annotated[bytes, Depends(_chunk)]


@router.put("/{sha256}", response_model=BlobStatus)
def upload(
    sha256: str,
    data: ChunkDep,
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    size: Annotated[int | None, Query(ge=0)] = None,
) -> BlobStatus:
    """Append one chunk at ``offset`` (409 if the centre holds a different amount)."""
    try:
        held = put_chunk(
            session=session,
            station=station,
            blob_dir=settings.blob_dir,
            sha256=sha256,
            offset=offset,
            data=data,
            size=size if size is not None else offset + len(data),
            max_bytes=settings.max_blob_bytes,
        )
    except BlobError as error:
        raise _http(error) from error
    fault_point("mid_blob")  # test-only (central.faults): the chunk is stored, not answered
    return held
