"""GET /catalog (its version) and GET /catalog/file (the published document)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from central.api.deps import SettingsDep, StationDep
from central.services.catalog import catalog_version, published_catalog
from forms.catalog.lint import CatalogError

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get("")
def version(station: StationDep, settings: SettingsDep) -> dict[str, str | None]:
    """The version of the catalog the county publishes."""
    return {"version": catalog_version(settings.catalog_path)}


@router.get("/file")
def document(station: StationDep, settings: SettingsDep) -> Response:
    """The published catalog document (JSON with its own SHA-256)."""
    try:
        data = published_catalog(settings.catalog_path)
    except CatalogError as error:
        raise HTTPException(503, f"the county's catalog has errors: {error}") from error
    return Response(data, media_type="application/json")
