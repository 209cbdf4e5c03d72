"""Loading a catalog: a folder (catalog.toml + items/*.toml) or a published JSON document."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from forms.catalog.divisions import DIVISIONS_FILE, lint_divisions_file
from forms.catalog.lint import (
    CatalogError,
    Issue,
    _Reporter,
    _structure,
    lint_item_file,
    parse_toml,
)
from forms.catalog.model import Catalog, Division
from forms.messages import _

SHIPPED_CATALOG = Path(__file__).parent
"""The catalog shipped with daiban: ``forms/catalog/catalog.toml`` and ``items/``."""

CATALOG_FILE = "catalog.toml"
ITEMS_DIR = "items"


def _catalog_file(path: Path) -> Path:
    return path / CATALOG_FILE if path.is_dir() else path


def lint_catalog_header(path: Path) -> tuple[Catalog | None, list[Issue]]:
    """Check a catalog.toml (county, version, holiday tables), without its items."""
    text = path.read_text(encoding="utf-8")
    raw, issues = parse_toml(text, str(path))
    if raw is None:
        return None, issues
    header = {key: value for key, value in raw.items() if key != "items_dir"}
    reporter = _Reporter(str(path), text, header)
    reporter.item = ""
    catalog = _structure(Catalog, header, reporter)
    for index, table in enumerate(header.get("holiday_tables") or []):
        if not isinstance(table, dict):
            continue
        _check_table(table, index, reporter)
    return (catalog if not reporter.issues else None), issues + reporter.issues


def _check_table(table: dict[str, Any], index: int, reporter: _Reporter) -> None:
    year = table.get("year")
    for key in ("holidays", "workdays"):
        for day in table.get(key) or []:
            if hasattr(day, "year") and day.year != year:
                message = _("{day} is not in {year}").format(day=day, year=year)
                reporter.add(("holiday_tables", index, key), message)
    both = set(table.get("holidays") or []) & set(table.get("workdays") or [])
    for day in sorted(both):
        message = _("{day} is both a holiday and a working day").format(day=day)
        reporter.add(("holiday_tables", index, "workdays"), message)


def lint_catalog_dir(path: Path) -> tuple[Catalog | None, list[Issue]]:
    """Check a catalog folder (or its catalog.toml), every item file and the division table.

    Returns:
        The catalog (None when any error was found) and every issue.
    """
    catalog_file = _catalog_file(path)
    header, issues = lint_catalog_header(catalog_file)
    items = []
    seen: dict[str, str] = {}
    for item_file in sorted((catalog_file.parent / ITEMS_DIR).glob("*.toml")):
        item, item_issues = lint_item_file(item_file)
        issues += item_issues
        if item is None:
            continue
        if item.code in seen:
            message = _("item code {code} is also used by {other}").format(
                code=item.code, other=seen[item.code]
            )
            issues.append(Issue(str(item_file), 1, f"{item.code} {item.name}", "code", message))
            continue
        seen[item.code] = item_file.name
        items.append(item)
    divisions: list[Division] | None = []
    table = catalog_file.parent / DIVISIONS_FILE
    if table.exists():
        county = header.division if header is not None else ""
        divisions, table_issues = lint_divisions_file(table, county)
        issues += table_issues
    if header is None or any(issue.severity == "error" for issue in issues):
        return None, issues
    return header.model_copy(update={"items": items, "divisions": divisions or []}), issues


def read_catalog(path: Path) -> Catalog:
    """Read a catalog folder, catalog.toml or published ``.json`` document, refusing any error.

    Raises:
        CatalogError: the catalog has errors (each with file and line).
        ValueError: a published document failed its checksum.
    """
    if path.suffix == ".json":
        from forms.publish import verify_published

        return verify_published(path.read_bytes())
    catalog, issues = lint_catalog_dir(path)
    if catalog is None:
        raise CatalogError([issue for issue in issues if issue.severity == "error"])
    return catalog


@lru_cache(maxsize=8)
def _cached(path: Path, stamp: float) -> Catalog:
    return read_catalog(path)


def load_catalog(path: Path | None = None) -> Catalog:
    """The catalog at ``path`` (None: the shipped one), cached until its file changes.

    Args:
        path: a catalog folder, its catalog.toml, or a published ``.json`` document.

    Raises:
        CatalogError: the catalog has errors.
    """
    resolved = (path or SHIPPED_CATALOG).resolve()
    target = _catalog_file(resolved)
    stamp = max([target.stat().st_mtime, *_item_stamps(target)])
    return _cached(resolved, stamp)


def _item_stamps(catalog_file: Path) -> list[float]:
    items = catalog_file.parent / ITEMS_DIR
    if catalog_file.suffix == ".json" or not items.is_dir():
        return []
    table = catalog_file.parent / DIVISIONS_FILE
    tables = [table.stat().st_mtime] if table.exists() else []
    return [
        items.stat().st_mtime,
        *tables,
        *(item.stat().st_mtime for item in items.glob("*.toml")),
    ]
