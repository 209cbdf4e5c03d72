"""Publishing the county's catalog from the county desk (同源发布), over the person's line.

The administrator edits the TOML folder, then the desk checks it here (every error
with its file and line), asks the centre for the diff against the version stations
run (``dry_run``), and publishes it as the next numbered version. The centre checks
the document again, numbers it and audits the act with the person.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from forms.catalog import Catalog, lint_catalog_dir
from forms.catalog.diff import diff_catalogs
from forms.catalog.lint import Issue
from forms.clock import format_minute
from forms.publish import publish, read_published
from station.services import _
from station.services.application import ActionRefused
from station.services.centre import CentreLine


def publish_catalog_from_desk(
    line: CentreLine, folder: Path, *, dry_run: bool = False
) -> dict[str, Any]:
    """Validate a catalog folder, then publish it at the centre (or only see its diff).

    Args:
        line: the signed-in county administrator's line to the centre (``Desk.centre()``).
        folder: the catalog folder (``catalog.toml``, ``items/``, ``divisions.toml``).
        dry_run: only check and compare; nothing is published.

    Returns:
        The centre's answer: ``number`` (None for a dry run), ``version``, ``published``
        (False when the same catalog was already published) and ``diff``
        (:meth:`forms.catalog.diff.CatalogDiff.as_dict`).

    Raises:
        ActionRefused: the folder has errors (listed); nothing was sent.
        station.services.centre.CentreError: the centre refused (an item changed without
            a new version, a reused catalog version …) or cannot be reached.
    """
    return _send(line, _checked(folder, publishing=not dry_run), dry_run=dry_run)


ERRORS_SHOWN = 10
"""The errors of a catalog folder the desk lists (``daiban central catalog validate`` lists
every one)."""


def _checked(folder: Path, *, publishing: bool = False) -> Catalog:
    """The folder's catalog, or :class:`ActionRefused` listing its errors (the first ten),
    each field named in the 办事指南's words beside its key in the file. A check says it
    found them; only a publication says nothing was published (a check said 未发布 when
    nothing had been asked to be published)."""
    catalog, issues = lint_catalog_dir(folder)
    errors = [issue for issue in issues if issue.severity == "error"]
    if catalog is None or errors:
        head = (
            _("The catalog has {count} errors; nothing was published:")
            if publishing
            else _("The check found {count} errors in the catalog:")
        )
        lines = [head.format(count=len(errors))]
        lines += [f"  {_readable(issue)}" for issue in errors[:ERRORS_SHOWN]] or [f"  {folder}"]
        if len(errors) > ERRORS_SHOWN:
            more = _("  … and {count} more (daiban central catalog validate lists them all)")
            lines.append(more.format(count=len(errors) - ERRORS_SHOWN))
        raise ActionRefused("\n".join(lines))
    return catalog


def _readable(issue: Issue) -> str:
    """``06-old-age-allowance.toml:11: 640522-MZ-005: 承诺时限（工作日）(promised_days): 应为整数``:
    the file's name (the folder is the one typed), and the field in words."""
    place = Path(issue.source).name + (f":{issue.line}" if issue.line else "")
    parts = (place, issue.item, issue.where_named, issue.message)
    return ": ".join(part for part in parts if part)


def _send(line: CentreLine, catalog: Catalog, *, dry_run: bool) -> dict[str, Any]:
    document = json.loads(publish(catalog))
    path = "/admin/catalog?dry_run=true" if dry_run else "/admin/catalog"
    answer: dict[str, Any] = line.post(path, document)
    return answer


@dataclass(frozen=True)
class PublishedVersion:
    """A catalog version the county published."""

    number: int
    version: str
    published_at: str
    """China time, ``2026-12-02 09:30``."""
    published_by: str


def published_versions(line: CentreLine, who: Callable[[str], str] = str) -> list[PublishedVersion]:
    """Every version the county published, newest first; ``who``: the publisher's name
    from the account's username (:func:`station.services.county_admin.person_name`)."""
    rows = line.get("/admin/catalog/versions")
    return [
        PublishedVersion(
            number=int(row["number"]),
            version=str(row["version"]),
            published_at=format_minute(datetime.fromisoformat(row["published_at"])),
            published_by=who(str(row["published_by"])),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class CatalogCheck:
    """A catalog folder checked against what stations run now."""

    folder: Path
    version: str
    lines: list[str]
    """The diff, one readable line per change (the desk's language)."""
    changed: bool


def check_catalog_folder(line: CentreLine, folder: Path) -> CatalogCheck:
    """Check a folder (errors by file and line), have the centre check it too (a dry run),
    and compare it with the catalog stations run now, in the desk's language.

    Raises:
        ActionRefused: the folder has errors, or is not there.
        CentreError: the centre refused it or cannot be reached.
    """
    if not (folder / "catalog.toml").is_file():
        raise ActionRefused(
            _("Catalog folder: {folder} has no catalog.toml.").format(folder=folder)
        )
    catalog = _checked(folder)  # linted once: the centre's dry run gets the same catalog
    answer = _send(line, catalog, dry_run=True)
    served = read_published(line.download("/catalog/file")).catalog
    diff = diff_catalogs(served, catalog)
    return CatalogCheck(folder, str(answer["version"]), diff.lines(), not diff.empty)
