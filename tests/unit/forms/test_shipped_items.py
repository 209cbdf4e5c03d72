"""Every shipped item can be filled in completely and taken in (its rules are satisfiable)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from forms.catalog import load_catalog
from forms.catalog.model import FieldSpec, ServiceItem
from forms.identity import uscc_check_char
from forms.validation import check_application
from tests.unit.forms.helpers import TODAY, id_number


def sample(spec: FieldSpec, item: ServiceItem) -> Any:
    """A valid value for a field."""
    refused_when_false = {
        rule.when.field
        for rule in item.rules
        if rule.kind == "refuse_when" and rule.when and rule.when.op == "false"
    }
    low = spec.min if spec.min is not None else Decimal(1)
    values: dict[str, Any] = {
        "text": "关桥村",
        "long_text": "家中缺乏劳动力",
        "integer": int(low),
        "money": str(low),
        "date": "2020-01-01",
        "choice": spec.options[0] if spec.options else None,
        "multi_choice": spec.options[:1],
        "boolean": spec.key in refused_when_false,
        "phone": "13995512345",
        "id_number": id_number(born="19500101", seq="222"),
        "uscc": "N2640522MA7654321" + uscc_check_char("N2640522MA7654321"),
        "bank_account": "6228480402564890018",
    }
    return values[spec.type]


def complete_application(item: ServiceItem) -> dict[str, Any]:
    fields: dict[str, Any] = {spec.key: sample(spec, item) for spec in item.fields}
    holder = id_number(born="19410101", seq="224")
    if "disability_cert_number" in fields:  # the card's number: the holder's ID, 视力一级
        fields["disability_cert_number"] = holder + "11"
    for group in item.groups:
        fields[group.key] = [{spec.key: sample(spec, item) for spec in group.fields}] * max(
            group.min_rows, 1
        )
    return {
        "applicant": {
            "name": "马秀兰",
            "id_number": holder,  # 85, female
            "phone": "13995512345",
            "address": "海原县关桥乡关桥村",
        },
        "fields": fields,
        "materials": {material.key: "provided" for material in item.materials},
        "relation": "self",
        "principal": None,
        "today": TODAY,
    }


@pytest.mark.parametrize("item", load_catalog().items, ids=lambda item: item.code)
def test_a_complete_application_is_taken_in(item: ServiceItem) -> None:
    assert check_application(item, **complete_application(item)) == []


@pytest.mark.parametrize("item", load_catalog().items, ids=lambda item: item.code)
def test_an_empty_application_is_refused_with_every_required_field(item: ServiceItem) -> None:
    problems = check_application(
        item,
        applicant={},
        fields={},
        materials={},
        relation="self",
        principal=None,
        today=TODAY,
    )
    where = {problem.field for problem in problems}
    assert {"applicant.name", "applicant.id_number", "applicant.phone"} <= where
    assert {f"fields.{spec.key}" for spec in item.fields if spec.required} <= where
    needed = {f"materials.{m.key}" for m in item.materials if m.required}
    assert needed <= where
