"""A case's timeline and result as people read them: names, not roles; old → new.

The desk's case page and ``daiban case show`` both use these, so they say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forms.catalog import ServiceItem
from forms.clock import format_minute
from station.services import _
from station.services.corrections import describe
from station.services.names import action_name, material_state_name, role_name
from sync.events import EventKind
from sync.messages import translate_reason
from sync.payloads import RATING_WORDS
from sync.reducer import CaseView, EntryStatus, HistoryEntry

RESULT_NAMES: dict[str, str] = {
    "approved": "approved 通过",
    "denied": "not approved 不通过",
    "approved_deferred": "approved, materials to follow 容缺通过",
}
"""办结 results (translated on use)."""


@dataclass(frozen=True)
class TimelineLine:
    """One line of a case's timeline."""

    time: str
    what: str
    who: str
    note: str


def people(store: Any) -> dict[str, str]:
    """Display names by account id, from the accounts this station caches (pulled)."""
    return {account.user_id: account.display_name for account in store.list_accounts()}


def person(entry: HistoryEntry, names: dict[str, str]) -> str:
    """Who acted: the person's name (王芳), or the role when the account is unknown here."""
    return names.get(entry.actor_id) or role_name(entry.actor_role)


def result_name(result: str | None) -> str:
    """通过 / 不通过 / 容缺通过 (empty while there is no result)."""
    if not result:
        return ""
    return _(RESULT_NAMES.get(result, result))


def result_text(view: CaseView) -> str:
    """The 办结 result with the reviewer's note, as the case page and 今日 show it."""
    if not view.result:
        return ""
    text = _("Result: {result}").format(result=result_name(view.result))
    if view.result_note:
        text += _(" — {note}").format(note=view.result_note)
    return text


def handover_text(view: CaseView) -> str:
    """What the resident is handed at 送达: the 办结 result (``result_text``), or for a case
    the township refused, the refusal and its reason (the 不予受理通知书 the agent gives)."""
    if view.state == "rejected":
        text = _("Not accepted 不予受理: {reason}").format(reason=refusal_reason(view))
        text = text.rstrip(": ：")
        if view.apply_instead:  # 不属于本机关职权范围: where the resident applies instead
            text += _(" (apply to {where})").format(where=view.apply_instead)
        return text
    return result_text(view)


def refusal_reason(view: CaseView) -> str:
    """The township's reason for 不予受理 (``last_reason`` is a later superseded event's
    reason once there is one)."""
    for entry in reversed(view.history):
        if entry.kind is EventKind.rejected and entry.status is EntryStatus.applied:
            return str(entry.summary.get("reason") or "")
    return view.last_reason or ""


def rating_text(rating: Any, reason: str | None = None) -> str:
    """A 好差评 as the resident chose it: its words and score, then the reason given
    (``不满意（2 分）：等了很久``)."""
    if rating is None:
        return ""
    words = RATING_WORDS.get(rating) if isinstance(rating, int) else None
    text = _("{words} ({rating} of 5)").format(words=words, rating=rating) if words else str(rating)
    return _("{rating}: {reason}").format(rating=text, reason=reason) if reason else text


def _shown(value: Any, path: str = "") -> str:
    """A corrected value as the agent reads it: a material's state in words (it showed
    ``provided``), anything else as it is."""
    if value is None or value == "":
        return _("(empty)")
    if path.startswith("materials."):
        return material_state_name(str(value))
    return str(value)


def correction_note(summary: dict[str, Any], view: CaseView, item: ServiceItem | None) -> str:
    """``银行卡号: 6222…01 → 6222…02`` for each corrected value."""
    parts = []
    for path, change in (summary.get("changes") or {}).items():
        label = describe(item, view, path).label
        old, new = _shown(change.get("old"), path), _shown(change.get("new"), path)
        parts.append(f"{label}: {old} → {new}")
    return "; ".join(parts)


def _note(entry: HistoryEntry, view: CaseView, item: ServiceItem | None) -> str:
    summary = entry.summary
    if entry.status == "superseded":
        return _("superseded: {reason}").format(reason=translate_reason(entry.reason or ""))
    if entry.kind is EventKind.corrected:
        return correction_note(summary, view, item)
    if entry.kind is EventKind.forwarded and summary.get("to"):
        return str(summary["to"])  # where the case went (a department or township: data)
    if entry.kind is EventKind.completed:
        note = result_name(summary.get("result"))
        return f"{note} — {summary['note']}" if summary.get("note") else note
    if entry.kind is EventKind.handed_over:  # how, and who signed (the dialog asks both)
        how, signed = summary.get("how") or "", summary.get("signed_by") or ""
        return _("{how}, signed for by {name}").format(how=how, name=signed) if signed else how
    if entry.kind is EventKind.rated:
        return rating_text(summary.get("rating"), summary.get("reason"))
    if entry.kind is EventKind.rating_corrected:
        return _("{old} → {new}, because: {why}").format(
            old=rating_text(summary.get("old")),
            new=rating_text(summary.get("new")),
            why=summary.get("why", ""),
        )
    if entry.kind is EventKind.supplemented and item is not None:  # which came (it said none)
        brought = summary.get("materials")
        named = {m.key: m.name for m in item.materials}
        return (
            "、".join(str(named.get(key) or key) for key in brought)
            if isinstance(brought, dict)
            else ""
        )
    return str(entry.reason or summary.get("reason") or "")


def timeline(
    view: CaseView, names: dict[str, str], item: ServiceItem | None = None
) -> list[TimelineLine]:
    """The case's history as lines: when, what, who (by name), and what changed or why."""
    return [
        TimelineLine(
            time=format_minute(entry.device_time),
            what=action_name(entry.kind),
            who=person(entry, names),
            note=_note(entry, view, item),
        )
        for entry in view.history
    ]


def renumbered_lines(store: Any, view: CaseView) -> list[str]:
    """What the case page says of a case this station renumbered (its old receipt is void)."""
    return [
        _(
            "Renumbered on {when}: number {old} was already another case's at the"
            " centre. A receipt with {old} is void: reprint the receipt (补打)."
        ).format(when=format_minute(one.at), old=one.old)
        for one in store.renumbered()
        if one.case_id == view.case_id
    ]


def annotate(
    data: dict[str, Any], view: CaseView, names: dict[str, str], item: ServiceItem | None = None
) -> dict[str, Any]:
    """Add what people read to a case's JSON: ``result_name``, ``result_text``, and per
    history entry ``actor_name``, ``kind_name``, ``status_name`` and ``note`` (``daiban
    case show --json``)."""
    data["result_name"] = result_name(view.result)
    data["result_text"] = result_text(view)
    for entry, line, shown in zip(
        view.history, timeline(view, names, item), data["history"], strict=True
    ):
        shown["actor_name"] = person(entry, names)
        shown["kind_name"] = line.what
        shown["status_name"] = _(ENTRY_STATUS_NAMES.get(str(shown["status"]), str(shown["status"])))
        shown["note"] = line.note
    return data


ENTRY_STATUS_NAMES = {
    "applied": "applied 已生效",
    "pending": "pending 待上传",
    "superseded": "superseded 已被取代",
}
"""A history entry's status as people read it (translated on use)."""
