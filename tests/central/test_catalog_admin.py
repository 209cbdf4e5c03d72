"""The published catalog, and county administration over the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from central.services.catalog_versions import publish_catalog
from forms.catalog import Division, load_catalog
from forms.publish import verify_published
from sync.protocol import API_PREFIX
from tests.central.conftest import COUNTY, OTHER_COUNTY_VILLAGE, TOWNSHIP, VILLAGE


def test_stations_get_the_catalog_version_and_document(enroll: Any, client: TestClient) -> None:
    village = enroll()
    page = village.pull()
    assert page["catalog_version"]
    document = client.get(f"{API_PREFIX}/catalog/file", headers=village.headers)
    assert document.status_code == 200
    catalog = verify_published(document.content)
    assert catalog.version == page["catalog_version"]
    assert catalog.items


def test_a_county_administrator_administers_the_county_only(
    enroll: Any, client: TestClient, sign_in: Any
) -> None:
    county_station, township = enroll(COUNTY, "county"), enroll(TOWNSHIP, "township")
    county = _Headers(sign_in(county_station))
    url = f"{API_PREFIX}/admin/enrollment-codes"
    ask = {"division": VILLAGE, "name": "杨河村", "role": "village"}
    code = client.post(url, json=ask, headers=county.headers).json()["code"]
    assert client.post(f"{API_PREFIX}/enroll", json={"code": code}).status_code == 200
    assert client.post(url, json=ask, headers=township.headers).status_code == 401
    reviewer = sign_in(township, "rev1", "reviewer")
    assert client.post(url, json=ask, headers=reviewer).status_code == 403
    assert client.post(url, json=ask, headers=county_station.headers).status_code == 401
    elsewhere = {**ask, "division": OTHER_COUNTY_VILLAGE}
    assert client.post(url, json=elsewhere, headers=county.headers).status_code == 403

    user = {
        "username": "li",
        "display_name": "李明",
        "role": "reviewer",
        "division": TOWNSHIP,
        "password": "secret-2",
        "id_number": "640522198001010018",
    }
    assert (
        client.post(f"{API_PREFIX}/admin/users", json=user, headers=county.headers).status_code
        == 200
    )
    pulled = sorted(a["username"] for a in township.pull()["accounts"])
    assert pulled == ["admin1", "li", "rev1"]  # with the county's staff, named on its desk

    report = client.get(f"{API_PREFIX}/admin/reconcile", headers=county.headers).json()
    assert {s["division"] for s in report["stations"]} == {COUNTY, TOWNSHIP, VILLAGE}

    revoked = client.post(
        f"{API_PREFIX}/admin/stations/{township.id}/revoke", headers=county.headers
    )
    assert revoked.status_code == 200
    assert township.client.get(f"{API_PREFIX}/pull", headers=township.headers).status_code == 403


class _Headers:
    """A signed-in person's headers where a test used a station's."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers


NEW_VILLAGE = "640522101299"


def test_a_village_the_county_publishes_can_be_enrolled_at_once(
    enroll: Any, client: TestClient, sign_in: Any, session: Session
) -> None:
    """A village added to the division table and published is in the table that codes
    are issued against, listed with its name (it was the shipped table alone: the county
    could enroll no village but the two it came with)."""
    county = _Headers(sign_in(enroll(COUNTY, "county")))
    url = f"{API_PREFIX}/admin/enrollment-codes"
    ask = {"division": NEW_VILLAGE, "name": "团结村便民服务站", "role": "village"}
    refused = client.post(url, json=ask, headers=county.headers)
    assert refused.status_code == 422, refused.text  # not in the table yet

    catalog = load_catalog()
    township = next(d for d in catalog.divisions if d.level == "township")
    added = Division(code=NEW_VILLAGE, level="village", name="团结村", office=township.office)
    divisions = [*catalog.divisions, added]
    publish_catalog(
        session=session,
        path=None,
        catalog=catalog.model_copy(update={"version": "2026.12.7", "divisions": divisions}),
        published_by="admin1",
    )

    table = client.get(f"{API_PREFIX}/admin/divisions", headers=county.headers).json()
    assert {"code": NEW_VILLAGE, "name": "团结村"}.items() <= next(
        d for d in table if d["code"] == NEW_VILLAGE
    ).items()
    issued = client.post(url, json=ask, headers=county.headers)
    assert issued.status_code == 200, issued.text
    codes = client.get(url, headers=county.headers).json()
    assert [c["division_name"] for c in codes if c["division"] == NEW_VILLAGE] == ["团结村"]
    enrolled = client.post(f"{API_PREFIX}/enroll", json={"code": issued.json()["code"]})
    assert enrolled.status_code == 200, enrolled.text
