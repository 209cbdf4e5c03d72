"""bundles routes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/bundles", tags=["bundles"])
