"""Paper, exports and ``case show`` say Beijing time, on a machine in UTC or New York.

A case taken in at 16:30 UTC on 1 December was taken in at 00:30 on 2 December
in Beijing: its number, its receipt (read back with pdftotext), the ledger of
2 December, ``case show`` (text and JSON), the CSV export and the county's
reconciliation workbook all say so.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from central.services.export import reconciliation_workbook
from central.services.reconcile import StationReconciliation
from daiban.cli import app
from forms.catalog import load_catalog
from forms.workdays import due_date, supply_by
from station.services.cases import Actor, CaseService
from station.store import StationIdentity, StationStore
from sync.events import Role
from sync.protocol import StationRole
from tests.conftest import set_machine_zone
from tests.e2e.test_print_from_store import RESIDENT_ID, _application, _elderly_item, flat, raw_text
from tests.unit.printing.conftest import pdf_text

LATE_EVENING_UTC = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
"""00:30 on Wednesday 2 December in Beijing."""
BEIJING_DAY = date(2026, 12, 2)
BEIJING_ISO = "2026-12-02T00:30:00+08:00"


@dataclass
class Village:
    """A village station with one case taken in at 00:30 Beijing time."""

    data_dir: Path
    number: str

    def run(self, *args: str) -> str:
        """``daiban ARGS --data-dir <station>``; fail the test if it fails."""
        result = CliRunner().invoke(app, [*args, "--data-dir", str(self.data_dir)])
        assert result.exit_code == 0, result.stderr
        return result.stdout


@pytest.fixture(params=["UTC", "America/New_York"])
def village(
    request: pytest.FixtureRequest, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> Iterator[Village]:
    set_machine_zone(request.param)
    hold_time(LATE_EVENING_UTC)
    data_dir = tmp_path / "village"
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id="village-1",
            division="640522100201",
            name="某某村便民服务站",
            role=StationRole.village,
            central_url="http://127.0.0.1:9",
            token="token",
            signing_key="key",
        )
    )
    item = _elderly_item()
    service = CaseService(
        store, load_catalog(), Actor("agent-li", Role.agent, "李秀兰", "13909541234")
    )
    materials = {
        "id_card": "provided",
        "hukou": "shared",
        "bank_card": "deferred",
        "application_form": "provided",
    }
    deferred_until = supply_by(item, BEIJING_DAY).date
    case = service.take_in(
        _application(
            item,
            "马占福",
            RESIDENT_ID,
            materials=materials,
            supply_by={"bank_card": deferred_until},
        )
    )
    store.close()
    yield Village(data_dir, case.case_number)


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_case_number_and_receipt_carry_the_beijing_date(village: Village, tmp_path: Path) -> None:
    assert "-20261202-" in village.number
    out = tmp_path / "receipt.pdf"
    village.run("print", "receipt", village.number, "--out", str(out))
    text = flat(pdf_text(out.read_bytes()))
    assert "收件时间2026年12月2日00:30" in text
    item = _elderly_item()
    due = due_date(BEIJING_DAY, item.path.forward_days + item.promised_days).date
    assert cn(due) in text  # the days to the township, then the promised limit, from 2 December
    assert "2026年12月1日" not in text


def test_the_ledger_of_2_december_holds_the_case_and_is_dated_in_beijing(
    village: Village, tmp_path: Path
) -> None:
    out = tmp_path / "ledger.pdf"
    day = BEIJING_DAY.isoformat()
    village.run("print", "ledger", "--from", day, "--to", day, "--out", str(out))
    text = flat(raw_text(out.read_bytes()))
    assert village.number in text
    assert "2026-12-02" in text and "2026-12-01" not in text
    assert "打印日期：2026年12月2日" in text


def test_case_show_and_the_csv_export_give_beijing_times(village: Village) -> None:
    shown = json.loads(village.run("case", "show", village.number, "--json"))
    assert shown["created_at"] == BEIJING_ISO and shown["received_at"] == BEIJING_ISO
    assert {entry["device_time"] for entry in shown["history"]} == {BEIJING_ISO}

    assert "2026-12-02 00:30" in village.run("case", "show", village.number)

    exported = village.run("case", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.removeprefix("\ufeff"))))
    assert [row["创建时间（北京时间）"] for row in rows] == ["2026-12-02 00:30"]
    assert [row["收件时间（北京时间）"] for row in rows] == ["2026-12-02 00:30"]


def test_reconciliation_workbook_says_when_a_station_was_last_seen_in_beijing(
    tmp_path: Path,
) -> None:
    set_machine_zone("America/New_York")
    entry = StationReconciliation(
        station="village-1",
        division="640522100201",
        name="某某村便民服务站",
        role="village",
        cases=1,
        events=2,
        max_station_seq=2,
        gaps=[],
        duplicate_pushes=0,
        sequence_conflicts=0,
        last_seen=LATE_EVENING_UTC,
        revoked=False,
    )
    path = reconciliation_workbook([entry], tmp_path / "reconcile.xlsx")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet["M4"].value == "最近联系"
    assert sheet["M5"].value == datetime(2026, 12, 2, 0, 30)
