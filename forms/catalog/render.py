"""Plain data views of items, for ``catalog show --json`` and any API that lists them."""

from __future__ import annotations

from typing import Any

from forms.catalog.model import FieldSpec, MaterialSpec, ServiceItem


def field_json(spec: FieldSpec) -> dict[str, Any]:
    """A field as ``{"key", "label", "type", "required", "options"?, ...}``."""
    data: dict[str, Any] = {
        "key": spec.key,
        "label": spec.label,
        "type": spec.type,
        "required": spec.required,
    }
    if spec.options:
        data["options"] = list(spec.options)
    if spec.help:
        data["help"] = spec.help
    if spec.min is not None:
        data["min"] = str(spec.min)
    if spec.max is not None:
        data["max"] = str(spec.max)
    if spec.max_length is not None:
        data["max_length"] = spec.max_length
    if spec.past_only:
        data["past_only"] = True
    return data


def material_json(spec: MaterialSpec) -> dict[str, Any]:
    """A material as ``{"key", "name", "required", "deferrable", ...}`` (deferrable = 容缺)."""
    return {
        "key": spec.key,
        "name": spec.name,
        "required": spec.required,
        "deferrable": spec.deferrable,
        "shareable": spec.shareable,
        "copies": spec.copies,
        "original": spec.original,
        "handling": spec.handled,
        "standard": spec.standard,
    }


def item_summary(item: ServiceItem) -> dict[str, Any]:
    """One line of ``catalog list``: code, names, type, version and limits."""
    return {
        "code": item.code,
        "name": item.name,
        "short_name": item.short_name,
        "item_type": item.item_type,
        "version": item.version,
        "legal_days": item.legal_days,
        "promised_days": item.promised_days,
    }


def item_json(item: ServiceItem) -> dict[str, Any]:
    """An item with its fields, groups, materials and rules, as plain JSON data."""
    data = item_summary(item)
    data.update(
        aliases=list(item.aliases),
        service_object=item.service_object,
        handling_kind=item.handling_kind,
        path=item.path.model_dump(mode="json"),
        limit_note=item.limit_note,
        fee=item.fee.model_dump(mode="json", exclude_defaults=True),
        fee_text=item.fee.text(),
        basis=item.basis,
        result=item.result,
        uses_commitment=item.uses_commitment,
        contact=item.contact,
        phone=item.phone,
        county_set=list(item.county_set),
        notes=item.notes,
        fields=[field_json(spec) for spec in item.fields],
        groups=[
            {
                "key": group.key,
                "label": group.label,
                "min_rows": group.min_rows,
                "max_rows": group.max_rows,
                "fields": [field_json(spec) for spec in group.fields],
            }
            for group in item.groups
        ],
        materials=[material_json(spec) for spec in item.materials],
        rules=[rule.model_dump(mode="json", exclude_none=True) for rule in item.rules],
    )
    return data
