"""今日 (home) as data: what needs the agent today, read from the store in one go.

The home screen shows it; nothing here knows about Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from forms.clock import format_minute, format_short
from forms.workdays import working_days_between
from station.i18n import _
from station.services.bundles import last_return_made
from station.services.desk import Desk, SyncState
from sync.tls import is_insecure_url

SECTION_LIMIT = 20
"""At most this many lines per section (the case list pages through the rest)."""
NEAR_WORKING_DAYS = 2
"""A case with this many working days left, or fewer, is "near due" (临期)."""


@dataclass
class HomeLine:
    """One line of the home list: what it says and what it opens."""

    text: str
    case_key: str | None = None
    draft_id: str | None = None
    draft_data: dict[str, Any] | None = None


@dataclass
class HomeData:
    """Everything the home screen shows, read in one worker."""

    sections: list[tuple[str, list[HomeLine]]] = field(default_factory=list)
    sync: SyncState = field(default_factory=SyncState)


def _case_line(case: Any, extra: str = "") -> HomeLine:
    name = getattr(case, "applicant_name", "") or ""
    item = getattr(case, "item_name", "") or ""
    text = f"{case.case_number}  {name}  {item}"
    if extra:  # on its own line, under the case (run on, it broke mid-phrase at 80 columns)
        text += "\n    " + extra
    return HomeLine(text=text, case_key=case.case_number)


def _draft_line(draft: Any) -> HomeLine:
    data = draft.data or {}
    name = (data.get("applicant") or {}).get("name") or _("(no applicant yet)")
    item = data.get("item_name") or data.get("item_code") or _("(no item yet)")
    when = format_short(draft.updated_at)
    return HomeLine(text=f"{when}  {name}  {item}", draft_id=draft.draft_id, draft_data=data)


def read_home(desk: Desk) -> HomeData:
    """Read what the home screen shows (call from a worker: it queries the store).

    Args:
        desk: the desk's services.

    Returns:
        The sections in display order and the sync state.
    """
    store = desk.store
    cases = store.list_cases
    today = desk.clock().date()
    sections = [
        (_("Drafts 草稿"), [_draft_line(d) for d in store.list_drafts()[:SECTION_LIMIT]]),
        (
            _("Returned for correction 补正"),
            _returned_lines(desk, cases(state="returned", limit=SECTION_LIMIT), today),
        ),
        (
            # promised at take-in (容缺后补): only the case page said so, and no list did
            _("Materials owed 容缺待补交"),
            _owed_lines(desk, today),
        ),
        (
            # taken in here and not yet with the township: a new agent looks for them here
            _("Taken in, not yet sent 待报送"),
            [_case_line(c) for c in cases(state="received", limit=SECTION_LIMIT)],
        ),
        (
            _("Completed, to hand over 待送达"),
            [
                _completed_line(store, c)
                for c in [
                    *cases(state="completed", limit=SECTION_LIMIT),
                    # refused: the township's 不予受理通知书 goes to the resident too
                    *cases(state="rejected", undelivered=True, limit=SECTION_LIMIT),
                ][:SECTION_LIMIT]
            ],
        ),
        (
            _("Near or past due 临期/逾期"),
            [_case_line(c, _due_text(c, today)) for c in _due(store, today)],
        ),
        (
            _("Superseded, needs attention 需处理"),
            [
                *_restored_lines(store),
                *_unprinted_lines(store),
                *_renumbered_lines(store),
                *[_case_line(c, _("superseded")) for c in cases(flagged=True, limit=SECTION_LIMIT)],
            ][:SECTION_LIMIT],
        ),
    ]
    return HomeData(sections=sections, sync=read_sync_state(store))


def _restored_lines(store: Any) -> list[HomeLine]:
    """A warning while this PC, restored from a backup, has not synced since."""
    restored = store.restored_from()
    if restored is None:
        return []
    text = _(
        "This PC was restored from a backup of {when} and has not synced since: sync (or take"
        " in a return bundle) before taking cases in (a new case may otherwise get a number"
        " the centre already holds)"
    ).format(when=format_minute(restored))
    return [HomeLine(text=text)]


def _unprinted_lines(store: Any) -> list[HomeLine]:
    """Cases taken in at this desk whose 收件回执 was never made: the power went (or the
    printing failed) between F9 and the paper, and nothing else would say so."""
    renumbered = {r.case_id.hex for r in store.renumbered()}  # their own line says reprint
    lines = []
    for case_id in store.receipts_owed():
        case = store.get_case(case_id)
        if case is None or case_id in renumbered:
            continue
        why = _(
            "Taken in, but its receipt was never printed (a power cut or an error): open the"
            " case, print it (p) and give it to the resident"
        )
        lines.append(_view_line(case, why))
    return lines


def _view_line(view: Any, extra: str) -> HomeLine:
    """A case read as its whole view, and what to do about it on its own line below."""
    name = view.applicant.name if view.applicant else ""
    return HomeLine(
        text=f"{view.case_number}  {name}  {view.item_name}\n    {extra}",
        case_key=view.case_number,
    )


def _renumbered_lines(store: Any) -> list[HomeLine]:
    """Cases renumbered at a sync (the centre held their number) whose receipt has not been
    printed again under the new number: the resident holds a receipt with the old one."""
    from station.documents import printed_before

    lines = []
    for renumbered in store.renumbered():
        if printed_before(store.data_dir, renumbered.new, "receipt"):
            continue
        case = store.get_case(renumbered.case_id.hex)
        if case is None or case.case_number != renumbered.new:  # no longer here, or moved on
            continue
        why = _(
            "Number {old} was already taken at the centre; renumbered {new}: reprint the"
            " receipt (补打) and give it to the resident"
        ).format(old=renumbered.old, new=renumbered.new)
        lines.append(_view_line(case, why))
    return lines


def _returned_lines(desk: Desk, returned: list[Any], today: date) -> list[HomeLine]:
    """The cases returned for 补正: why, and by when the village is to correct it (as the
    case list and the township's 审核台 count it; the village's home did not say it)."""
    from station.services.queries import with_deadlines

    lines = []
    for case in with_deadlines(desk, returned, today):
        view = desk.store.get_case(case.case_number)
        line = _case_line(case)
        reason = (view.last_reason or "") if view else ""
        if reason:  # on its own line, under the case: it is what the agent must act on
            line.text += "\n    " + _("Reason for correction: {reason}").format(reason=reason)
        if case.due_date:
            line.text += "\n    " + _due_text(case, today)
        lines.append(line)
    return lines


def _completed_line(store: Any, case: Any) -> HomeLine:
    """A case to hand over, with its 办结 result and the reviewer's note, or its refusal
    and why (what to tell)."""
    from station.services.timeline import handover_text

    view = store.get_case(case.case_number)
    line = _case_line(case)
    result = handover_text(view) if view else ""
    if result:
        line.text += "\n    " + result
    return line


def _owed_lines(desk: Desk, today: date) -> list[HomeLine]:
    """The cases with a 容缺 material still owed, the soonest due first: the materials, by
    name, and the day each is due (late ones say by how many working days)."""
    catalog = desk.catalog()
    owed = []
    for view in desk.store.owing_cases(SECTION_LIMIT):
        keys = [key for key, state in view.materials.items() if state == "deferred"]
        try:
            names = {m.key: m.name for m in catalog.get(view.item_code).materials}
        except KeyError:
            names = {}
        days = [view.supply_by.get(key) for key in keys]
        first = min((day for day in days if day is not None), default=None)
        parts = [
            _owed_text(names.get(key, key), day, today) for key, day in zip(keys, days, strict=True)
        ]
        line = _view_line(view, _("Owed: {materials}").format(materials="；".join(parts)))
        owed.append((first or date.max, view.case_number, line))
    owed.sort(key=lambda entry: entry[:2])
    return [line for _first, _number, line in owed[:SECTION_LIMIT]]


def _owed_text(name: str, day: date | None, today: date) -> str:
    if day is None:
        return name
    late = working_days_between(day, today) if day < today else 0
    if late > 0:
        return _("{name} (due {day}, {n} working days late)").format(
            name=name, day=day.isoformat(), n=late
        )
    return _("{name} (by {day})").format(name=name, day=day.isoformat())


def _due(store: Any, today: date) -> list[Any]:
    """Past due first, then cases with at most NEAR_WORKING_DAYS working days left."""
    overdue: list[Any] = store.list_cases(overdue=True, limit=SECTION_LIMIT)
    seen = {c.case_number for c in overdue}
    near: list[Any] = []
    for state in ("accepted", "processing"):
        for case in store.list_cases(state=state, limit=200):
            due = case.due_date
            if due and case.case_number not in seen and due >= today:
                if working_days_between(today, due) <= NEAR_WORKING_DAYS:
                    near.append(case)
    near.sort(key=lambda c: c.due_date)
    return (overdue + near)[:SECTION_LIMIT]


def _due_text(case: Any, today: date) -> str:
    due = getattr(case, "due_date", None)
    if not due:
        return ""
    left = working_days_between(today, due)
    if left < 0:
        return _("due {day}, {n} working days late").format(day=due.isoformat(), n=-left)
    if left == 0:  # "0 working days left" read as too late to an agent; the queue's words
        return _("due {day}, today").format(day=due.isoformat())
    return _("due {day}, {n} working days left").format(day=due.isoformat(), n=left)


def read_sync_state(store: Any) -> SyncState:
    """Outbox depth and last successful sync from the store (call from a worker)."""
    last = store.last_sync()
    identity = store.identity()
    return SyncState(
        outbox=store.outbox_depth(),
        last_success=last.finished_at if last and not last.error else store.last_success_at(),
        last_bundle=last_return_made(store),
        last_error=(last.error or "") if last else "",
        insecure=identity is not None and is_insecure_url(identity.central_url),
    )
