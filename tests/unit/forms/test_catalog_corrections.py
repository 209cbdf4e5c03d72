"""Corrections to the shipped catalog: 生育登记's marital status, 奖扶's eligibility."""

from __future__ import annotations

from typing import Any

from forms.catalog import load_catalog
from forms.validation import check_application
from tests.unit.forms.test_shipped_items import complete_application

BIRTH = "640522-WJ-001"
REWARD = "640522-WJ-002"


def _problems(code: str, **fields: Any) -> dict[str, str]:
    item = load_catalog().get(code)
    filed = complete_application(item)
    filed["fields"] = {**filed["fields"], **fields}
    return {p.field: p.message for p in check_application(item, **filed)}


def test_birth_registration_is_for_a_married_couple() -> None:
    item = load_catalog().get(BIRTH)
    assert item.version == 2
    for key in ("marital_status", "spouse_marital_status"):
        assert item.field(key).options == ["初婚", "再婚"]
    assert item.field("spouse_id_number").required
    assert item.field("marriage_date").required
    assert item.material("marriage_certificate").required
    assert item.material("marriage_certificate").shareable  # 免证办: checked by data sharing
    assert "fields.marital_status" in _problems(BIRTH, marital_status="未婚")
    assert "fields.marriage_date" in _problems(BIRTH, marriage_date="")


def test_family_planning_reward_follows_the_national_conditions() -> None:
    item = load_catalog().get(REWARD)
    assert item.version == 2
    assert "终身未生育" not in item.field("family_situation").options
    assert "未婚" not in item.field("marital_status").options
    assert "fields.family_situation" in _problems(REWARD, family_situation="终身未生育")
    assert "fields.marital_status" in _problems(REWARD, marital_status="未婚")
    # Every eligible family had a child: the children (dead ones too) are listed.
    assert any(k.startswith("fields.children") for k in _problems(REWARD, children=[]))
    refused = _problems(REWARD, no_policy_violation=False)
    assert any("1973年至2001年间有违反计划生育政策生育" in message for message in refused.values())
    assert item.material("marriage_proof").required
    assert _problems(REWARD) == {}
