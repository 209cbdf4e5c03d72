"""What the township reviewer's review page shows (审核页): the whole application, read.

Every form field with its Chinese label and its value formatted (amounts, dates,
choices, household members as a table), the applicant, principal and agent with
their contacts, the materials with their status and scans, and the timeline with
names. ID numbers are masked here; the full number is ``CaseService.reveal_id``
(audited). Call :func:`review_page` from a worker: it reads the store and the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from forms.catalog import FieldSpec, ServiceItem
from forms.clock import china_day
from forms.fieldtypes import to_date, to_money
from forms.identity import mask_id_number
from forms.privacy import mask_ids_shown
from station.services import _
from station.services.deciding import item_of, owed_materials, path_refusal
from station.services.names import material_state_name, state_name
from station.services.timeline import TimelineLine, people, result_text, timeline
from station.store.caselist import CLOSED_STATES
from sync.events import EventKind, Role
from sync.lifecycle import CaseState, allowed_kinds
from sync.payloads import Attachment
from sync.reducer import CaseView, deadline_inputs

RELATIONS = {
    "self": "the applicant in person",
    "relative": "a relative",
    "guardian": "a guardian",
    "agent": "an agent",
}
"""Who came to the desk (translated on use)."""


def relation_words(relation: str) -> str:
    """Who came to the desk, in words: 亲属代办, 监护人代办 … (the relation itself if unknown)."""
    return _(RELATIONS.get(relation, relation))


@dataclass(frozen=True)
class PersonLine:
    """One person of the case: who they are to it, name, masked ID, contacts."""

    role: str
    name: str
    id_masked: str
    phone: str
    address: str


@dataclass(frozen=True)
class GroupTable:
    """A repeating group (household members) as a table."""

    label: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class MaterialLine:
    """One material: its name, status in words, and its scans."""

    key: str
    name: str
    status: str
    scans: list[Attachment] = field(default_factory=list)


@dataclass
class ReviewPage:
    """Everything the review page shows of one case."""

    view: CaseView
    item: ServiceItem | None
    header: list[str]
    persons: list[PersonLine]
    fields: list[tuple[str, str]]
    groups: list[GroupTable]
    materials: list[MaterialLine]
    timeline: list[TimelineLine]
    allowed: list[EventKind]
    complete_refusal: str | None = None
    """Why this reviewer may not 办结 the case (the handling path), if so."""
    owed: list[str] = field(default_factory=list)
    """Names of the 容缺 materials not yet supplied (办结 then: 容缺通过, not 通过)."""
    duplicate: str = ""
    """重复申请: the warning naming the applicant's other open cases of this item, if any."""
    duplicate_of: list[str] = field(default_factory=list)
    """The numbers of those cases (or of the ones granted), named in a 不予受理's reason."""
    not_brought: str = ""
    """补正未补: the warning naming the materials the 补正 asked for and the village did not
    bring before sending the case back, if any."""

    @property
    def accept_warning(self) -> str:
        """What the 受理 dialog says above its question (one line each), or nothing."""
        return "\n".join(w for w in (self.duplicate, self.not_brought) if w)


def format_value(spec: FieldSpec, value: Any) -> str:
    """A field's value as the reviewer reads it: 1,234.50 元, 2026年11月23日, 是/否, A、B."""
    if value is None or value == "" or value == []:
        return "—"
    kind = spec.type
    if kind == "money":
        amount = to_money(value, spec.unit)
        return f"{amount:,.2f} {spec.unit}" if isinstance(amount, Decimal) else str(value)
    if kind == "date":
        day = to_date(value)
        return f"{day.year}年{day.month}月{day.day}日" if isinstance(day, date) else str(value)
    if kind == "boolean":
        return _("yes") if value in (True, "true", "是", 1) else _("no")
    if kind == "multi_choice" and isinstance(value, list):
        return "、".join(str(v) for v in value)
    if kind == "id_number":
        return mask_id_number(str(value))
    if kind == "bank_account":
        digits = str(value).replace(" ", "")
        return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    return mask_ids_shown(str(value))  # a 残疾人证号 holds the whole ID number


def _persons(view: CaseView) -> list[PersonLine]:
    lines = []
    # the acting person (``principal`` in the data) is the 受托人 (the resident is the 委托人)
    acting = _("Guardian") if view.relation == "guardian" else _("Acting for the applicant")
    for role, person in ((_("Applicant"), view.applicant), (acting, view.principal)):
        if person is not None:
            masked = mask_id_number(person.id_number) if person.id_number else "—"
            lines.append(
                PersonLine(role, person.name, masked, person.phone or "—", person.address or "")
            )
    if view.agent_name:
        where = view.station_name or ""
        lines.append(PersonLine(_("Agent"), view.agent_name, "", view.agent_phone or "—", where))
    return lines


def _fields(
    view: CaseView, item: ServiceItem | None
) -> tuple[list[tuple[str, str]], list[GroupTable]]:
    if item is None:
        return [(key, str(value)) for key, value in view.fields.items()], []
    shown = [
        (spec.label, format_value(spec, view.fields.get(spec.key)))
        for spec in item.fields
        if spec.key in view.fields or spec.required
    ]
    groups = []
    for group in item.groups:
        rows = view.fields.get(group.key) or []
        table = [
            [format_value(spec, row.get(spec.key)) for spec in group.fields]
            for row in rows
            if isinstance(row, dict)
        ]
        groups.append(GroupTable(group.label, [spec.label for spec in group.fields], table))
    return shown, groups


def material_status(view: CaseView, key: str) -> str:
    """provided 已提供 / 容缺 with its deadline / shared 免证办 / missing 缺."""
    state = view.materials.get(key, "missing")
    if view.state == CaseState.returned and key in view.missing:  # named in the 补正
        brought = key in (view.answered or ())
        return _("brought again 已补正") if brought else _("to correct 须补正")
    if key in view.unanswered:  # named in the 补正, and the case came back without it
        return _("not brought after 补正 补正未补")
    if state == "deferred":
        by = view.supply_by.get(key)
        when = f"{by.month}月{by.day}日" if by else "—"
        return _("deferred 容缺, due {day}").format(day=when)
    return material_state_name(state)


def _materials(view: CaseView, item: ServiceItem | None) -> list[MaterialLine]:
    specs = list(item.materials) if item is not None else []
    keys = [spec.key for spec in specs] + [
        k for k in view.materials if k not in {s.key for s in specs}
    ]
    names = {spec.key: spec.name for spec in specs}
    lines = []
    for key in keys:
        if key not in view.materials and key not in names:
            continue
        scans = [a for a in view.attachments if a.material_key == key]
        lines.append(MaterialLine(key, names.get(key, key), material_status(view, key), scans))
    loose = [a for a in view.attachments if a.material_key not in {line.key for line in lines}]
    if loose:
        lines.append(MaterialLine("", _("Other scans"), "", loose))
    return lines


def deadline_lines(view: CaseView, today: date) -> list[str]:
    """Where the case's time limit stands, for the review page and the village's case page:
    stopped while paused; the date and the working days left (or late) while it runs;
    the date kept (no count) once the case is decided; the day it was sent before it
    is accepted (and when it never was)."""
    from forms.workdays import due_date, working_days_between
    from station.documents.case import date_notes

    start, days, pauses = deadline_inputs(view)
    if view.state == CaseState.paused:  # the clock stands still: no date to count down to
        kind = view.pause_kind or _("a special procedure")
        lines = [
            _("Time limit stopped for {kind}: counted again the day after it ends").format(
                kind=kind
            )
        ]
        since = view.pauses[-1][0] if view.pauses else None
        if since is not None and view.pause_expected_days:  # the days the reviewer gave
            days = view.pause_expected_days  # calendar days, the first the day it began
            lines.append(
                _("Since {day}, expected to take {days} calendar days (until {last})").format(
                    day=since, days=days, last=since + timedelta(days=days - 1)
                )
            )
        return lines
    if start is not None and days is not None:
        due = due_date(start, days, pauses, today=today).date
        if view.state not in (CaseState.accepted, CaseState.processing):
            return [_("Due {due}").format(due=due)]  # decided: nothing left to count
        left = working_days_between(today, due)
        if left < 0:
            line = _("Due {due} ({late} working days late)").format(due=due, late=-left)
        else:
            line = _("Due {due} ({left} working days left)").format(due=due, left=left)
        return [line, *date_notes(start, due)]  # a provisional holiday table may move it
    if view.submitted_at is not None:
        return [_("Submitted on {day}").format(day=china_day(view.submitted_at))]
    return []


def _header(
    view: CaseView, item: ServiceItem | None, today: date, names: dict[str, str]
) -> list[str]:
    lines = [
        f"{view.case_number}  {view.item_name}",
        _("State: {state}   Came: {who}").format(
            state=state_name(view.state), who=_(RELATIONS.get(view.relation, view.relation))
        ),
    ]
    lines += deadline_lines(view, today)
    if view.claimed_by:
        who = names.get(view.claimed_by) or view.claimed_name or view.claimed_by
        lines.append(_("Claimed by {name}").format(name=who))
    if view.last_reason and view.state in (
        CaseState.returned,
        CaseState.paused,
        CaseState.rejected,
    ):
        lines.append(_("Reason: {reason}").format(reason=_brief(view.last_reason)))
    if view.state == CaseState.returned:  # what was asked (it was said only on the paper)
        from station.services.corrections import named_lines

        lines += [_brief(line) for line in named_lines(item, view)]
    if view.forwarded_to:
        lines.append(_("Forwarded to {to}").format(to=_brief(view.forwarded_to)))
    if view.result:
        lines.append(_brief(result_text(view)))
    return lines


HEADER_TEXT = 34
"""The longest free text the header shows whole (one line at 80 columns): a reason or a
note is cut there with …, its whole text in 办理过程 (a long one filled the header, whose
lines after it, the 重复申请 warning among them, were not shown)."""


def _brief(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= HEADER_TEXT else flat[: HEADER_TEXT - 1] + "…"


def review_page(store: Any, catalog: Any, view: CaseView, role: Role, today: date) -> ReviewPage:
    """The review page of ``view`` for a person of ``role`` (call from a worker).

    Args:
        store: the station store (account names for the timeline).
        catalog: the service-item catalog.
        view: the case.
        role: the signed-in person's role (what they may do now).
        today: the day deadlines are counted to.
    """
    item = item_of(catalog, view)
    names = people(store)
    fields, groups = _fields(view, item)
    duplicate, duplicate_of = _duplicate(store, view)
    return ReviewPage(
        view=view,
        item=item,
        header=_with_warning(_header(view, item, today, names), duplicate),
        persons=_persons(view),
        fields=fields,
        groups=groups,
        materials=_materials(view, item),
        timeline=timeline(view, names, item),
        allowed=allowed_kinds(view.state, role),
        complete_refusal=path_refusal(catalog, view, EventKind.completed, role),
        owed=owed_materials(catalog, view),
        duplicate=duplicate,
        duplicate_of=duplicate_of,
        not_brought=not_brought(view, item),
    )


def not_brought(view: CaseView, item: ServiceItem | None) -> str:
    """补正未补: which materials the last 补正 named and the case came back without."""
    if not view.unanswered or view.state in CLOSED_STATES:
        return ""
    names = {spec.key: spec.name for spec in item.materials} if item is not None else {}
    listed = "、".join(names.get(key, key) for key in view.unanswered)
    return _("Materials the 补正 asked for were not brought: {names}.").format(names=listed)


def _with_warning(header: list[str], warning: str) -> list[str]:
    """The 重复申请 warning third, under the case and its state: the header shows its
    first lines only."""
    return [*header[:2], warning, *header[2:]] if warning else header


def _duplicate(store: Any, view: CaseView) -> tuple[str, list[str]]:
    """The 重复申请 warning of an open case whose applicant has another open one of its item
    (or was granted it already), and those cases' numbers; ("", []) for none."""
    from station.services.cases import duplicate_text, open_duplicates

    if view.applicant is None or view.state in CLOSED_STATES:
        return "", []
    numbers = open_duplicates(
        store, view.item_code, view.applicant.id_number, besides=view.case_number
    )
    if numbers:  # read once: the warning and the 不予受理 reason name the same cases
        return duplicate_text(numbers), numbers
    granted = [  # delivered and granted: applying again for the same thing (as the county counts)
        number
        for number in store.delivered_cases_of(str(view.applicant.id_number), view.item_code)
        if number != view.case_number
        and (other := store.get_case(number)) is not None
        and other.result in GRANTED_RESULTS
    ]
    if not granted:
        return "", []
    message = _(
        "Duplicate application: this applicant was already granted this item ({cases})."
    ).format(cases="、".join(granted))
    return message, granted


GRANTED_RESULTS = frozenset({"approved", "approved_deferred"})
"""办结 results that grant the application (通过, 容缺通过)."""


def correction_choices(page: ReviewPage) -> list[tuple[str, str]]:
    """What a 退回补正 may name: (path, label) for every material and every form field."""
    choices = [(f"materials.{line.key}", line.name) for line in page.materials if line.key]
    if page.item is not None:
        choices += [(f"fields.{spec.key}", spec.label) for spec in page.item.fields]
    choices += [
        ("applicant.phone", _("Applicant's phone")),
        ("applicant.address", _("Applicant's address")),
    ]
    return choices


def split_named(paths: list[str]) -> tuple[list[str], list[str]]:
    """Ticked paths as the ``returned`` payload names them: (material keys, field paths)."""
    missing = [p.removeprefix("materials.") for p in paths if p.startswith("materials.")]
    fields = [p.removeprefix("fields.") if p.startswith("fields.") else p for p in paths]
    return missing, [p for p in fields if not p.startswith("materials.")]
