"""GET /catalog (the version stations should run) and GET /catalog/file (its document)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from central.api.deps import SessionDep, SettingsDep, StationDep
from central.services.catalog_versions import served_catalog, served_document
from forms.catalog.lint import CatalogError

router = APIRouter(tags=["catalog"])


@router.get("/catalog")
def version(
    station: StationDep, session: SessionDep, settings: SettingsDep
) -> dict[str, str | int | None]:
    """The catalog the county publishes now: its number (0: none published yet), version, hash."""
    try:
        served = served_catalog(session=session, path=settings.catalog_path)
    except CatalogError:
        return {"number": None, "version": None, "sha256": None}
    return {"number": served.number, "version": served.version, "sha256": served.sha256}


@router.get("/catalog/file")
def document(
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    number: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """A published catalog document (JSON with its own SHA-256): the latest, or ``?number=N``."""
    try:
        data = served_document(session=session, path=settings.catalog_path, number=number)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    except CatalogError as error:
        raise HTTPException(503, f"the county's catalog has errors: {error}") from error
    return Response(data, media_type="application/json")
