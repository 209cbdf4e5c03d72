"""The catalog as the county centre sends it down (同源发布): canonical JSON with a SHA-256.

Document layout (UTF-8 JSON)::

    {"format": "daiban-catalog", "format_version": 2, "number": 3,
     "version": "2026.11.1", "sha256": "<hex>", "catalog": {...}}

``sha256`` is taken over the canonical JSON of ``catalog`` (sorted keys, no
spaces, UTF-8). A station verifies it before using the catalog; the transport
(the authenticated sync channel, or a signed offline bundle) vouches for who
sent it.

Format 2 (this software writes it) adds ``number``, the centre's publication
number (1, 2, 3 …; 0 for a catalog the centre serves unpublished), and
promises that ``catalog`` carries the county's division table (``divisions``)
and its holiday tables (``holiday_tables``), so they travel with the items
under the same checksum. Format 1 documents are still read: they have no
number (0) and may predate the division table (:attr:`Published.carries_tables`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from forms.catalog.lint import CatalogError, Issue, lint_item_data
from forms.catalog.model import Catalog, ServiceItem, canonical_json
from forms.messages import _

FORMAT = "daiban-catalog"
FORMAT_VERSION = 2
READABLE_FORMAT_VERSIONS = (1, 2)
"""Document formats this software reads (older stations read only format 1)."""
TRAVELLING_TABLES = ("divisions", "holiday_tables")
"""What a format-2 catalog carries besides its items."""


@dataclass(frozen=True)
class Published:
    """A verified published document: its catalog and what the envelope says of it."""

    catalog: Catalog
    number: int
    """The centre's publication number (0: unnumbered, or a format-1 document)."""
    sha256: str
    format_version: int
    carries_tables: bool
    """The document carries the division and holiday tables (always from format 2 on)."""


def catalog_checksum(catalog: Catalog) -> str:
    """SHA-256 (hex) of the catalog's canonical JSON."""
    return hashlib.sha256(canonical_json(catalog.model_dump(mode="json"))).hexdigest()


def publish(catalog: Catalog, number: int = 0) -> bytes:
    """The published document of a catalog (canonical JSON bytes).

    Args:
        catalog: the catalog, with its division and holiday tables.
        number: the centre's publication number (0: not a numbered publication).
    """
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "number": number,
        "version": catalog.version,
        "sha256": catalog_checksum(catalog),
        "catalog": catalog.model_dump(mode="json"),
    }
    return canonical_json(document)


def verify_published(data: bytes) -> Catalog:
    """Check a published document and return its catalog.

    Raises:
        ValueError: not a catalog document, an unknown format version, a checksum
            that does not match, or content that fails validation
            (:class:`~forms.catalog.CatalogError`, a ValueError).
    """
    return read_published(data).catalog


def read_published(data: bytes) -> Published:
    """Check a published document (format 1 or 2) and return it with its envelope.

    Raises:
        ValueError: as :func:`verify_published`; also a format-2 document whose
            catalog lacks its division or holiday tables.
    """
    document = _document(data)
    payload = document.get("catalog")
    if not isinstance(payload, dict):
        raise ValueError(_("not a daiban catalog document"))
    actual = hashlib.sha256(canonical_json(payload)).hexdigest()
    if actual != document.get("sha256"):
        raise ValueError(
            _("catalog checksum mismatch: the document was altered or damaged in transit")
        )
    carries = all(key in payload for key in TRAVELLING_TABLES)
    version = int(document["format_version"])
    if version >= 2 and not carries:
        raise ValueError(_("not a daiban catalog document"))
    number = document.get("number", 0)
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise ValueError(_("not a daiban catalog document"))
    return Published(_catalog_from(payload), number, actual, version, carries)


def _document(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(_("not a daiban catalog document: {error}").format(error=exc)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(_("not a daiban catalog document"))
    if document.get("format_version") not in READABLE_FORMAT_VERSIONS:
        message = _("catalog format version {version} is not supported; update daiban")
        raise ValueError(message.format(version=document.get("format_version")))
    return document


def _catalog_from(payload: dict[str, Any]) -> Catalog:
    items_raw = payload.get("items") or []
    issues: list[Issue] = []
    items: list[ServiceItem] = []
    for raw in items_raw if isinstance(items_raw, list) else []:
        item, item_issues = lint_item_data(raw, "", "catalog.json")
        issues += [issue for issue in item_issues if issue.severity == "error"]
        if item is not None:
            items.append(item)
    retired: list[ServiceItem] = []
    for raw in payload.get("retired") or []:
        item, item_issues = lint_item_data(raw, "", "catalog.json")
        issues += [issue for issue in item_issues if issue.severity == "error"]
        if item is not None:
            retired.append(item)
    if issues:
        raise CatalogError(issues)
    header = Catalog.model_validate({**payload, "items": [], "retired": []})
    return header.model_copy(update={"items": items, "retired": retired})


def changed_without_new_version(old: Catalog, new: Catalog) -> list[str]:
    """Item codes whose content changed while their version number did not.

    A published item version is immutable: a county that edits an item must
    raise its ``version``. Run this before publishing a new catalog. A version the
    county has since replaced (kept in ``retired`` for the cases filed under it) is
    as immutable as the current one: bringing it back with other content would give
    two contents one label, and the cases filed under it the new one.
    """
    before = {(item.code, item.version): item.fingerprint() for item in [*old.retired, *old.items]}
    return [
        item.code
        for item in new.items
        if before.get((item.code, item.version), item.fingerprint()) != item.fingerprint()
    ]


def supersede(previous: Catalog, new: Catalog) -> Catalog:
    """The new catalog, keeping the previous catalog's item versions that it replaces.

    Cases filed under an older version still find it (``Catalog.get(code, version)``).

    Raises:
        ValueError: an item changed without a new version number (published versions are immutable).
    """
    changed = changed_without_new_version(previous, new)
    if changed:
        message = _("changed without a new version number: {codes}")
        raise ValueError(message.format(codes=", ".join(changed)))
    current = {(item.code, item.version) for item in new.items}
    kept = [
        item
        for item in [*previous.retired, *previous.items]
        if (item.code, item.version) not in current
    ]
    unique = {(item.code, item.version): item for item in kept}
    return new.model_copy(update={"retired": list(unique.values())})
