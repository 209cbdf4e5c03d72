"""F4 before intake with an "at least one of" rule unmet (身份证或户口簿): the walkthrough got
"必需材料都已提供，无需一次性告知" while the check page said one of them was missing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from forms.catalog import load_catalog
from forms.validation import Problem
from station.screens.intake import IntakeScreen
from station.services.paper import _alternatives


def _medical_insurance() -> Any:
    catalog = load_catalog(None)
    return catalog.get("640522-YB-001")


def test_an_unmet_one_of_rule_puts_its_materials_on_the_one_time_notice() -> None:
    item = _medical_insurance()
    screen = IntakeScreen.__new__(IntakeScreen)
    screen.item = item
    screen.draft = SimpleNamespace(materials={})
    problem = Problem("rule:identity", "须提供身份证或户口簿：居民身份证、户口簿至少提交一项")
    assert screen._missing_materials([problem]) == ["id_card", "hukou"]
    warning = Problem("rule:identity", "…", severity="warning")
    assert screen._missing_materials([warning]) == []


def test_the_notice_says_one_of_them_is_enough() -> None:
    item = _medical_insurance()
    notes = _alternatives(item, {"id_card", "hukou"})
    names = "、".join(item.material(key).name for key in ("id_card", "hukou"))
    assert notes == dict.fromkeys(("id_card", "hukou"), f"{names}提交其中一项即可")
    assert _alternatives(item, {"application_form"}) == {}
