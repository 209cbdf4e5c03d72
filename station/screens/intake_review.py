"""Helpers of the take-in screen without Textual: item search and the review text."""

from __future__ import annotations

from datetime import date
from typing import Any

from forms.fieldtypes import normalise, to_date
from forms.identity import mask_id_number
from forms.privacy import mask_ids_shown
from forms.validation import Problem, check_application, supply_limit
from station.i18n import _
from station.screens.intake_model import IntakeDraft
from station.services.review import relation_words

MAX_RESULTS = 30
CONDITION_RULES = frozenset({"min_age", "max_age", "refuse_when"})
"""Rules on who may apply at all (受理条件): no material brought later meets them."""
LETTER_NEEDS = ("applicant.name", "applicant.id_number", "principal.name", "principal.id_number")
"""What a 授权委托书 is not valid without: who authorises whom, by name and ID number."""
LETTER_SHOWS = ("applicant.phone", "applicant.address", "principal.phone", "principal.address")
"""Printed when typed (a line to write on when not): a wrong one is not printed either."""


def index_items(catalog: Any) -> None:
    """Compute the pinyin of every item's names now (it is kept): a worker's part, so
    that the search at each key typed only walks it."""
    from forms.search import CatalogIndex

    CatalogIndex(catalog)


def search_items(catalog: Any, query: str) -> list[Any]:
    """Items matching ``query`` (name, alias, pinyin initials, code), best first."""
    query = query.strip()
    if not query:
        return list(catalog.items)[:MAX_RESULTS]
    try:
        from forms.search import CatalogIndex
    except ImportError:
        needle = query.lower()
        return [
            item
            for item in catalog.items
            if needle in item.name.lower()
            or needle in item.code.lower()
            or any(needle in alias.lower() for alias in item.aliases)
        ][:MAX_RESULTS]
    hits = CatalogIndex(catalog).search(query)
    return [getattr(hit, "item", hit) for hit in hits][:MAX_RESULTS]


def review_text(draft: IntakeDraft, item: Any, today: date | None = None) -> str:
    """What the agent reads back to the resident before taking the case in.

    ``today``: the intake day. A 容缺 material without a typed day is then read back
    with the day the case will carry (the item's ``defer_days`` working days on, as
    the receipt and the 一次性告知书 print it), not as a bare 容缺后补."""
    if item is None:
        return _("No item chosen yet.")
    applicant = draft.applicant
    lines = [
        _("Item: {name}").format(name=item.name),
        _("Fee: {fee}").format(fee=item.fee.text()),
        _("Applicant: {name}  {id}  {phone}").format(
            name=applicant.get("name", "—"),
            id=mask_id_number(applicant.get("id_number", "")) or "—",
            phone=applicant.get("phone", "—"),
        ),
    ]
    if draft.relation != "self":  # how they act and who they are, as the receipt says it
        principal = draft.principal
        lines.append(
            _("Filed by ({how}): {name}  {id}  {phone}").format(
                how=relation_words(draft.relation),
                name=principal.get("name", "—"),
                id=mask_id_number(principal.get("id_number", "")) or "—",
                phone=principal.get("phone", "—"),
            )
        )
    for spec in item.fields:
        shown = _shown(spec, draft.fields.get(spec.key))
        if shown:
            lines.append(_("{label}: {value}").format(label=spec.label, value=shown))
    for group in item.groups:
        rows = draft.fields.get(group.key) or []
        lines.append(_("{label}: {n} rows").format(label=group.label, n=len(rows)))
        for row in rows:  # each column as the fields above are read back (0.05万 was shown raw)
            shown_row = (_shown(spec, row.get(spec.key)) for spec in group.fields)
            lines.append("  · " + "  ".join(value for value in shown_row if value))
    states = {
        "provided": _("provided"),
        "deferred": _("deferred 容缺"),
        "shared": _("shared"),
        "missing": _("missing"),
    }
    default = supply_limit(item, today) if today is not None else None
    for spec in item.materials:
        state = draft.materials.get(spec.key, "missing")
        typed = draft.supply_by.get(spec.key, "")
        day = to_date(typed)  # 20261210 as typed is read back as the day it means
        when = day.isoformat() if day else typed
        if state == "deferred" and not typed.strip() and default is not None:
            when = _("{day} (the item's time limit)").format(day=default.isoformat())
        shown = f"{states.get(state, state)} {when}".rstrip()
        lines.append("· " + _("{label}: {value}").format(label=spec.name, value=shown))
    return "\n".join(lines)


def _shown(spec: Any, value: Any) -> str:
    """A field's value as it is read back to the resident ("" when empty): an amount as
    recorded (3.5万 is 35000), yes or no, a list joined; an ID number masked, in its own
    field or in free text; a bank account in full (18 of its digits looked like an ID
    number, and were masked)."""
    if value in (None, "", []):
        return ""
    if spec.type == "money":
        value = normalise(spec, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    shown = "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if spec.type == "id_number":
        return mask_id_number(shown) or mask_ids_shown(shown)
    return shown if spec.type == "bank_account" else mask_ids_shown(shown)


def unmet_conditions(item: Any, problems: list[Problem]) -> list[str]:
    """The 受理条件 the applicant does not meet (too young, a case refused outright), as the
    check says them: with any of them, a 一次性告知书 listing materials would promise an
    application that cannot succeed (行政许可法 §32 tells what is missing, not who may apply)."""
    kinds = {rule.id: rule.kind for rule in item.rules} if item is not None else {}
    return [
        p.message
        for p in problems
        if p.severity == "error" and p.rule is not None and kinds.get(p.rule) in CONDITION_RULES
    ]


def information_needed(item: Any, problems: list[Problem]) -> list[str]:
    """What the check found the resident must give besides the materials: the item's
    须登记 rules unmet (``required_when``: 独居老人须登记赡养人联系电话), as the check page
    says them. The 一次性告知书 lists them after the materials: it says nothing else will
    be asked for, and the resident came back without the carer's phone."""
    kinds = {rule.id: rule.kind for rule in item.rules} if item is not None else {}
    return [
        p.message
        for p in problems
        if p.severity == "error" and p.rule is not None and kinds.get(p.rule) == "required_when"
    ]


def letter_problems(draft: IntakeDraft, item: Any, today: date) -> list[Problem]:
    """What stops the 授权委托书 of this draft: a name or ID number of either person empty or
    wrong, or a phone or address typed wrong (the letter prints what is typed, in full).

    Args:
        draft: the take-in, filed by someone for the applicant (``relation`` not ``self``).
        item: the service item.
        today: the intake day (ages are counted on it).
    """
    problems = check_application(
        item,
        applicant=draft.applicant,
        fields=draft.fields,
        materials=draft.materials,
        relation=draft.relation,
        principal=draft.principal,
        today=today,
    )
    typed = {f"{role}.{key}" for role in ("applicant", "principal") for key in _typed(draft, role)}
    return [
        p
        for p in problems
        if p.severity == "error"
        and (p.field in LETTER_NEEDS or (p.field in LETTER_SHOWS and p.field in typed))
    ]


def _typed(draft: IntakeDraft, role: str) -> list[str]:
    person: dict[str, Any] = getattr(draft, role)
    return [key for key, value in person.items() if str(value or "").strip()]
