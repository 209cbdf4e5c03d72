"""GET /catalog: the version of the service-item catalog the county publishes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from central.api.deps import StationDep

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get("")
def catalog_version(station: StationDep) -> dict[str, Any]:
    """The published catalog's version (None until the county publishes one)."""
    return {"version": None, "station_id": station.id}
