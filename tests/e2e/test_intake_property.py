"""Property: every take-in ends refused with a Chinese message, or as one case the centre accepts.

Hundreds of generated applications (valid and invalid: who files and the
principal, ID numbers of every kind, a field of every type with good and bad
values, materials provided or deferred with good, bad or missing deadlines) go
through ``CaseService.take_in`` (the desk's core) and through
``station.services.importer.import_lines`` (``daiban case import``), then are
pushed to a real central on loopback. Each generated application carries the
verdict it must get, so a refusal of a good one fails the test as surely as an
acceptance of a bad one.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.catalog import Catalog
from forms.catalog.model import FieldSpec, MaterialSpec, ServiceItem
from forms.clock import china_day, utc_now
from forms.identity import uscc_check_char
from station.services.cases import (
    Actor,
    Application,
    CaseService,
    ValidationFailed,
)
from station.services.importer import import_lines
from station.services.syncing import sync_now
from station.store import StationStore
from sync.events import Role
from sync.views import EntryStatus
from tests.e2e.conftest import VILLAGE, Central, enrolled_station, id_number

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("intake-property")]

TAKE_INS = 320
"""Generated applications taken in at the desk's core."""
IMPORT_LINES = 320
"""Generated applications imported as ``case import`` lines."""

CHINESE = re.compile(r"[\u4e00-\u9fff]")
NOW = utc_now()
TODAY = china_day(NOW)
"""The day the generated dates are written against; the test holds the desk's clock at
``NOW`` (a run that crossed midnight in China took a deadline of "tomorrow" for today's)."""
CODE = "640522-TEST-001"
USCC = "N2640522MA7654321" + uscc_check_char("N2640522MA7654321")


def _spec(key: str, label: str, kind: Any, **extra: Any) -> FieldSpec:
    return FieldSpec(key=key, label=label, type=kind, **extra)


FIELDS = [
    _spec("contact_name", "联系人姓名", "text", required=True, max_length=40),
    _spec("reason", "申请理由", "long_text"),
    _spec("household_size", "家庭人口", "integer", required=True, min=1, max=20),
    _spec("income", "家庭年收入", "money", max=100000),
    _spec("married_on", "结婚登记日期", "date", past_only=True),
    _spec("due_on", "预产期", "date"),
    _spec("nation", "民族", "choice", options=["汉族", "回族"]),
    _spec("disability", "残疾类别", "multi_choice", options=["视力", "肢体"]),
    _spec("lives_alone", "是否独居", "boolean"),
    _spec("carer_phone", "照料人电话", "phone"),
    _spec("spouse_id", "配偶身份证号码", "id_number"),
    _spec("org_code", "统一社会信用代码", "uscc"),
    _spec("bank_account", "社保卡金融账户", "bank_account"),
]
ITEM = ServiceItem(
    code=CODE,
    name="属性测试事项（每种字段）",
    item_type="其他行政权力",
    legal_days=20,
    promised_days=10,
    defer_days=5,
    basis="测试依据",
    fields=FIELDS,
    materials=[
        MaterialSpec(key="id_card", name="居民身份证", original=True),
        MaterialSpec(key="photo", name="近期一寸照片", deferrable=True),
        MaterialSpec(key="hukou", name="户口簿", required=False, shareable=True),
    ],
)


def _id_pool(want_x: bool, count: int) -> list[str]:
    found = []
    for serial in range(100, 999):
        number = id_number(f"640522{1950 + serial % 40}0{1 + serial % 9}1{serial % 9}{serial}")
        if number.endswith("X") == want_x:
            found.append(number)
        if len(found) == count:
            return found
    raise AssertionError("no ID numbers")


GOOD_IDS = _id_pool(False, 400) + [n.lower() for n in _id_pool(True, 40)]
"""Enough residents that most lines are someone new, and some apply twice (重复申请)."""
BAD_IDS = [
    "640522600101123",  # an old 15-digit number
    GOOD_IDS[0][:17] + ("0" if GOOD_IDS[0][17] != "0" else "1"),  # wrong check character
    GOOD_IDS[0][:17],
    "64052219601301123X",
]

GOOD_VALUES: dict[str, list[Any]] = {
    "contact_name": ["马小兰", " 阿卜杜·热合曼 "],
    "reason": ["第一行\n第二行"],
    "household_size": [3, "５", "20"],
    "income": ["1,234.50", "１２３", "¥1200元", 300, "0"],
    "married_on": [(TODAY - timedelta(days=400)).isoformat(), "2020/1/5", "1990年5月1日"],
    "due_on": [(TODAY + timedelta(days=90)).isoformat()],
    "nation": ["回族"],
    "disability": [["视力"], "视力、肢体"],
    "lives_alone": [True, "否"],
    "carer_phone": ["13995512345", "0954-4012345", "139 9551 2345"],
    "spouse_id": GOOD_IDS,
    "org_code": [USCC],
    "bank_account": ["6228480402564890018", "6228 4804 0256 4890 018"],
}
BAD_VALUES: dict[str, list[Any]] = {
    "contact_name": ["马小兰2", "张\n三", "马" * 41, 12],
    "reason": [12],
    "household_size": ["3.5", 0, 21, True],
    "income": ["1,23", "-1", "12.345", "一千", 12.5, "100000.01"],
    "married_on": ["2026-13-45", (TODAY + timedelta(days=1)).isoformat(), "1899-12-31"],
    "due_on": ["2026-02-30", (TODAY + timedelta(days=3 * 366)).isoformat()],
    "nation": ["苗族"],
    "disability": [["听力"]],
    "lives_alone": ["也许"],
    "carer_phone": ["12345", "1399551234"],
    "spouse_id": BAD_IDS,
    "org_code": [USCC[:17] + "Z"],
    "bank_account": ["6228480402564890019", "62284804021", "abc"],
}
REQUIRED = {spec.key for spec in FIELDS if spec.required}


@dataclass
class Generated:
    """One application and the verdict it must get."""

    line: dict[str, Any]
    valid: bool
    why: list[str] = field(default_factory=list)
    """What was made wrong on purpose."""


@st.composite
def person(draw: st.DrawFn, role: str, clean: bool) -> tuple[dict[str, Any], list[str]]:
    wrong: list[str] = []
    name = draw(st.sampled_from(["马福贵", "王芳"] + ([] if clean else ["马2", ""])))
    # the 代办人 from the pool's other end: hypothesis favours a list's first items, and
    # the applicant as their own 代办人 is refused (counted wrong below when drawn)
    pool = GOOD_IDS if role == "applicant" else GOOD_IDS[::-1]
    number = draw(st.sampled_from(pool + ([] if clean else [*BAD_IDS, ""])))
    phone = draw(
        st.sampled_from(["13995512345", "0954-4012345"] + ([] if clean else ["12345", ""]))
    )
    if name in ("马2", ""):
        wrong.append(f"{role}.name")
    if number not in GOOD_IDS:
        wrong.append(f"{role}.id_number")
    if phone in ("12345", ""):
        wrong.append(f"{role}.phone")
    return {"name": name, "id_number": number, "phone": phone}, wrong


@st.composite
def who_files(draw: st.DrawFn, clean: bool) -> tuple[dict[str, Any], list[str]]:
    relation = draw(st.sampled_from(["self", "relative", "agent"]))
    shapes = ["absent", "empty", "blank"] if relation == "self" else ["present"]
    shape = draw(st.sampled_from(shapes if clean else ["present", "absent", "empty", "blank"]))
    out: dict[str, Any] = {"relation": relation}
    wrong: list[str] = []
    if shape == "present":
        out["principal"], wrong = draw(person("principal", clean))
        if relation == "self":
            wrong = ["principal (self files)"]
    elif shape == "empty":
        out["principal"] = {}
    elif shape == "blank":
        out["principal"] = {"name": " ", "id_number": "", "phone": ""}
    if relation != "self" and shape != "present":
        wrong = ["principal missing"]
    return out, wrong


@st.composite
def form_fields(draw: st.DrawFn, clean: bool) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    wrong: list[str] = []
    for spec in FIELDS:
        kinds = ["good", "good", "absent"] if clean else ["good", "good", "bad", "absent"]
        choice = draw(st.sampled_from(kinds))
        if clean and spec.key in REQUIRED:
            choice = "good"
        if choice == "good":
            values[spec.key] = draw(st.sampled_from(GOOD_VALUES[spec.key]))
        elif choice == "bad":
            values[spec.key] = draw(st.sampled_from(BAD_VALUES[spec.key]))
            wrong.append(f"fields.{spec.key}")
        elif spec.key in REQUIRED:
            wrong.append(f"fields.{spec.key} (required)")
    return values, wrong


@st.composite
def materials(draw: st.DrawFn, clean: bool) -> tuple[dict[str, Any], list[str]]:
    wrong: list[str] = []
    id_card = draw(st.sampled_from(["provided"] + ([] if clean else ["missing", "deferred"])))
    photo = draw(st.sampled_from(["provided", "deferred"] + ([] if clean else ["missing"])))
    hukou = draw(st.sampled_from(["shared", "provided", "missing"]))
    if id_card != "provided":
        wrong.append("materials.id_card")
    if photo == "missing":
        wrong.append("materials.photo")
    out: dict[str, Any] = {"materials": {"id_card": id_card, "photo": photo, "hukou": hukou}}
    deadlines = ["none", "good"] if clean and photo == "deferred" else ["none"]
    deadline = draw(
        st.sampled_from(
            deadlines if clean else ["none", "good", "today", "late", "unreal", "words"]
        )
    )
    typed = {
        "good": (TODAY + timedelta(days=draw(st.integers(1, 5)))).isoformat(),
        "today": TODAY.isoformat(),
        "late": (TODAY + timedelta(days=40)).isoformat(),
        "unreal": "2026-13-45",
        "words": "下周一",
    }.get(deadline)
    if typed is not None:
        out["supply_by"] = {"photo": typed}
        if photo != "deferred" or deadline != "good":
            wrong.append(f"supply_by.photo ({deadline}, {photo})")
    return out, wrong


@st.composite
def applications(draw: st.DrawFn) -> Generated:
    clean = draw(st.booleans())  # half are made right throughout, half wrong anywhere
    applicant, wrong = draw(person("applicant", clean))
    filing, wrong_filing = draw(who_files(clean))
    values, wrong_fields = draw(form_fields(clean))
    stuff, wrong_materials = draw(materials(clean))
    line = {"item_code": CODE, "applicant": applicant, **filing, "fields": values, **stuff}
    why = wrong + wrong_filing + wrong_fields + wrong_materials
    principal = filing.get("principal") or {}
    own = str(applicant["id_number"]).upper()
    if filing["relation"] != "self" and own and str(principal.get("id_number")).upper() == own:
        why.append("principal is the applicant")  # the same person cannot act for themselves
    return Generated(line=line, valid=not why, why=why)


@dataclass
class Tally:
    valid: int = 0
    invalid: int = 0
    repeats: int = 0
    taken_in: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    """ID numbers with an open case: a later import line of theirs is 重复申请."""


@pytest.fixture(scope="module")
def central_for_property(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    from tests.e2e.conftest import running_central

    with running_central(tmp_path_factory.mktemp("county"), ()) as running:
        yield running


def _id_of(generated: Generated) -> str:
    """The applicant's ID number as the station keys it (upper case)."""
    return str(generated.line["applicant"].get("id_number") or "").strip().upper()


def _assert_refusal_named(problems: list[tuple[str, str]], generated: Generated) -> None:
    assert problems, generated
    for where, message in problems:
        assert where, (message, generated)
        assert CHINESE.search(message) and "：" in message, (where, message, generated)


def test_every_take_in_is_refused_by_name_or_accepted_by_the_centre(
    central_for_property: Central, tmp_path: Path, hold_time: Callable[[datetime], None]
) -> None:
    hold_time(NOW)  # the day of TODAY, however long the run before this test took
    station = enrolled_station(
        central_for_property, tmp_path / "village", VILLAGE, "杨郎村便民服务站", "village"
    )
    store = StationStore.open(station.data_dir)
    actor = Actor(user_id=station.user_id, role=Role.agent, name="马丽", phone="13995500001")
    service = CaseService(store, Catalog(version="prop", items=[ITEM]), actor)
    tally = Tally()

    @settings(
        max_examples=TAKE_INS,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(applications())
    def take_in_one(generated: Generated) -> None:
        before = (store.count_cases(), store.outbox_depth())
        try:
            case = service.take_in(Application(**generated.line))
        except ValidationFailed as refused:
            assert not generated.valid, (refused.problems, generated)
            _assert_refusal_named([(p.field, p.message) for p in refused.problems], generated)
            assert (store.count_cases(), store.outbox_depth()) == before
            tally.invalid += 1
            return
        assert generated.valid, generated
        assert store.count_cases() == before[0] + 1
        tally.valid += 1
        tally.held.add(_id_of(generated))
        tally.taken_in.append(case.case_number)

    take_in_one()

    lines: list[Generated] = []

    @settings(max_examples=IMPORT_LINES, database=None, deadline=None)
    @given(applications())
    def collect(generated: Generated) -> None:
        lines.append(generated)

    collect()
    texts = [json.dumps(g.line, ensure_ascii=False) for g in lines]
    before = store.count_cases()
    report = import_lines(service, texts)
    failed: dict[int, list[tuple[str, str]]] = {}
    for failure in report.failed:
        failed.setdefault(failure.line, []).append((failure.field, failure.error))
    skipped = {failure.line for failure in report.skipped}
    for number, generated in enumerate(lines, start=1):
        if generated.valid and _id_of(generated) in tally.held:
            assert number in skipped and number not in failed, generated  # 重复申请
            tally.repeats += 1
        elif generated.valid:
            assert number not in failed and number not in skipped, (failed.get(number), generated)
            tally.held.add(_id_of(generated))
            tally.valid += 1
        else:
            _assert_refusal_named(failed.get(number, []), generated)
            tally.invalid += 1
    assert report.imported == sum(g.valid for g in lines) - tally.repeats
    assert len(report.skipped) == tally.repeats
    assert store.count_cases() == before + report.imported
    tally.imported = report.case_numbers

    pushed = sync_now(store)
    assert pushed.error is None
    assert (pushed.superseded, pushed.rejected, pushed.pending) == (0, 0, 0)
    accepted = 0
    for number in tally.taken_in + tally.imported:
        case = store.get_case(number)
        assert case is not None and "superseded" not in case.flags, number
        # one set of events, all applied (the sync then sends the case on: 报送)
        assert [h.kind.value for h in case.history][:2] == ["created", "received"], number
        assert {h.status for h in case.history} == {EntryStatus.applied}, number
        accepted += 1
    counts = {
        "generated": TAKE_INS + IMPORT_LINES,
        "valid": tally.valid,
        "invalid": tally.invalid,
        "repeats": tally.repeats,
        "accepted_by_centre": accepted,
        "pushed_events": pushed.pushed,
        "applied_events": pushed.applied,
    }
    sys.stderr.write(f"\nintake property counts: {json.dumps(counts)}\n")
    assert tally.valid + tally.invalid + tally.repeats == TAKE_INS + IMPORT_LINES
    assert accepted == tally.valid
    assert tally.valid >= 150 and tally.invalid >= 150  # both kinds really were generated
    assert tally.repeats > 0  # and residents applying twice
    store.close()
