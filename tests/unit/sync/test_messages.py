"""Sync reasons are shown in Chinese (the default language of the tests)."""

from __future__ import annotations

import pytest

from forms.i18n import set_language
from sync.bundle import FORGED
from sync.events import EventKind, Role
from sync.lifecycle import CaseState, check_transition
from sync.messages import translate_reason


def test_superseded_reasons_read_in_chinese() -> None:
    set_language("zh_CN")
    rejected = check_transition(CaseState.rejected, EventKind.edited, Role.agent)
    assert translate_reason(rejected) == "办件处于“不予受理”状态，不能进行此操作"
    village = check_transition(CaseState.submitted, EventKind.accepted, Role.agent)
    assert translate_reason(village) == "办件处于“已报送”状态时，代办员不能进行此操作"
    assert translate_reason(FORGED) == "数据包签名不符：并非该服务站生成（疑似伪造）"
    assert translate_reason("the centre is not answering (503)") == "中心暂时无法响应（503）"
    schema = "the centre accepts event schema 2-3, this station writes 1: upgrade"
    assert translate_reason(schema) == "中心接受的数据版本为 2–3，本站为 1：请升级软件"


def test_unknown_text_and_english_pass_through() -> None:
    assert translate_reason("something new") == "something new"
    assert translate_reason(None) == ""
    set_language("en")
    try:
        assert translate_reason("not allowed while the case is returned") == (
            "not allowed while the case is returned for correction"
        )
    finally:
        set_language("zh_CN")


@pytest.mark.parametrize("state", list(CaseState))
def test_every_state_has_a_chinese_name(state: CaseState) -> None:
    text = translate_reason(f"not allowed while the case is {state.value}")
    assert state.value not in text


@pytest.mark.parametrize(
    ("library", "shown"),
    [
        ("timed out", "无法连接中心：连接超时"),
        ("[Errno 111] Connection refused", "无法连接中心：对方拒绝连接（中心可能没有运行）"),
        ("[Errno -2] Name or service not known", "无法连接中心：找不到中心的地址"),
        ("[Errno 101] Network is unreachable", "无法连接中心：网络不通"),
        ("Server disconnected without sending a response.", "无法连接中心：连接中断"),
        ("something new", "无法连接中心：something new"),
    ],
)
def test_why_the_centre_cannot_be_reached_reads_in_chinese(library: str, shown: str) -> None:
    """The desk said 同步失败：无法连接中心：timed out (the network library's English)."""
    set_language("zh_CN")
    assert translate_reason(f"the centre cannot be reached: {library}") == shown


def test_what_an_operator_meets_at_enrolment_and_bundle_import_reads_in_chinese() -> None:
    """``station enroll`` with a bad code and ``bundle import`` of an outgoing bundle ended
    their Chinese line in English."""
    set_language("zh_CN")
    refused = "the centre refused the request (403): the enrollment code is unknown, already used, cancelled or expired"
    assert (
        translate_reason(refused)
        == "中心拒绝了请求（403）：注册码不存在、已使用、已作废或已过期，请向县政务服务中心要一个新的注册码"
    )
    wrong = translate_reason("this is not a return bundle for this station")
    assert wrong == "这不是发给本服务站的回传数据包"
