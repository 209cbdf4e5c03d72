"""A township decides, a village sees it; a village action that raced a decision is kept, not lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Central, Station, write_cases

pytestmark = pytest.mark.slow  # a real central and two stations


def test_township_decisions_reach_the_village_and_a_racing_edit_is_superseded(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    first, second = village.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))[
        "case_numbers"
    ]
    assert village.cli("sync")["pushed"] == 6

    assert township.cli("sync")["pulled"] == 6
    assert township.cli("case", "show", first)["state"] == "submitted"
    assert township.cli("case", "accept", first)["state"] == "accepted"
    rejected = township.cli("case", "reject", second, "--reason", "不属于本乡镇受理范围")
    assert rejected["state"] == "rejected"
    assert township.cli("sync")["pushed"] == 2

    # Offline, before it pulls the rejection, the village records a withdrawal.
    withdrawn = village.cli("case", "withdraw", second, "--reason", "申请人要求撤回")
    assert withdrawn["state"] == "withdrawn"

    report = village.cli("sync")
    assert (report["pushed"], report["superseded"], report["pending"]) == (1, 1, 0)
    assert village.cli("case", "show", first)["state"] == "accepted"
    case = village.cli("case", "show", second)
    assert case["state"] == "rejected"
    assert case["last_reason"] is not None
    (superseded,) = [h for h in case["history"] if h["status"] == "superseded"]
    assert superseded["kind"] == "withdrawn"
    assert superseded["reason_text"] == "办件处于“不予受理”状态，不能进行此操作"
    assert superseded["summary"]["reason"] == "申请人要求撤回"
    assert "superseded" in case["flags"]
    # The township sees the same history: the withdrawal is kept there too.
    township.cli("sync")
    kinds = [(h["kind"], h["status"]) for h in township.cli("case", "show", second)["history"]]
    assert ("withdrawn", "superseded") in kinds


def test_a_field_the_township_names_is_corrected_and_the_township_sees_old_and_new(
    central: Central, village: Station, township: Station, tmp_path: Path
) -> None:
    from forms.catalog import load_catalog
    from station.services.cases import Actor, CaseService
    from station.store import StationStore
    from sync.events import Role

    (number,) = village.cli("case", "import", str(write_cases(tmp_path / "one.jsonl", 1)))[
        "case_numbers"
    ]
    village.cli("sync")
    township.cli("sync")
    returned = township.cli(
        "case", "return", number, "--reason", "户籍地址与户口簿不符", "--field", "hukou_address"
    )
    assert returned["state"] == "returned"
    township.cli("sync")
    village.cli("sync")

    store = StationStore.open(village.data_dir)  # the agent corrects at the desk's core
    try:
        agent = Actor(village.user_id, Role.agent, village.user)
        service = CaseService(store, load_catalog(), agent)
        service.correct(number, {"fields.hukou_address": "杨郎村二组"})
        service.resubmit(number)
    finally:
        store.close()
    village.cli("sync")
    township.cli("sync")

    case = township.cli("case", "show", number)
    assert case["state"] == "submitted"
    (corrected,) = [h for h in case["history"] if h["kind"] == "corrected"]
    assert "杨郎村一组" in corrected["note"] and "杨郎村二组" in corrected["note"]
    # the village names its own agent (the account is cached there), not the role
    here = village.cli("case", "show", number)["history"]
    assert [h["actor_name"] for h in here if h["kind"] == "corrected"] == [village.user]
