"""The township's decisions against a real central (SQLite and PostgreSQL): a county item's
办结 is refused at the centre even when a station writes it; a scan is downloaded through the
case-scoped endpoint, cached, and refused out of scope; replays answer the same."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from forms.catalog import load_catalog
from station.services.cases import ActionRefused, Actor, CaseService
from station.services.scans import cached_path, client_for, preview
from station.store import NewEvent, StationStore
from sync.client import CentralClient
from sync.errors import CentralRefused
from sync.events import EventKind, Role
from sync.protocol import ResultStatus
from tests.e2e.conftest import Central, Station, enrolled_station, write_cases
from tests.station.review_helpers import assistance

pytestmark = pytest.mark.slow  # a real central and two or three stations

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
"""A 1×1 PNG: a scan as small as a scan can be."""
DONE = {"result": "approved"}


_DIVISIONS = itertools.count(31)


@pytest.fixture
def village(central: Central, tmp_path: Path) -> Station:
    """A village with a division of its own in this module's shared central (two stations of
    one division number their cases alike: see tests/e2e/test_replays.py)."""
    division = f"6405221002{next(_DIVISIONS):02d}"
    return enrolled_station(central, tmp_path / "village", division, "村便民服务站", "village")


@contextmanager
def opened(station: Station) -> Iterator[StationStore]:
    store = StationStore.open(station.data_dir)
    try:
        yield store
    finally:
        store.close()


def _service(store: StationStore, station: Station, role: Role) -> CaseService:
    return CaseService(store, load_catalog(), Actor(station.user_id, role, station.user))


def _accepted(village: Station, township: Station, tmp_path: Path) -> str:
    (number,) = village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]  # 城乡居民医保参保登记: decided by the county (县医疗保障局)
    village.cli("sync")
    township.cli("sync")
    assert township.cli("case", "accept", number)["state"] == "accepted"
    township.cli("sync")
    return str(number)


def test_a_county_items_completion_is_refused_at_the_station_and_at_the_centre(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    number = _accepted(village, township, tmp_path)
    refused = township.run("case", "complete", number, "--result", "approved", "--json")
    assert refused.returncode != 0 and "乡镇不能办结" in refused.stdout + refused.stderr

    with opened(township) as store:  # a station that skips the desk's check (older software)
        done = NewEvent(EventKind.completed, township.user_id, Role.reviewer, DONE)
        store.append(number, [done])
        (event,) = store.outbox_batch(100, 1 << 20)
    report = township.cli("sync")
    assert (report["pushed"], report["superseded"]) == (1, 1)
    case = township.cli("case", "show", number)
    assert case["state"] == "accepted" and case["result"] is None
    (superseded,) = [h for h in case["history"] if h["status"] == "superseded"]
    assert superseded["kind"] == "completed"
    assert superseded["reason_text"] == "按事项目录，本事项由县级部门审批办结，请转办"

    # Replayed (a lost answer), the same event gets the same answer and changes nothing.
    with opened(township) as store, client_for(store) as client:
        again = client.push([event]).results[0]
    assert again.status is ResultStatus.duplicate
    assert again.reason == "the catalog has this item decided by the county: forward it"
    village.cli("sync")
    assert village.cli("case", "show", number)["state"] == "accepted"


def test_a_township_item_is_completed_and_the_village_sees_it(
    central: Central, village: Station, township: Station
) -> None:
    with opened(village) as store:
        number = _service(store, village, Role.agent).take_in(assistance()).case_number
        _service(store, village, Role.agent).act(number, EventKind.submitted)
    village.cli("sync")
    township.cli("sync")
    with opened(township) as store:
        reviewer = _service(store, township, Role.reviewer)
        reviewer.claim(number)
        reviewer.accept(number)
        reviewer.complete(number, "approved", "救助金3000元")
        batch = store.outbox_batch(100, 1 << 20)
    assert [e.kind for e in batch] == [EventKind.claimed, EventKind.accepted, EventKind.completed]
    report = township.cli("sync")
    assert (report["pushed"], report["superseded"]) == (3, 0)
    with opened(township) as store, client_for(store) as client:  # a retry after a lost answer
        replay = client.push(batch).results
    assert {r.status for r in replay} == {ResultStatus.duplicate}
    assert [r.reason for r in replay] == [None, None, None]
    village.cli("sync")
    case = village.cli("case", "show", number)
    assert (case["state"], case["result"], case["claimed_by"]) == (
        "completed",
        "approved",
        township.user_id,
    )


def test_a_deferred_material_brought_after_acceptance_is_recorded_and_the_case_approved(
    central: Central, village: Station, township: Station
) -> None:
    """容缺: on main the village could not record the passbook copy once the case had gone
    on (补充材料 only before submission or after a return), so the case could only be
    completed while the material was still shown as owed."""
    owing = assistance()
    owing.materials["bank_card"] = "deferred"
    with opened(village) as store:
        number = _service(store, village, Role.agent).take_in(owing).case_number
        _service(store, village, Role.agent).act(number, EventKind.submitted)
    village.cli("sync")
    township.cli("sync")
    with opened(township) as store:
        reviewer = _service(store, township, Role.reviewer)
        reviewer.accept(number)
        with pytest.raises(ActionRefused, match="容缺材料尚未补齐：银行卡或存折复印件"):
            reviewer.complete(number, "approved")
    township.cli("sync")
    village.cli("sync")  # the village sees it accepted; the resident brings the copy
    with opened(village) as store:
        _service(store, village, Role.agent).supplement(number, {"bank_card": "provided"})
        (event,) = store.outbox_batch(100, 1 << 20)
    report = village.cli("sync")
    assert (report["pushed"], report["superseded"], report["rejected"]) == (1, 0, 0)
    with opened(village) as store, client_for(store) as client:  # a retry after a lost answer
        (again,) = client.push([event]).results
    assert (again.status, again.reason) == (ResultStatus.duplicate, None)
    township.cli("sync")
    with opened(township) as store:
        case = _service(store, township, Role.reviewer).complete(number, "approved", "3000元")
        assert case.materials["bank_card"] == "provided"
    assert township.cli("sync")["superseded"] == 0
    village.cli("sync")
    shown = village.cli("case", "show", number)
    assert (shown["state"], shown["result"]) == ("completed", "approved")


def test_a_scan_is_fetched_through_the_scoped_download_and_cached(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    scan = tmp_path / "户口簿.png"
    scan.write_bytes(PNG)
    with opened(village) as store:
        agent = _service(store, village, Role.agent)
        application = assistance()
        application.attachments.append(agent.attach(scan, "application"))
        number = agent.take_in(application).case_number
    village.cli("sync")
    township.cli("sync")

    with opened(township) as store:
        view = store.get_case(number)
        assert view is not None
        (attachment,) = view.attachments
        with client_for(store) as client:
            shown = preview(store, township.data_dir, view, attachment, client)
        cached = cached_path(township.data_dir, attachment.sha256)
        assert shown.image == cached and cached.read_bytes() == PNG
        with CentralClient("http://127.0.0.1:9", "no-centre", retries=1) as offline:
            again = preview(store, township.data_dir, view, attachment, offline)
        assert again.image == cached  # from the cache: the centre is not asked again

    other = enrolled_station(
        central, tmp_path / "other", "640522101000", "关桥乡便民服务中心", "township"
    )
    with opened(other) as store, client_for(store) as client:
        with pytest.raises(CentralRefused) as refused:
            client.download_case_blob(str(view.case_id), attachment.sha256, tmp_path / "x")
    assert refused.value.status_code == 403
    assert not (tmp_path / "x").exists()


def test_the_command_line_checks_a_decision_as_the_desk_does(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    (number,) = village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]
    village.cli("sync")
    township.cli("sync")

    def refused(*args: str) -> str:
        done = township.run("case", *args)
        assert done.returncode != 0, done.stdout
        return done.stdout + done.stderr

    # a misspelt field went through, and printed 更正“spouse_idnum” on the resident's paper
    said = refused("return", number, "--reason", "配偶身份证号有误", "--field", "spouse_idnum")
    assert said.strip().endswith("“医保参保”没有以下字段或材料，不能要求补正：spouse_idnum")
    assert "退回补正必须填写理由" in refused("return", number, "--field", "applicant.phone")
    said = refused("complete", number, "--result", "nope")  # was pydantic's English
    assert "--result：“nope”不是可选的结果" in said and "Input should be" not in said
    assert "--to：请写明转办至哪个部门" in refused("forward", number, "--to", " ")
    # 不属于本机关职权范围 must say where to apply (行政许可法 §32)
    remit = "申请事项依法不属于本机关职权范围"
    assert "应向何处申请" in refused("reject", number, "--reason", remit)
    assert township.cli("case", "show", number)["state"] == "submitted"  # nothing was written
    decided = township.cli(
        "case", "reject", number, "--reason", remit, "--apply-instead", "县医疗保障局"
    )
    assert decided["state"] == "rejected"
    assert decided["apply_instead"] == "县医疗保障局"


def test_a_reviewer_pauses_and_resumes_a_case_at_the_command_line(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    number = _accepted(village, township, tmp_path)
    wrong = township.run("case", "pause", number, "--kind", "公告", "--reason", "公示家庭情况")
    assert wrong.returncode != 0 and "公示、调查、听证" in wrong.stdout + wrong.stderr
    paused = township.cli(
        "case", "pause", number, "--kind", "鉴定", "--reason", "委托鉴定房屋安全", "--days", "10"
    )
    assert (paused["state"], paused["pause_kind"]) == ("paused", "鉴定")
    assert township.cli("case", "resume", number)["state"] == "accepted"
    township.cli("sync")  # the centre takes both (a station's act is checked there too)
    village.cli("sync")
    kinds = [h["kind"] for h in village.cli("case", "show", number)["history"]]
    assert kinds[-2:] == ["paused", "resumed"]
