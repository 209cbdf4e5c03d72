"""扫码查询进度: the receipt's QR code opens the county's public progress page.

A real central on loopback, configured with its public base URL; a village station
enrolled with it. A case taken in before the station ever synced prints its case
number in the QR (no URL known yet); after a sync (the station learns the URL at
hello) a case taken in offline prints ``<base>/p/<key>``, and once synced that
address answers with the item and the state, the resident's name masked, nothing
else about the person. A wrong or malformed key gets the same plain 未找到. The
page is loaded in a real headless Chromium at a phone's width (375 px).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from central.settings import read_settings_file, write_settings_file
from forms.catalog import load_catalog
from forms.clock import china_today
from printing.docs.receipt import qr_content
from printing.model import CaseDocument
from station.documents.prepare import document_for
from station.store import StationStore
from sync.progress import new_progress_key
from tests.e2e.browser import chromium
from tests.e2e.conftest import (
    DAIBAN,
    VILLAGE,
    Central,
    Station,
    _free_port,
    _use_test_catalog,
    _wait_until_up,
    case_line,
    enrolled_station,
    invoke,
    resident_id,
)

pytestmark = pytest.mark.slow  # a real central on loopback, and a browser

RESIDENT = "王秀芳"
ITEM_NAME = "城乡居民基本医疗保险参保登记"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    """A central whose ``public_base_url`` is its own loopback address (set before serve)."""
    data_dir = tmp_path_factory.mktemp("county")
    invoke("central", "init", "--data-dir", str(data_dir))
    _use_test_catalog(data_dir / "central")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    values = read_settings_file(data_dir / "central")
    write_settings_file(data_dir / "central", {**values, "public_base_url": url + "/"})
    log = data_dir / "serve.log"
    command = [str(DAIBAN), "central", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(url, process, log)
        yield Central(url=url, data_dir=data_dir, db_args=())
    finally:
        process.terminate()
        process.wait(timeout=10)


@dataclass(frozen=True)
class Receipt:
    """A case taken in and the receipt the station prints for it."""

    number: str
    document: CaseDocument


def take_in(station: Station, tmp_path: Path, serial: int) -> Receipt:
    """Import one case at the station (no network) and build its receipt as printed."""
    lines = tmp_path / f"case-{serial}.jsonl"
    lines.write_text(case_line(serial, name=RESIDENT) + "\n", encoding="utf-8")
    (number,) = station.cli("case", "import", str(lines))["case_numbers"]
    store = StationStore.open(station.data_dir)
    try:
        document = document_for(store, load_catalog(), "receipt", number, today=china_today())
    finally:
        store.close()
    assert isinstance(document, CaseDocument)
    return Receipt(number, document)


@pytest.fixture(scope="module")
def synced_receipt(
    county: Central, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Receipt, Receipt]:
    """(taken in before the first sync, taken in after it and then synced)."""
    tmp_path = tmp_path_factory.mktemp("village")
    station = enrolled_station(county, tmp_path / "village", VILLAGE, "杨郎村便民服务站", "village")
    before = take_in(station, tmp_path, 1)
    station.cli("sync")  # hello: the station learns the county's public base URL
    after = take_in(station, tmp_path, 2)
    station.cli("sync")
    return before, after


def test_a_station_that_never_heard_of_the_url_prints_the_case_number(
    synced_receipt: tuple[Receipt, Receipt],
) -> None:
    before, _after = synced_receipt
    assert before.document.verify_url is None
    assert qr_content(before.document) == before.number


def test_the_receipt_qr_opens_the_page_with_item_and_state_and_no_personal_data(
    county: Central, synced_receipt: tuple[Receipt, Receipt]
) -> None:
    _before, after = synced_receipt
    qr = qr_content(after.document)
    assert re.fullmatch(re.escape(county.url) + r"/p/[A-Za-z0-9_-]{22}", qr), qr
    assert after.number not in qr, "the address must not be derived from the case number"

    answer = httpx.get(qr, timeout=10)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    page = answer.text
    assert ITEM_NAME in page
    assert "已报送乡镇（街道），等待受理" in page  # imported and submitted
    assert "下一步" in page and "年" in page and "收件日期" in page
    assert "王*芳" in page
    assert RESIDENT not in page
    identity = resident_id(2)
    for secret in (identity, identity[-4:] + "<", "13800000000", "杨郎村一组"):
        assert secret not in page
    assert "<script" not in page.lower()


def test_wrong_old_or_malformed_keys_get_the_same_plain_not_found(
    county: Central, synced_receipt: tuple[Receipt, Receipt]
) -> None:
    _before, after = synced_receipt
    key = qr_content(after.document).rsplit("/", 1)[1]
    one_off = key[:-1] + ("B" if key.endswith("A") else "A")
    answers = [
        httpx.get(f"{county.url}/p/{wrong}", timeout=10)
        for wrong in (new_progress_key(), "x", one_off, key.upper(), "%E4%B8%AD" * 30)
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1
    assert "未找到" in answers[0].text
    assert ITEM_NAME not in answers[0].text


def test_the_page_fits_a_phone_in_headless_chromium(
    synced_receipt: tuple[Receipt, Receipt],
) -> None:
    _before, after = synced_receipt
    with chromium() as browser:
        try:
            page = browser.new_page(
                viewport={"width": 375, "height": 667}, java_script_enabled=False
            )
            page.goto(qr_content(after.document), wait_until="load")
            state = page.locator("#state")
            assert state.is_visible()
            assert state.inner_text() == "已报送乡镇（街道），等待受理"
            box = state.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
            # java_script_enabled=False governs the page's scripts, not playwright's own.
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert size >= 18, "large type for elderly readers"
        finally:
            browser.close()
