"""The centre's lean case view (``central.models.stored_view`` and ``whole_view``): the
application its ``created`` payload holds is left out of the stored view and put back on
reading, and the view read back is the view written, field by field, whatever changed
since the case was filed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from central.models import LEAN_FIELDS, VIEW_COLUMNS, stored_view, whole_view
from sync.payloads import Person
from sync.views import CaseState, CaseView

CASE_ID = UUID("01a24a28-b1e5-7e5b-830a-65e4aa0cd222")

BODY: dict[str, Any] = {
    "kind": "application",
    "item_code": "640522-YB-001",
    "item_version": "2",
    "item_name": "城乡居民基本医疗保险参保登记",
    "catalog_version": "0:2026.11.3",
    "promised_days": 0,
    "applicant": {"name": "廖刚勇", "id_number": "640522195001011017", "phone": "18030437866"},
    "relation": "self",
    "principal": None,
    "fields": {"hukou_address": "杨郎村5组16号", "category": "特困人员", "insured_year": 2027},
    "materials": {"id_card": "provided", "status_proof": "shared"},
    "supply_by": {},
    "attachments": [],
    "commitment": True,
    "station_name": "杨郎村便民服务站",
    "agent_name": "马占",
    "agent_phone": "",
    "progress_key": "SRGa8sHSMIQJuYAdKQdccg",
}
"""A ``created`` payload as a village desk writes it (the applicant without an address)."""


def _filed(**changes: Any) -> CaseView:
    """The case as the reducer leaves it once submitted, with ``changes``."""
    view = CaseView(
        case_id=CASE_ID,
        case_number="640522100201-20261206-0001",
        division="640522100201",
        item_code=BODY["item_code"],
        item_version="2",
        item_name=BODY["item_name"],
        catalog_version=BODY["catalog_version"],
        state=CaseState.submitted,
        version=3,
        applicant=Person(**BODY["applicant"]),
        fields=BODY["fields"],
        materials=BODY["materials"],
        commitment=True,
        station_id="0193a3f0-0000-7000-8000-000000000001",
        station_name=BODY["station_name"],
        agent_name=BODY["agent_name"],
        progress_key=BODY["progress_key"],
        promised_days=0,
        created_at=datetime(2026, 12, 6, 7, 2, 15, tzinfo=UTC),
        submitted_at=datetime(2026, 12, 6, 7, 2, 16, tzinfo=UTC),
    )
    return view.model_copy(update=changes)


def _row(view: CaseView) -> dict[str, Any]:
    """The ``case_state`` row's columns (``VIEW_COLUMNS``)."""
    row = {name: getattr(view, name) for name in VIEW_COLUMNS if name != "owner_station"}
    return row | {"state": view.state.value, "owner_station": view.station_id}


def _read_back(view: CaseView, body: dict[str, Any] | None) -> tuple[CaseView, CaseView, str]:
    """The view written and read back both ways the centre reads it: as JSON text (the
    push) and as the dicts the JSON type gives (reports); and the stored text."""
    stored = stored_view(view, body)
    body_text = json.dumps(body, ensure_ascii=False) if body is not None else None
    as_text = CaseView.model_validate_json(whole_view(_row(view), stored, body_text))
    as_dict = CaseView.model_validate(whole_view(_row(view), json.loads(stored), body))
    return as_text, as_dict, stored


def test_a_case_as_filed_stores_only_what_happened_since() -> None:
    view = _filed()

    as_text, as_dict, stored = _read_back(view, BODY)

    assert as_text == view and as_dict == view
    held = json.loads(stored)
    assert set(held) == {"created_at", "submitted_at"}  # the application is the payload's
    assert len(stored.encode()) < len(stored_view(view).encode()) / 4


@pytest.mark.parametrize(
    "changes",
    [
        # 补正: a material brought, the phone corrected, a field added
        {
            "materials": {"id_card": "provided", "status_proof": "provided"},
            "applicant": Person(name="廖刚勇", id_number="640522195001011017", phone="13900000000"),
            "fields": {**BODY["fields"], "bank": "黄河农商银行"},
        },
        # back at a default the payload does not hold: no commitment, no materials, no days
        {"commitment": False, "materials": {}, "promised_days": None, "item_name": ""},
        # an address added to the applicant (the payload's has none)
        {"applicant": Person(name="廖刚勇", id_number="640522195001011017", address="杨郎村")},
        {"applicant": None, "progress_key": ""},
    ],
)
def test_what_changed_since_filing_is_stored_and_read_back(changes: dict[str, Any]) -> None:
    view = _filed(**changes)

    as_text, as_dict, stored = _read_back(view, BODY)

    assert as_text == view and as_dict == view
    assert set(changes) <= set(json.loads(stored))


def test_a_payload_key_naming_another_field_never_stands_in_for_the_view() -> None:
    """A payload keeps keys it does not know: one named as a field of the view the
    reducer does not take from it (claimed_by, accepted_at, history) is never read as
    the view's, and a JSON path reader of that field reads the stored view alone."""
    body = BODY | {"claimed_by": "wangfang", "accepted_at": "2026-12-07T01:00:00Z"}
    body |= {"history": [{"event_id": str(CASE_ID), "kind": "accepted"}], "rating": 1}
    unclaimed, claimed = _filed(), _filed(claimed_by="wangfang")

    for view in (unclaimed, claimed):
        as_text, as_dict, stored = _read_back(view, body)
        assert as_text == view and as_dict == view
        assert json.loads(stored).get("claimed_by") == view.claimed_by  # the SQL path's


def test_a_view_without_a_payload_is_stored_whole() -> None:
    view = _filed(materials={})

    as_text, as_dict, stored = _read_back(view, None)

    assert as_text == view and as_dict == view
    assert json.loads(stored)["applicant"]["name"] == "廖刚勇"


def test_only_the_application_is_left_out() -> None:
    """The fields left out are the ``created`` payload's (and the progress key)."""
    assert {"applicant", "fields", "materials", "item_name", "progress_key"} <= LEAN_FIELDS
    assert not LEAN_FIELDS & {"state", "claimed_by", "accepted_at", "rating", "history"}


@pytest.mark.parametrize(
    ("name", "filed", "now"),
    [
        ("promised_days", 10.0, 10),  # JSON 10.0 is not 10: a SQL cast of 10.0 to integer fails
        ("commitment", 1, True),
        ("fields", {"disabled": True, "area": 12}, {"disabled": 1, "area": 12.0}),
        ("materials", {"id_card": "provided"}, {"id_card": "provided", "hukou": "missing"}),
    ],
)
def test_a_value_equal_in_python_but_not_in_json_is_stored(name: str, filed: Any, now: Any) -> None:
    view = _filed(**{name: now})

    as_text, as_dict, stored = _read_back(view, BODY | {name: filed})

    assert json.dumps(json.loads(stored)[name]) == json.dumps(now)  # the view's, as JSON
    for read in (as_text, as_dict):
        assert json.dumps(getattr(read, name)) == json.dumps(now)


def test_a_nested_default_set_since_filing_is_stored_for_a_json_path_reader() -> None:
    """The applicant's ID number cleared since filing: the stored applicant says so, so a
    JSON path reader (the 重复申请 check) does not fall back to the payload's number."""
    view = _filed(applicant=Person(name="廖刚勇", id_number="", phone="18030437866"))

    as_text, as_dict, stored = _read_back(view, BODY)

    assert as_text == view and as_dict == view
    assert json.loads(stored)["applicant"]["id_number"] == ""
