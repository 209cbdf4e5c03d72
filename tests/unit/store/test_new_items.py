"""The three items added for a Haiyuan village station: shown by the CLI, taken in by the desk's core."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from daiban.cli import app
from forms.catalog import load_catalog
from forms.workdays import supply_by
from station.services.cases import Application, CaseService, ValidationFailed, today_in_china
from station.store import StationStore
from tests.unit.store.conftest import id_number

CERTIFICATION = "640522-RS-005"
ELSEWHERE = "640522-YB-002"
HUKOU = "640522-GA-002"

APPLICATIONS: dict[str, dict[str, Any]] = {
    CERTIFICATION: {
        "fields": {
            "method": "工作人员上门认证",
            "residence": "本地居住",
            "mobility": "长期卧床",
            "current_address": "海原县海城镇山门村三组12号",
        },
        "materials": {"id_card": "provided", "ss_card": "provided"},
    },
    ELSEWHERE: {
        "fields": {
            "insurance_type": "城乡居民基本医疗保险",
            "filing_type": "异地长期居住人员",
            "destination": "陕西省西安市",
            "away_address": "西安市雁塔区某小区5号楼",
            "start_date": "2026-12-01",
        },
        "materials": {"id_card": "provided", "filing_form": "provided", "commitment": "provided"},
    },
    HUKOU: {
        "fields": {
            "move_type": "夫妻投靠（婚迁）",
            "from_address": "甘肃省白银市会宁县某某村",
            "to_address": "海原县海城镇山门村二组8号",
            "householder_name": "马占山",
            "householder_id_number": id_number("64052219880406001"),
            "relation_to_householder": "配偶",
        },
        "materials": {
            "id_card": "provided",
            "hukou_from": "shared",
            "hukou_to": "provided",
            "householder_consent": "deferred",
            "marriage_certificate": "shared",
        },
    },
}


def _application(code: str, **changes: Any) -> Application:
    data = {
        "item_code": code,
        "applicant": {
            "name": "马秀英",
            "id_number": id_number("64052219550310002"),
            "phone": "13800000003",
        },
        **APPLICATIONS[code],
    }
    if code == HUKOU:  # the 户主's consent is 容缺: brought within the item's defer_days
        item = load_catalog().get(HUKOU)
        data["supply_by"] = {"householder_consent": supply_by(item, today_in_china()).date}
    for key, value in changes.items():
        data[key] = {**data.get(key, {}), **value}
    return Application.model_validate(data)


@pytest.mark.parametrize("code", [CERTIFICATION, ELSEWHERE, HUKOU])
def test_catalog_show_json(code: str) -> None:
    result = CliRunner().invoke(app, ["catalog", "show", code, "--json"])
    assert result.exit_code == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["code"] == code and item["fields"] and item["materials"]
    assert item["fee"] == {"free": True} | (
        {"basis": "户口登记不收取费用"} if code == HUKOU else {}
    )
    assert item["fee_text"] == "免费"
    assert item["path"]["intake"] == "village"


@pytest.mark.parametrize("code", [CERTIFICATION, ELSEWHERE, HUKOU])
def test_a_village_station_takes_it_in(
    code: str, service: CaseService, store: StationStore
) -> None:
    case = service.take_in(_application(code))
    assert case.state == "received"
    assert case.item_code == code and case.item_name == service.catalog.get(code).name
    assert store.count_cases() == 1


@pytest.mark.parametrize(
    ("code", "changes", "problem"),
    [
        (CERTIFICATION, {"fields": {"current_address": ""}}, "fields.current_address"),
        (ELSEWHERE, {"materials": {"commitment": "missing"}}, "materials.commitment"),
        (HUKOU, {"fields": {"move_type": "购房迁入"}}, "materials.property_proof"),
    ],
)
def test_its_rules_refuse_what_the_office_would(
    code: str, changes: dict[str, Any], problem: str, service: CaseService, store: StationStore
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.take_in(_application(code, **changes))
    assert problem in {p.field for p in caught.value.problems}
    assert store.count_cases() == 0
