"""The API's OpenAPI document, made valid and truthful for client generators and schemathesis.

Two corrections to what FastAPI generates:

- a body schema given by hand (``POST /push`` parses its bytes itself) carries its
  own ``$defs``, whose ``#/$defs/...`` references do not resolve from the document's
  root: they are lifted into ``components/schemas``;
- a refusal with a reason (``HTTPException(422, "...")``) answers ``detail`` as a
  string, where FastAPI documents only its list of validation errors: both are
  documented.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

NESTED_DEFS = "#/$defs/"
COMPONENTS = "#/components/schemas/"


def install(app: FastAPI) -> None:
    """Serve the corrected document as ``app.openapi()`` (built once, then cached)."""
    build = app.openapi

    def corrected() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            lift_nested_defs(document.get("paths", {}), schemas)
            document_reasons(schemas)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = corrected  # type: ignore[method-assign]


def lift_nested_defs(node: Any, schemas: dict[str, Any]) -> None:
    """Move every ``$defs`` under ``node`` into ``schemas`` and point its references there."""
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            lift_nested_defs(schema, schemas)
            schemas.setdefault(name, schema)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(NESTED_DEFS):
            node["$ref"] = COMPONENTS + ref.removeprefix(NESTED_DEFS)
        for value in node.values():
            lift_nested_defs(value, schemas)
    elif isinstance(node, list):
        for value in node:
            lift_nested_defs(value, schemas)


def document_reasons(schemas: dict[str, Any]) -> None:
    """A 422's ``detail`` is the list of validation errors, or one reason in words."""
    error = schemas.get("HTTPValidationError")
    if error is None:
        return
    listed = error["properties"]["detail"]
    error["properties"]["detail"] = {
        "title": "Detail",
        "anyOf": [
            {key: value for key, value in listed.items() if key != "title"},
            {"type": "string"},
        ],
    }
