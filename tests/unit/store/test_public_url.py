"""The station keeps the county's public base URL the centre says at hello (receipts' QR)."""

from __future__ import annotations

from datetime import date

from forms.catalog import Catalog
from station.documents.prepare import document_for
from station.services.cases import CaseService
from station.store import StationStore
from sync.engine import SyncReport
from sync.progress import is_progress_key
from tests.unit.store.conftest import application

BASE = "https://zwfw.haiyuan.gov.cn"


def test_the_url_said_at_hello_is_kept_until_the_centre_changes_it(store: StationStore) -> None:
    assert store.public_base_url() == ""
    store.record_sync(SyncReport(public_base_url=BASE))
    assert store.public_base_url() == BASE
    store.record_sync(SyncReport(error="offline"))  # no hello answered: nothing learnt
    assert store.public_base_url() == BASE
    store.record_sync(SyncReport(public_base_url=""))  # the county removed it
    assert store.public_base_url() == ""


def test_a_case_taken_in_offline_prints_its_page_in_the_qr(
    store: StationStore, service: CaseService, catalog: Catalog
) -> None:
    store.record_sync(SyncReport(public_base_url=BASE + "/"))
    first = service.take_in(application(serial=1))
    second = service.take_in(application(serial=2))
    assert is_progress_key(first.progress_key) and first.progress_key != second.progress_key
    doc = document_for(store, catalog, "receipt", first.case_number, today=date(2026, 12, 1))
    assert doc.verify_url == f"{BASE}/p/{first.progress_key}"  # type: ignore[union-attr]
