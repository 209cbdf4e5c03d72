"""扫码查询进度: what the public progress page of a case says, found by its key.

The key comes with the case's ``created`` event (``sync.progress``); the centre
keeps the first 16 bytes of its SHA-256 (``progress_key``) so the look-up is one
primary-key read, never a comparison of a guessed key with a stored one. The
page shows the item, the state and the next step in plain words, the dates in
China time and the resident's masked name: nothing else about the person.

The words are Chinese whatever the centre's language, like the paper they
answer (the receipt's QR code): the page is for the resident, not the clerk.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from central.models import (
    CASE_BODY,
    CASE_TABLE,
    CASES_WITH_BODY,
    PROGRESS_KEY_TABLE,
    VIEW_COLUMNS,
    whole_view,
)
from central.services.bulk import insert_rows
from forms.clock import china_day
from forms.workdays import due_date
from sync.driver import execute_many
from sync.lifecycle import CaseState
from sync.progress import PAYLOAD_KEY, is_progress_key, masked_name
from sync.reducer import CaseView, deadline_inputs

STATE_WORDS: dict[CaseState, str] = {
    CaseState.draft: "尚未收件",
    CaseState.received: "已收件，等待报送",
    CaseState.submitted: "已报送乡镇（街道），等待受理",
    CaseState.returned: "需要补正材料",
    CaseState.accepted: "已受理，正在办理",
    CaseState.processing: "正在办理（已报上级部门）",
    CaseState.paused: "特别程序中，暂停计时",
    CaseState.completed: "已办结",
    CaseState.delivered: "已办结，结果已送达",
    CaseState.rejected: "不予受理",
    CaseState.withdrawn: "已撤回",
}
"""The state as the resident reads it (the desk's names, in plain words)."""

NEXT_STEPS: dict[CaseState, str] = {
    CaseState.draft: "请联系为您代办的代办员。",
    CaseState.received: "代办员将把材料报送乡镇（街道）便民服务中心，您无需操作。",
    CaseState.submitted: "乡镇（街道）便民服务中心审核材料，您无需操作。",
    CaseState.returned: "请按补正告知书，带齐材料到代办点补正；补正后继续办理。",
    CaseState.accepted: "正在审核办理，办结后代办员会通知您。",
    CaseState.processing: "上级部门正在办理，办结后代办员会通知您。",
    CaseState.paused: "公示、调查等特别程序不计入办理时限，结束后继续办理。",
    CaseState.completed: "办理结果将送到代办点，代办员会通知您领取。",
    CaseState.delivered: "办理完毕。欢迎对本次服务作出评价。",
    CaseState.rejected: "原因见不予受理通知书；如有疑问，请联系代办员或拨打12345。",
    CaseState.withdrawn: "本申请已撤回，不再办理。",
}
"""What happens next, or what the resident has to do."""

RESULT_WORDS = {"approved": "准予办理", "denied": "不予批准", "approved_deferred": "准予办理"}
"""The result of a completed case (容缺通过 reads as approved to the resident)."""


@dataclass(frozen=True)
class ProgressPage:
    """What the public page of one case shows (no ID number, no phone, no address)."""

    item_name: str
    case_number: str
    name: str
    """The resident's name, masked (王*芳)."""
    state: str
    next_step: str
    dates: tuple[tuple[str, str], ...]
    """(label, China date) in the order they happened; the expected date while open."""


def key_hash(key: str) -> str:
    """The stored form of a key: the first 16 bytes of its SHA-256, hex (the key itself is
    never stored; a key has 128 random bits, so a longer digest would say no more)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


_SQLITE_INSERT = sqlite_insert(PROGRESS_KEY_TABLE).on_conflict_do_nothing()
"""A key already kept is left as it is (built once: it keys ``sync.driver``'s cache)."""


def record_keys(connection: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Keep the key of every applied ``created`` event in ``rows`` (push and bundle import).

    Args:
        connection: the push's transaction.
        rows: the batch's event rows (``kind``, ``status``, ``case_id``, ``payload``).
    """
    keys = [
        {"key_hash": key_hash(key), "case_id": row["case_id"]}
        for row in rows
        if row["kind"] == "created" and row["status"] == "applied"
        for key in [row["payload"].get(PAYLOAD_KEY)]
        if isinstance(key, str) and is_progress_key(key)
    ]
    if not keys:
        return
    if connection.dialect.name == "postgresql":  # one statement for the batch (bulk.py)
        insert_rows(connection, PROGRESS_KEY_TABLE, keys, "ON CONFLICT DO NOTHING")
    else:
        execute_many(connection, _SQLITE_INSERT, keys)


def find_progress(*, session: Session, key: str, today: date | None = None) -> ProgressPage | None:
    """The page of the case with this key, or None (unknown, malformed, or not a live case).

    Malformed keys are looked up like any other (the same work for every wrong key).

    Args:
        session: a database session.
        key: the key from the address.
        today: the day an open pause is assumed to run to (default: today in China).

    Returns:
        The page's content, or None.
    """
    keys, cases = PROGRESS_KEY_TABLE.c, CASE_TABLE.c
    statement = (
        select(*(cases[name] for name in VIEW_COLUMNS), cases.view, CASE_BODY)
        .select_from(CASES_WITH_BODY.join(PROGRESS_KEY_TABLE, keys.case_id == cases.case_id))
        .where(keys.key_hash == key_hash(key))
    )
    row = session.connection().execute(statement).one_or_none()
    if row is None:
        return None
    raw = whole_view(row._mapping, row.view, row.body)  # its columns and payload put back
    view = CaseView.model_validate_json(raw) if isinstance(raw, str) else CaseView(**raw)
    if view.state not in STATE_WORDS or view.applicant is None:
        return None
    return page_of(view, today=today)


def page_of(view: CaseView, *, today: date | None = None) -> ProgressPage:
    """What the page of ``view`` shows (see :func:`find_progress`)."""
    state = STATE_WORDS[view.state]
    if view.state is CaseState.completed and view.result in RESULT_WORDS:
        state = f"已办结：{RESULT_WORDS[view.result]}"
    return ProgressPage(
        item_name=view.item_name or view.item_code,
        case_number=view.case_number,
        name=masked_name(view.applicant.name if view.applicant else ""),
        state=state,
        next_step=NEXT_STEPS[view.state],
        dates=tuple(_dates(view, today)),
    )


def _dates(view: CaseView, today: date | None) -> Iterable[tuple[str, str]]:
    marks = (
        ("收件日期", view.received_at or view.created_at),
        ("受理日期", view.accepted_at),
        ("办结日期", view.completed_at),
        ("送达日期", view.delivered_at),
    )
    for label, moment in marks:
        if moment is not None:
            yield label, cn_date(china_day(moment))
    expected = _expected(view, today)
    if expected is not None:
        yield "预计办结", cn_date(expected)


def _expected(view: CaseView, today: date | None) -> date | None:
    """The promised date while the case is accepted and not yet done (受理 starts the clock)."""
    if view.state not in (CaseState.accepted, CaseState.processing, CaseState.paused):
        return None
    start, days, pauses = deadline_inputs(view)
    if start is None or days is None:
        return None
    return due_date(start, days, pauses, today=today).date


def cn_date(day: date) -> str:
    """A date as a resident writes it: 2026年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"
