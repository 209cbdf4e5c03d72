"""How the review queue (审核台) reads on screen: its sections, rows, 红黄牌 and detail lines.

Pure formatting of :class:`station.services.review_queue.QueueEntry`; the screen
(:mod:`station.screens.review_queue`) lays these out.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from station.i18n import _
from station.services.names import state_name
from station.services.review_queue import Deadline, Mark, QueueEntry, Section

SECTION_NAMES: dict[Section, str] = {
    Section.waiting: "Waiting 待受理",
    Section.returned: "Correcting 补正中",
    Section.handling: "In hand 办理中",
    Section.paused: "On hold 公示/暂停",
    Section.due_soon: "Due soon 即将超期",
    Section.overdue: "Overdue 已超期",
}
"""The sections' names in the header (translated on use: 待受理, 补正中, ...)."""

SECTION_COLUMNS: dict[Section, tuple[str, str]] = {
    Section.waiting: ("Sent 报送", "Waiting days 等待"),
    Section.returned: ("Returned on 退回", "Correct by 补正期限"),
    Section.handling: ("Deadline 期限", "Days left 剩余"),
    Section.paused: ("Paused on 暂停", "Kind 类型"),
    Section.due_soon: ("Deadline 期限", "Days left 剩余"),
    Section.overdue: ("Deadline 期限", "Days left 剩余"),
}
"""The two columns that differ by section (translated on use)."""

MARK_STYLES: dict[Mark, tuple[str, str]] = {
    Mark.yellow: ("Yellow card 黄牌", "bold black on yellow"),
    Mark.red: ("Red card 红牌", "bold white on red"),
}
"""红黄牌 as shown: a word (translated) on its colour, readable without the colour too."""

DEADLINE_TEXTS: dict[Deadline, str] = {
    Deadline.acceptance: "accept or return by {day} (§32)",
    Deadline.decision: "decide by {day}",
    Deadline.correction: "village to correct by {day}",
}
"""What a deadline means, for the detail line (translated on use)."""

VILLAGE_SUFFIXES = ("便民服务站", "便民服务中心", "村民委员会", "居民委员会")
ITEM_CHARS = 7
"""Characters of an item's name in the table (the detail line has all of it)."""


def short_village(name: str) -> str:
    """山门村便民服务站 -> 山门村 (the table's column; the detail line has the whole name)."""
    for suffix in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _short(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _day(value: date | None) -> str:
    return value.strftime("%m-%d") if value else ""


def days_left_text(left: int | None) -> str:
    """剩2天 / 今天到期 / 超1天 (working days)."""
    if left is None:
        return ""
    if left < 0:
        return _("{n}d late 超").format(n=-left)
    if left == 0:
        return _("due today 今天")
    return _("{n}d left 剩").format(n=left)


def note_text(entry: QueueEntry) -> str:
    """The table's 注 column: a duplicate, and who claimed the case."""
    parts = []
    if entry.forwarded_to:
        parts.append(_("Forwarded 已转办"))
    if entry.resubmitted_on:
        parts.append(_("Corrected 补正后重报"))
    if entry.duplicate:
        parts.append(_("Duplicate 重复"))
    if entry.claimed_by_me:
        parts.append(_("Mine 我的"))
    elif entry.claimed_by:
        parts.append(_("{name} has it 已认领").format(name=entry.claimed_by))
    return " ".join(parts)


def _columns(section: Section, entry: QueueEntry) -> tuple[str, str]:
    if section is Section.waiting:
        return _day(entry.submitted_on), _("{n}d 天").format(n=entry.waiting_days or 0)
    if section is Section.returned:
        return _day(entry.since), _day(entry.deadline)
    if section is Section.paused:
        return _day(entry.since), _short(entry.pause_kind or "", 4)
    if section is Section.handling:
        return _day(entry.deadline), days_left_text(entry.days_left)
    kind = _("Accept 受理") if entry.deadline_kind is Deadline.acceptance else _("Decide 办结")
    return f"{kind} {_day(entry.deadline)}", days_left_text(entry.days_left)


def table_row(section: Section, entry: QueueEntry) -> tuple[Text | str, ...]:
    """One row of the queue's table for ``section``."""
    words, style = MARK_STYLES.get(entry.mark, ("", ""))
    first, second = _columns(section, entry)
    return (
        Text(_(words), style=style) if words else "",
        short_village(entry.village),
        _short(entry.item_short or entry.item_name, ITEM_CHARS),  # 城乡居民基本… was two items
        f"{entry.applicant} {entry.id_masked[-8:]}".strip(),
        first,
        second,
        note_text(entry),
    )


def detail_text(entry: QueueEntry) -> str:
    """The lines under the table: the highlighted case in full (the ID number still masked)."""
    who = f"{entry.case_number}  {entry.station or entry.village}  {entry.applicant} {entry.id_masked}"
    facts = [state_name(entry.state), entry.item_name]
    if entry.submitted_on:
        facts.append(_("submitted {day}").format(day=entry.submitted_on.isoformat()))
    if entry.resubmitted_on:
        day = entry.resubmitted_on.isoformat()
        facts.append(_("resubmitted after correction {day}").format(day=day))
    watch = []
    if entry.deadline and entry.deadline_kind:
        text = DEADLINE_TEXTS[entry.deadline_kind]
        if entry.deadline_kind is Deadline.acceptance and not entry.licensing:
            text = "accept or return by {day}"  # not a 行政许可: the law's §32 is not cited
        watch.append(_(text).format(day=entry.deadline))
    if entry.forwarded_to:
        watch.append(_("forwarded to {to}, who decides").format(to=entry.forwarded_to))
    if entry.claimed_by and not entry.claimed_by_me:
        watch.append(_("claimed by {name}").format(name=entry.claimed_by))
    duplicate = ""
    if entry.duplicate:
        duplicate = _("Duplicate: the same resident has {cases} open for this item").format(
            cases=", ".join(entry.duplicate)
        )
    return "\n".join([who, " · ".join(facts), " · ".join(watch), duplicate])
