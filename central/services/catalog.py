"""The service-item catalog the county publishes to its stations (同源发布)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from central.services.catalog_versions import served_from
from forms.catalog import Catalog
from forms.catalog.lint import CatalogError
from forms.catalog.loader import load_catalog
from forms.publish import publish
from sync.protocol import CatalogInfo


def catalog_version(path: Path | None) -> str | None:
    """The published catalog's version, or None when it cannot be read.

    Cheap enough for every pull: the loader caches until a file changes.
    """
    try:
        return load_catalog(path).version
    except (CatalogError, OSError, ValueError):
        return None


def announced_from(row: Sequence[Any] | None, path: Path | None) -> CatalogInfo:
    """The catalog stations should run (the latest published, else the configured one):
    its number, version and hash, all None when it cannot be read; every pull page
    announces it. ``row``: the latest published version's number, version and hash as
    read with the page's status (``catalog_versions.LATEST_COLUMNS``)."""
    try:
        served = served_from(row, path)
    except (CatalogError, OSError, ValueError):
        return CatalogInfo()
    return CatalogInfo(number=served.number, version=served.version, sha256=served.sha256)


def published_catalog(path: Path | None) -> bytes:
    """The catalog as the published document stations download (canonical JSON + SHA-256).

    Raises:
        CatalogError: the county's catalog has errors.
    """
    return publish(load_catalog(path))


def handling_levels(catalog: Catalog, item_code: str) -> tuple[str | None, str | None]:
    """Who decides (办结) and who accepts (受理) an item, by ``catalog``'s handling path.

    Returns:
        ``(decide, accept)``: ``township``, ``county``…; ``(None, None)`` for an item the
        catalog does not have (the lifecycle's role rules still hold).
    """
    try:
        path = catalog.get(item_code).path
    except KeyError:
        return None, None
    return path.decide, path.accept
