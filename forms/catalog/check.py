"""``catalog validate``: check whatever catalog file a county hands in."""

from __future__ import annotations

import tomllib
from pathlib import Path

from forms.catalog.divisions import DIVISIONS_FILE
from forms.catalog.lint import CatalogError, Issue, lint_item_file
from forms.catalog.loader import CATALOG_FILE, lint_catalog_dir


def check_path(path: Path) -> tuple[list[Issue], int]:
    """Check a catalog folder, a catalog.toml, a divisions.toml, one item .toml, or a published .json.

    Returns:
        Every issue found and the number of items that passed.
    """
    if path.suffix == ".json":
        return _check_published(path)
    if path.name == DIVISIONS_FILE:  # the table is checked against its catalog's county
        catalog, issues = lint_catalog_dir(path.parent)
        return issues, len(catalog.items) if catalog else 0
    if path.is_dir() or path.name == CATALOG_FILE or _is_catalog_header(path):
        catalog, issues = lint_catalog_dir(path)
        return issues, len(catalog.items) if catalog else 0
    item, issues = lint_item_file(path)
    return issues, int(item is not None)


def _is_catalog_header(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "code" not in data and ("version" in data and "holiday_tables" in data)


def _check_published(path: Path) -> tuple[list[Issue], int]:
    from forms.publish import verify_published

    try:
        catalog = verify_published(path.read_bytes())
    except CatalogError as exc:
        return exc.issues, 0
    except ValueError as exc:
        return [Issue(str(path), None, "", "", str(exc))], 0
    return [], len(catalog.items)
