"""GET /catalog (the version stations should run), GET /catalog/file (its document), and
POST /admin/catalog (a county administrator publishes a new version from the desk)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, Response

from central.api.deps import AdminDep, SessionDep, SettingsDep, StationDep
from central.api.routing import ReleasingRoute
from central.services.catalog_versions import (
    PublishRefused,
    catalog_versions,
    prepare_publication,
    publish_document,
    published_as,
    published_when,
    served_catalog,
    served_document,
)
from forms.catalog.lint import CatalogError
from forms.catalog.model import canonical_json
from forms.publish import read_published

router = APIRouter(tags=["catalog"], route_class=ReleasingRoute)


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


@router.post("/admin/catalog")
def publish(
    admin: AdminDep,
    session: SessionDep,
    settings: SettingsDep,
    document: Annotated[dict[str, Any], Body()],
    dry_run: bool = False,
) -> dict[str, Any]:
    """Publish a catalog document as the next numbered version (audited with the person).

    ``?dry_run=true`` only checks it and answers the diff against the served version.
    """
    data = canonical_json(document)
    try:
        if dry_run:
            catalog = read_published(data).catalog
            merged, diff = prepare_publication(
                session=session, path=settings.catalog_path, catalog=catalog
            )
            published_as(session=session, path=settings.catalog_path, merged=merged)
            return {
                "number": None,
                "version": merged.version,
                "published": False,
                "diff": diff.as_dict(),
            }
        outcome = publish_document(
            session=session,
            path=settings.catalog_path,
            data=data,
            published_by=admin.user.username,
            person=admin,
        )
    except PublishRefused as error:
        raise HTTPException(409, str(error)) from error
    except ValueError as error:  # damaged, or a catalog with errors (CatalogError)
        raise HTTPException(422, str(error)) from error
    return {
        "number": outcome.number,
        "version": outcome.version,
        "sha256": outcome.sha256,
        "published": outcome.created,
        "diff": outcome.diff.as_dict(),
    }


@router.get("/admin/catalog/versions")
def versions(admin: AdminDep, session: SessionDep) -> list[dict[str, Any]]:
    """Every published version, newest first (number, version, hash, when, by whom)."""
    del admin  # a county administrator in person
    rows = sorted(catalog_versions(session=session), key=lambda row: row.number, reverse=True)
    return [
        {
            "number": row.number,
            "version": row.version,
            "sha256": row.sha256,
            "published_at": published_when(row),
            "published_by": row.published_by,
        }
        for row in rows
    ]
