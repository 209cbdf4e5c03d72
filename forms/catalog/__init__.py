"""The service-item catalog (事项目录): the model, the shipped data and its loader."""

from __future__ import annotations

from forms.catalog.lint import ITEM_TYPES, CatalogError, Issue
from forms.catalog.loader import SHIPPED_CATALOG, lint_catalog_dir, load_catalog, read_catalog
from forms.catalog.model import (
    FIELD_TYPES,
    LEVEL_NAMES,
    Catalog,
    Condition,
    FieldGroup,
    FieldSpec,
    HandlingPath,
    HolidayTable,
    MaterialSpec,
    Rule,
    ServiceItem,
    canonical_json,
)

__all__ = [
    "FIELD_TYPES",
    "ITEM_TYPES",
    "LEVEL_NAMES",
    "SHIPPED_CATALOG",
    "Catalog",
    "CatalogError",
    "Condition",
    "FieldGroup",
    "FieldSpec",
    "HandlingPath",
    "HolidayTable",
    "Issue",
    "MaterialSpec",
    "Rule",
    "ServiceItem",
    "canonical_json",
    "lint_catalog_dir",
    "load_catalog",
    "read_catalog",
]
