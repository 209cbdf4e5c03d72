"""The county's reports as files: read back with openpyxl, totals checked against the tables.

Cases travel the real way (stations push events through the API); the reports are
fetched as the county administrator (``GET /admin/reports/{kind}``) and made at the
command line (``daiban central report export``). Every total is compared with a
count the test takes from the event tables itself, by China days.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from central.models import AdminAction, CaseRow, EventRow, Station
from daiban.cli import app as cli
from sync.events import EventKind, Role
from sync.protocol import API_PREFIX
from sync.unresolved import unresolved_number
from tests.central.conftest import COUNTY, TOWNSHIP, VILLAGE, VILLAGE_2

CHINA = ZoneInfo("Asia/Shanghai")
ITEM = "640522-MZ-004"  # 临时救助: the township accepts and decides
RESIDENT_ID = "640522195001011234"
SHANMEN, WUYUAN = "海城镇山门村便民服务站", "海城镇武塬村便民服务站"
NOVEMBER = (datetime(2026, 11, 1, tzinfo=CHINA), datetime(2026, 12, 1, tzinfo=CHINA))
REPORTS = f"{API_PREFIX}/admin/reports"


def china(day: int, hour: int, month: int = 11) -> datetime:
    """A moment in China in 2026, given as UTC (as stations send it)."""
    return datetime(2026, month, day, hour, tzinfo=CHINA).astimezone(UTC)


class County:
    """Stations of one county pushing cases with chosen times."""

    def __init__(self, enroll: Any) -> None:
        self.shanmen = enroll(VILLAGE, "village", SHANMEN)
        self.wuyuan = enroll(VILLAGE_2, "village", WUYUAN)
        self.township = enroll(TOWNSHIP, "township", "海城镇便民服务中心")
        self.records = 0

    def case(self, village: Any, received: datetime, **later: Any) -> UUID:
        """A case received at ``received``; accepted, completed, rated when given."""
        payload = {
            "item_code": ITEM,
            "item_name": "临时救助",
            "promised_days": later.get("days", 5),
            "applicant": {"name": "马兰花", "id_number": RESIDENT_ID},
        }
        first = village.event(EventKind.created, payload=payload, device_time=received)
        events = [first] + [
            village.event(kind, first.case_id, device_time=received)
            for kind in (EventKind.received, EventKind.submitted)
        ]
        assert {r["status"] for r in village.push(events)} == {"applied"}
        division = village.credential.division
        for kind, key in ((EventKind.accepted, "accepted"), (EventKind.completed, "completed")):
            if key in later:
                self._push(self.township, kind, first.case_id, later[key], division, Role.reviewer)
        if "rated" in later:
            when = later["rated"]
            self._push(village, EventKind.handed_over, first.case_id, when, division, Role.agent)
            rating = {"rating": later["rating"], "reason": later.get("reason")}
            self._push(village, EventKind.rated, first.case_id, when, division, Role.agent, rating)
        return first.case_id

    @staticmethod
    def _push(
        station: Any,
        kind: EventKind,
        case_id: UUID,
        when: datetime,
        division: str,
        role: Role,
        payload: dict[str, Any] | None = None,
    ) -> None:
        defaults = {
            EventKind.completed: {"result": "approved"},
            EventKind.handed_over: {"how": "当面"},
        }
        event = station.event(
            kind, case_id, division=division, role=role, device_time=when,
            payload=payload if payload is not None else defaults.get(kind, {}),
        )  # fmt: skip
        assert station.push([event])[0]["status"] == "applied", kind

    def unresolved(self, village: Any, when: datetime, what: str) -> None:
        """A 办不成事 record made at ``when``."""
        self.records += 1
        number = unresolved_number(village.credential.division, when.date(), self.records)
        payload = {"what": what, "why": "本站无此事项", "station_name": "", "agent_name": "马丽"}
        event = village.event(
            EventKind.reported, payload=payload, case_number=number, device_time=when
        )
        assert village.push([event])[0]["status"] == "applied"


@pytest.fixture
def county(enroll: Any, hold_time: Any) -> County:
    """November 2026 at two villages, with cases just inside and just outside the month."""
    hold_time(datetime(2026, 12, 2, 10, tzinfo=CHINA))
    place = County(enroll)
    s, w = place.shanmen, place.wuyuan
    # 2026-11-01 00:30 in China is still October in UTC: it is November's
    place.case(s, china(1, 0) + timedelta(minutes=30), accepted=china(2, 9), completed=china(3, 9),
               rated=china(4, 10), rating=5)  # fmt: skip
    place.case(s, china(5, 9), accepted=china(5, 10), completed=china(6, 9),
               rated=china(9, 15), rating=1, reason="态度不好，来回跑了三趟")  # fmt: skip
    place.case(w, china(10, 9), accepted=china(10, 11))  # 5 working days: overdue by the 30th
    place.case(w, china(20, 9), accepted=china(20, 10), completed=china(23, 9),
               rated=china(23, 11), rating=3)  # fmt: skip
    # 2026-12-01 01:00 in China is still November in UTC: it is not November's
    place.case(w, china(1, 1, month=12))
    place.case(s, china(28, 9, month=10), accepted=china(29, 9, month=10))  # October's
    place.unresolved(s, china(12, 10), "办理林权证")
    place.unresolved(w, china(1, 3, month=12), "办理房产证")
    return place


def _events(session: Session, kind: EventKind, **payload: Any) -> list[EventRow]:
    """Applied events of ``kind`` made in November in China, counted from the event table."""
    start, end = (moment.astimezone(UTC) for moment in NOVEMBER)
    rows = session.scalars(
        select(EventRow).where(EventRow.kind == kind.value, EventRow.status == "applied")  # type: ignore[arg-type]
    ).all()
    found = []
    for row in rows:
        moment = row.device_time if row.device_time.tzinfo else row.device_time.replace(tzinfo=UTC)
        if start <= moment < end and all(row.payload.get(k) == v for k, v in payload.items()):
            found.append(row)
    return found


def _fetch(client: TestClient, headers: dict[str, str], kind: str, file_format: str) -> bytes:
    answer = client.get(
        f"{REPORTS}/{kind}", params={"month": "2026-11", "format": file_format}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.content


def _sheet(data: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _table(sheet: Worksheet) -> tuple[list[str], list[list[Any]], list[Any]]:
    """Header (row 4), data rows, and the 合计 row (the last)."""
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    return [str(h) for h in rows[0]], rows[1:-1], rows[-1]


def _column(header: list[str], rows: list[list[Any]], name: str) -> list[Any]:
    return [row[header.index(name)] for row in rows]


def _admin(enroll: Any, sign_in: Any) -> dict[str, str]:
    headers: dict[str, str] = sign_in(enroll(COUNTY, "county", "海原县政务服务中心"))
    return headers


def test_the_monthly_report_is_well_formed_and_adds_up_to_the_event_tables(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    sheet = _sheet(_fetch(client, _admin(enroll, sign_in), "monthly", "xlsx"))

    assert sheet["A1"].value == "海原县帮代办工作月报"
    assert sheet["A2"].value == "县（区）：海原县    统计期间：2026-11-01 至 2026-11-30"
    assert sheet["A3"].value == "制表日期：2026-12-02    制表人：测试admin1"
    assert sheet.freeze_panes == "A5"
    header, rows, totals = _table(sheet)
    assert sheet.auto_filter.ref == f"A4:K{4 + len(rows)}"
    assert header == ["乡镇", "村（社区）", "事项", "收件", "受理", "办结", "逾期",
                      "评价数", "满意", "基本满意", "不满意（差评）"]  # fmt: skip
    assert {(r[0], r[1], r[2]) for r in rows} == {("海城镇", "山门村", "临时救助"),
                                                  ("海城镇", "武塬村", "临时救助")}  # fmt: skip
    assert totals[0] == "合计"
    figures = dict(zip(header[3:], totals[3:], strict=True))
    assert figures["收件"] == len(_events(session, EventKind.received)) == 4
    assert figures["受理"] == len(_events(session, EventKind.accepted)) == 4
    assert figures["办结"] == len(_events(session, EventKind.completed)) == 3
    assert figures["评价数"] == len(_events(session, EventKind.rated)) == 3
    assert figures["满意"] == len(_events(session, EventKind.rated, rating=5)) == 1
    assert figures["不满意（差评）"] == len(_events(session, EventKind.rated, rating=1)) == 1
    # accepted 11-10 and 10-29 for 5 working days, both still open on 11-30
    assert figures["逾期"] == 2
    for name in header[3:]:
        assert sum(_column(header, rows, name)) == figures[name], name
    assert sheet.column_dimensions["K"].width >= 16, "不满意（差评） fits (Chinese counts double)"


def test_the_disposition_table_adds_up_row_by_row_to_the_month_s_intake(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    """月报 counts what happened in the month, so its columns never added up to its 收件:
    the county asked where the month's applications went. Here every case received in
    November is in exactly one column of where it stands today."""
    w, reviewer = county.wuyuan, (VILLAGE_2, Role.reviewer)
    returned = county.case(w, china(24, 9))
    county._push(county.township, EventKind.returned, returned, china(24, 10), *reviewer,
                 {"reason": "缺户口簿"})  # fmt: skip
    rejected = county.case(w, china(25, 9))
    county._push(county.township, EventKind.rejected, rejected, china(25, 10), *reviewer,
                 {"reason": "不属于本事项"})  # fmt: skip
    county.case(w, china(26, 9))  # 报送, not yet accepted

    sheet = _sheet(_fetch(client, _admin(enroll, sign_in), "disposition", "xlsx"))

    assert sheet["A1"].value == "海原县帮代办收件去向表（去向截至2026-12-02）"
    header, rows, totals = _table(sheet)
    assert header == ["乡镇", "村（社区）", "事项", "收件", "现待受理", "现补正中", "现办理中",
                      "现特别程序中", "现已办结", "现不予受理", "现已撤件"]  # fmt: skip
    by_village = {r[1]: r[3:] for r in rows}
    assert by_village == {"山门村": [2, 0, 0, 0, 0, 2, 0, 0],
                          "武塬村": [5, 1, 1, 1, 0, 1, 1, 0]}  # fmt: skip
    for row in [*rows, totals]:
        assert row[3] == sum(row[4:]), row  # every case in one column
    assert totals[3] == len(_events(session, EventKind.received)) == 7
    monthly = _table(_sheet(_fetch(client, _admin(enroll, sign_in), "monthly", "xlsx")))
    assert dict(zip(monthly[0], monthly[2], strict=True))["收件"] == totals[3]


def test_the_ratings_ledger_names_stations_masks_ids_and_uses_china_time(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    data = _fetch(client, _admin(enroll, sign_in), "ratings", "xlsx")
    sheet = _sheet(data)

    header, rows, totals = _table(sheet)
    assert sheet["A1"].value == "海原县好差评台账"
    assert sheet.freeze_panes == "A5" and sheet.auto_filter.ref == f"A4:O{4 + len(rows)}"
    assert _column(header, rows, "服务站") == [SHANMEN, SHANMEN, WUYUAN]
    station_ids = set(session.scalars(select(Station.id)).all())
    assert not station_ids & {cell for row in rows for cell in row}, "names, never ids"
    assert _column(header, rows, "身份证号码") == ["640522********1234"] * 3
    assert RESIDENT_ID.encode() not in b"".join(_xlsx_parts(data)), "the ID number never whole"
    rated_at = _column(header, rows, "评价时间")
    assert rated_at[1] == datetime(2026, 11, 9, 15, 0), "China time, as the agent saw it"
    cell = sheet.cell(row=6, column=header.index("评价时间") + 1)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert _column(header, rows, "评价")[1] == "1 非常不满意"
    assert _column(header, rows, "差评") == [None, "差评", None]
    assert _column(header, rows, "评价说明")[1] == "态度不好，来回跑了三趟"
    assert totals[0] == "合计"
    assert totals[header.index("办件编号")] == len(_events(session, EventKind.rated)) == 3
    bad = [e for e in _events(session, EventKind.rated) if e.payload["rating"] <= 2]
    assert totals[header.index("差评")] == len(bad) == 1


def _xlsx_parts(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(name) for name in archive.namelist()]


def test_the_unresolved_ledger_lists_the_month_s_records_by_station_name(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    sheet = _sheet(_fetch(client, _admin(enroll, sign_in), "unresolved", "xlsx"))

    header, rows, totals = _table(sheet)
    assert sheet["A1"].value == "海原县“办不成事”台账"
    assert _column(header, rows, "服务站") == [SHANMEN]
    assert _column(header, rows, "群众诉求") == ["办理林权证"]
    assert "状态" not in header  # one state column: it said 已登记 beside 闭环状态 已办结
    assert _column(header, rows, "登记时间") == [datetime(2026, 11, 12, 10, 0)]
    assert _column(header, rows, "闭环状态") == ["待分派"]
    assert _column(header, rows, "已闭环") == [None]
    assert totals[0] == "合计"
    assert totals[header.index("编号")] == len(_events(session, EventKind.reported)) == 1
    assert totals[header.index("已闭环")] == 0


def test_the_ledgers_show_where_each_loop_stands_and_count_the_closed_ones(
    county: County, enroll: Any, sign_in: Any, client: TestClient, hold_time: Any
) -> None:
    """On main the 办不成事 and 好差评 ledgers said 已登记 / 差评 after the county had
    closed the loop (闭环): the export never showed it."""
    hold_time(datetime(2026, 12, 3, 16, 30, tzinfo=CHINA))  # the day the county closes it
    admin = _admin(enroll, sign_in)
    loops = f"{API_PREFIX}/loops"
    items = {i["source_number"][-13:]: i for i in client.get(loops, headers=admin).json()}
    url = f"{loops}/{items['20261112-0001']['id']}"  # November's 办不成事 (办理林权证)
    assign = {"unit_kind": "department", "unit": "县林业和草原局", "unit_name": "县林业和草原局"}
    assert client.post(f"{url}/assign", json=assign, headers=admin).status_code == 200
    steps = [
        ("visited", {"when": "2026-12-02 10:00", "how": "电话", "found": "林权证不在村站办理"}),
        ("rectified", {"what": "县林草局到村集中受理"}),
        ("fed_back", {"when": "2026-12-03", "how": "电话", "response": "满意"}),
    ]
    for action, detail in steps:
        answer = client.post(f"{url}/steps/{action}", json={"detail": detail}, headers=admin)
        assert answer.status_code == 200, answer.text
    closed = client.post(f"{url}/close", json={"text": "已办结"}, headers=admin)
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text

    sheet = _sheet(_fetch(client, admin, "unresolved", "xlsx"))
    header, rows, totals = _table(sheet)
    assert _column(header, rows, "闭环状态") == ["已办结"]
    assert _column(header, rows, "承办单位") == ["县林业和草原局"]
    assert _column(header, rows, "已闭环") == ["是"]
    assert _column(header, rows, "闭环时间") == [datetime(2026, 12, 3, 16, 30)]  # China time
    for timed in ("登记时间", "闭环时间"):  # Excel showed ##### in a column 10 wide
        width = sheet.column_dimensions[chr(ord("A") + header.index(timed))].width
        assert width >= len("2026-12-03 16:30") + 4, (timed, width)
    assert totals[header.index("已闭环")] == 1

    header, rows, totals = _table(_sheet(_fetch(client, admin, "ratings", "xlsx")))
    assert _column(header, rows, "差评") == [None, "差评", None]
    assert _column(header, rows, "闭环状态") == [None, "待分派", None]  # open: a 差评's loop
    assert totals[header.index("已闭环")] == 0


def test_the_reconciliation_ledger_totals_what_the_centre_holds(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    report = {  # 山门村 says what it holds; 武塬村 has not said yet
        "software_version": "0.9.1", "schema_version": 1, "outbox_depth": 5,
        "oldest_unsent": "2026-11-30T09:05:00+08:00", "cases_held": 17,
    }  # fmt: skip
    headers = county.shanmen.headers
    assert client.post(f"{API_PREFIX}/hello", json=report, headers=headers).status_code == 200
    sheet = _sheet(_fetch(client, _admin(enroll, sign_in), "reconcile", "xlsx"))

    header, rows, totals = _table(sheet)
    assert sheet["A1"].value == "海原县服务站对账表"
    assert "截至 2026-12-02" in str(sheet["A2"].value)
    assert {SHANMEN, WUYUAN, "海原县政务服务中心"} <= set(_column(header, rows, "服务站"))
    assert "山门村" in _column(header, rows, "所在地")
    held = session.scalar(select(func.count()).select_from(CaseRow))
    events = session.scalar(select(func.count()).select_from(EventRow))
    assert totals[header.index("中心持有办件")] == held == 6
    assert totals[header.index("中心持有事件")] == events
    assert totals[header.index("办不成事")] == 2
    assert totals[header.index("服务站")] == len(rows)
    # the station's side too, as the desk's 对账 shows it (the file had the centre's alone)
    by_station = dict(zip(_column(header, rows, "服务站"), rows, strict=True))
    shanmen, wuyuan = by_station[SHANMEN], by_station[WUYUAN]
    at = header.index
    assert (shanmen[at("站点未上传")], shanmen[at("站点办件")]) == (5, 17)
    assert shanmen[at("最早未上传")] == datetime(2026, 11, 30, 9, 5)  # China time
    assert (wuyuan[at("站点未上传")], wuyuan[at("站点办件")]) == ("未上报", "未上报")
    assert totals[at("站点未上传")] == 5
    # a township's station holds its villages' cases too: no sum that counts them twice
    assert totals[at("站点办件")] == "不合计（各级站点办件重叠）"
    assert "序号重复的事件" in header, "the header says what 重复 counts"


def test_the_reconciliation_ledger_lists_duplicate_applications_open_or_granted(
    county: County, enroll: Any, sign_in: Any, client: TestClient
) -> None:
    """`report reconcile` listed them; the workbook did not (its 重复 counted events)."""
    granted = county.case(county.wuyuan, china(2, 9), accepted=china(2, 10),
                          completed=china(3, 9))  # fmt: skip
    county.case(county.shanmen, china(25, 9))  # the same resident and item, taken in again
    header, rows, _totals = _table(
        _sheet(_fetch(client, _admin(enroll, sign_in), "reconcile", "xlsx"))
    )
    by_station = dict(zip(_column(header, rows, "服务站"), rows, strict=True))
    column = header.index("重复申请（同一群众同一事项）")
    shanmen, wuyuan = by_station[SHANMEN][column], by_station[WUYUAN][column]
    assert shanmen == wuyuan and shanmen.startswith("临时救助 640522********1234：")
    assert f"（{WUYUAN}，已办结）" in shanmen and f"（{SHANMEN}，在办）" in shanmen
    assert by_station["海城镇便民服务中心"][column] is None
    assert str(granted) not in shanmen  # case numbers, never ids


def test_reports_leave_out_a_bad_rating_overturned_on_appeal_as_the_dashboard_does(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    from central.services.dashboard import dashboard
    from central.services.dashboard_data import Period

    admin = _admin(enroll, sign_in)
    reviewer = sign_in(county.township, "rev1", "reviewer")
    loops = f"{API_PREFIX}/loops"
    (item,) = [i for i in client.get(loops, headers=admin).json() if i["source_kind"] == "rating"]
    url = f"{loops}/{item['id']}"
    client.post(f"{url}/assign", json={"unit_kind": "township", "unit": TOWNSHIP}, headers=admin)
    client.post(f"{url}/appeal", json={"text": "居民误选，已电话确认"}, headers=reviewer)
    decided = client.post(f"{url}/appeal-decision", json={"overturn": True}, headers=admin)
    assert decided.json()["appeal"] == "overturned", decided.text
    session.expire_all()
    board = dashboard(session=session, county=COUNTY, period=Period(*(m.date() for m in (
        NOVEMBER[0], NOVEMBER[1] - timedelta(days=1)))), today=datetime(2026, 12, 2).date())  # fmt: skip
    assert board.rated and board.bad and board.satisfied
    assert (board.rated.count, board.bad.count, board.satisfied.count) == (2, 0, 1)

    header, _rows, totals = _table(_sheet(_fetch(client, admin, "monthly", "xlsx")))
    figures = dict(zip(header[3:], totals[3:], strict=True))
    assert (figures["评价数"], figures["不满意（差评）"], figures["满意"]) == (2, 0, 1)

    header, rows, totals = _table(_sheet(_fetch(client, admin, "ratings", "xlsx")))
    assert _column(header, rows, "评价")[1] == "1 非常不满意（差评已撤销）", "the line is kept"
    assert _column(header, rows, "差评") == [None, None, None]
    assert totals[header.index("差评")] == 0


def test_the_csv_has_a_bom_chinese_headers_and_the_same_totals(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    data = _fetch(client, _admin(enroll, sign_in), "ratings", "csv")

    assert data.startswith(b"\xef\xbb\xbf"), "Chinese Excel reads UTF-8 only with the BOM"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "办件编号", "事项", "服务站"]
    assert rows[-1][0] == "合计"
    assert rows[-1][rows[0].index("办件编号")] == str(len(_events(session, EventKind.rated)))
    assert rows[2][rows[0].index("评价时间")] == "2026-11-09 15:00"
    assert RESIDENT_ID not in data.decode("utf-8-sig")


def test_reports_need_the_county_administrator_in_person_and_are_audited(
    county: County, enroll: Any, sign_in: Any, client: TestClient, session: Session
) -> None:
    workstation = enroll(COUNTY, "county", "海原县政务服务中心")
    assert client.get(f"{REPORTS}/monthly", headers=workstation.headers).status_code == 401
    reviewer = sign_in(county.township, "rev1", "reviewer")
    assert client.get(f"{REPORTS}/monthly", headers=reviewer).status_code == 403
    admin = sign_in(workstation)
    assert client.get(f"{REPORTS}/monthly?month=2026-13", headers=admin).status_code == 422
    _fetch(client, admin, "ratings", "csv")
    session.expire_all()
    [act] = session.scalars(select(AdminAction).where(AdminAction.action == "report.export")).all()  # type: ignore[arg-type]
    assert (act.actor_username, act.target, act.detail["from"]) == (
        "admin1",
        "ratings",
        "2026-11-01",
    )


def test_the_command_line_writes_the_report_as_the_named_administrator(
    county: County, sign_in: Any, enroll: Any, db_url: str, tmp_path: Path
) -> None:
    sign_in(enroll(COUNTY, "county", "海原县政务服务中心"))  # creates admin1
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--db", db_url, "--lang", "zh_CN"]
    assert runner.invoke(cli, ["central", "init", *base]).exit_code == 0
    out = tmp_path / "月报.xlsx"
    args = ["central", "report", "export", "--kind", "monthly", "--month", "2026-11"]
    result = runner.invoke(
        cli, [*args, "--out", str(out), "--as", "admin1", *base],
        env={"DAIBAN_PASSWORD": "admin-pass-1"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = _sheet(out.read_bytes())
    assert sheet["A3"].value == "制表日期：2026-12-02    制表人：测试admin1"
    assert _table(sheet)[2][3] == 4  # 收件 in November
    wrong = runner.invoke(
        cli, [*args, "--out", str(out), "--as", "admin1", *base], env={"DAIBAN_PASSWORD": "x"}
    )
    assert wrong.exit_code == 1 and "用户名或密码错误" in wrong.output
    no_one = runner.invoke(cli, [*args, "--out", str(tmp_path / "b.csv"), *base])
    assert no_one.exit_code == 1 and not (tmp_path / "b.csv").exists()


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("/sys/r.xlsx", "没有写入权限"),
        ("{tmp}/folder.xlsx", "这是一个文件夹"),
        ("{tmp}/a-file/r.xlsx", "上级路径不是文件夹（是一个文件）"),
        ("/proc/sys/r.xlsx", "这个文件夹里不能存放文件"),
    ],
)
def test_a_report_that_cannot_be_written_says_where_and_why_in_chinese(
    county: County, sign_in: Any, enroll: Any, db_url: str, tmp_path: Path, where: str, reason: str
) -> None:
    """It said `无法写入：Permission denied`; `report reconcile --xlsx` said 发生了意外错误."""
    from central.services.export import ReportFileError, reconciliation_workbook

    sign_in(enroll(COUNTY, "county", "海原县政务服务中心"))
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "--db", db_url, "--lang", "zh_CN"]
    assert runner.invoke(cli, ["central", "init", *base]).exit_code == 0
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder.xlsx").mkdir()
    out = where.format(tmp=tmp_path)
    args = ["central", "report", "export", "--kind", "reconcile", "--out", out, "--as", "admin1"]
    result = runner.invoke(cli, [*args, *base], env={"DAIBAN_PASSWORD": "admin-pass-1"})
    assert result.exit_code == 1
    assert f"无法写入 {out}：{reason}。" in result.output, result.output
    assert "意外" not in result.output
    with pytest.raises(ReportFileError, match=re.escape(f"无法写入 {out}：{reason}。")):
        reconciliation_workbook([], Path(out))
    xlsx = runner.invoke(cli, ["central", "report", "reconcile", "--xlsx", out, *base])
    assert xlsx.exit_code == 1 and f"无法写入 {out}：{reason}。" in xlsx.output, xlsx.output
    assert "意外" not in xlsx.output


def test_a_case_due_today_is_not_yet_overdue_in_a_month_still_running() -> None:
    from uuid import uuid4

    from central.services.report_period import Period
    from central.services.reports import overdue_in
    from sync.lifecycle import CaseState
    from sync.reducer import CaseView

    accepted = datetime(2026, 12, 1, 10, tzinfo=CHINA)  # a Tuesday; 3 working days: Friday the 4th
    view = CaseView(
        case_id=uuid4(),
        case_number="640522100201-20261201-0001",
        division=VILLAGE,
        state=CaseState.accepted,
        accepted_at=accepted.astimezone(UTC),
        promised_days=3,
    )
    december = Period(datetime(2026, 12, 1).date(), datetime(2026, 12, 31).date())
    on = [datetime(2026, 12, day).date() for day in (3, 4, 5, 6, 7)]  # Thursday to Monday
    # red on the dashboard from Monday, the first working day after the promised one
    assert [overdue_in(view, december, today) for today in on] == [False] * 4 + [True]
    # a month that is over counts to its last day, whenever the report is made
    assert overdue_in(view, december, datetime(2027, 1, 20).date())
    early = Period(datetime(2026, 12, 1).date(), datetime(2026, 12, 4).date())
    assert not overdue_in(view, early, datetime(2027, 1, 20).date())


def test_a_period_not_yet_begun_is_refused_not_reported_empty() -> None:
    """The desk refused 2027-01 in December; the command line wrote an empty report of it."""
    from datetime import date

    from central.services.report_period import PeriodError, parse_period

    today = date(2026, 12, 5)
    with pytest.raises(PeriodError, match="2027-01-01 尚未到来"):
        parse_period("2027-01", None, None, today)
    with pytest.raises(PeriodError, match="2026-12-06 尚未到来"):
        parse_period(None, "2026-12-06", "2026-12-31", today)
    assert parse_period("2026-12", None, None, today).start == date(2026, 12, 1)  # running
