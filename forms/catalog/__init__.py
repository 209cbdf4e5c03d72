"""The service-item catalog (事项目录): the model, the shipped data and its loader."""

from __future__ import annotations

from forms.catalog.divisions import (
    DIVISIONS_FILE,
    OutsideCounty,
    handling_division,
    lint_divisions_file,
)
from forms.catalog.lint import ITEM_TYPES, CatalogError, Issue
from forms.catalog.loader import SHIPPED_CATALOG, lint_catalog_dir, load_catalog, read_catalog
from forms.catalog.model import (
    DOCUMENT_WORDS,
    FIELD_TYPES,
    LEVEL_NAMES,
    Catalog,
    Condition,
    Division,
    FieldGroup,
    FieldSpec,
    HandlingPath,
    HolidayTable,
    MaterialSpec,
    Rule,
    ServiceItem,
    canonical_json,
    county_code,
    township_code,
)

__all__ = [
    "DIVISIONS_FILE",
    "DOCUMENT_WORDS",
    "FIELD_TYPES",
    "ITEM_TYPES",
    "LEVEL_NAMES",
    "SHIPPED_CATALOG",
    "Catalog",
    "CatalogError",
    "Condition",
    "Division",
    "FieldGroup",
    "FieldSpec",
    "HandlingPath",
    "HolidayTable",
    "Issue",
    "OutsideCounty",
    "MaterialSpec",
    "Rule",
    "ServiceItem",
    "canonical_json",
    "county_code",
    "handling_division",
    "lint_divisions_file",
    "township_code",
    "lint_catalog_dir",
    "load_catalog",
    "read_catalog",
]
