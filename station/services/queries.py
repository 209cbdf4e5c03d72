"""What the desk's lists read: a page of cases at a time, never everything."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from forms.identity import compact_id_number
from station.services.desk import Desk
from station.services.review_queue import Mark, open_deadlines
from station.store.caselist import Alternatives
from station.store.models import CaseSummary as CaseSummary  # a list row, for the screens
from station.store.models import Draft
from station.store.search import full_pinyin, initials, is_cjk, tokens
from sync.events import Role

PAGE = 50
"""Rows per page: the list never loads everything."""


@dataclass
class CasePage:
    """One page of the list and how many match in all."""

    rows: list[CaseSummary]
    total: int
    offset: int
    places: dict[str, str] = field(default_factory=dict)
    """Where each division on the page is, by code (a township's or the county's list: the
    village a case came from; the county's with its township); empty at a village."""
    drafts: list[FoundDraft] = field(default_factory=list)
    """The drafts (草稿) the search finds, over the first page of a village's list: a
    half-filled take-in is found where its resident is looked for (the list had only
    cases: a resident back for the form begun yesterday was not found by name)."""


@dataclass(frozen=True)
class FoundDraft:
    """A draft as the case list shows it, and what opens it again."""

    draft_id: str
    data: dict[str, Any]
    applicant: str
    """The name, and the ID number's last four once it is whole (as a case's row)."""
    item_name: str


def read_page(desk: Desk, query: str, state: str | None, offset: int) -> CasePage:
    """One page of matching cases (call from a worker).

    Args:
        desk: the desk's core.
        query: what was typed (name, ID number, case number, pinyin initials).
        state: a case state, ``overdue``, or None for all.
        offset: the first row of the page.

    Returns:
        The page and the number of matching cases.
    """
    overdue = state == "overdue"
    today = desk.clock().date()
    filters: dict[str, Any] = {"state": None if overdue else state, "overdue": overdue}
    if overdue:  # and those past §32's day to accept or return: the 审核台's 红牌 too
        waiting = desk.store.queue_records(["submitted"], query)
        late = open_deadlines(desk, waiting, today)
        filters["overdue_also"] = [case for case, (_, card) in late.items() if card is Mark.red]
    filters["also"] = named_in(desk, query)
    rows, total = desk.store.case_page(query, limit=PAGE, offset=offset, **filters)
    rows = with_deadlines(desk, rows, today)
    # the catalog's short name where it has one (as the review queue shows it): at 80
    # columns the item is the last column, and 城乡居民基本医疗 was cut mid-name
    short = {item.code: item.short_name for item in desk.catalog().items if item.short_name}
    rows = [replace(r, item_name=short[r.item_code]) if r.item_code in short else r for r in rows]
    page = CasePage(rows, total, offset, _places(desk, {row.division for row in rows}))
    if desk.role is Role.agent and offset == 0 and state in (None, "draft"):
        found = matching_drafts(desk.store.list_drafts(), query)
        page.drafts = [_found(draft, short) for draft in found]
    return page


def matching_drafts(drafts: list[Draft], query: str) -> list[Draft]:
    """The drafts a search finds, newest first: every word of it in the applicant's or the
    代办人's name (or its pinyin, initials or whole), ID number or phone, or the item's
    name (or its pinyin: gljt, as the list finds cases by); none for an empty search (the
    今日 screen lists them all)."""
    words = [word.lower() for word in tokens(query)]
    if not words:
        return []
    found = []
    for draft in drafts:
        data = draft.data or {}
        item = str(data.get("item_name") or "")
        said = [item, initials(item), full_pinyin(item), str(data.get("item_code") or "")]
        for person in (data.get("applicant"), data.get("principal")):
            if isinstance(person, dict):
                name = str(person.get("name") or "")
                number = compact_id_number(str(person.get("id_number") or ""))
                said += [
                    name,
                    initials(name),
                    full_pinyin(name),
                    number,
                    str(person.get("phone") or ""),
                ]
        text = " ".join(said).lower()
        if all(word in text for word in words):
            found.append(draft)
    return found


def _found(draft: Draft, short: dict[str, str]) -> FoundDraft:
    """``short``: the catalog's short item names (a case's row shows them: at 80 columns
    the full name was cut, 城乡居民基本养老保险参…)."""
    data = draft.data or {}
    held = data.get("applicant")
    applicant: dict[str, Any] = held if isinstance(held, dict) else {}
    name = str(applicant.get("name") or "")
    number = compact_id_number(str(applicant.get("id_number") or ""))
    tail = f" *{number[-4:]}" if len(number) == 18 else ""
    code = str(data.get("item_code") or "")
    item = short.get(code) or str(data.get("item_name") or code)
    return FoundDraft(draft.draft_id, data, (name + tail).strip(), item)


def named_in(desk: Desk, query: str) -> dict[str, Alternatives]:
    """The words of a search that name a place (at a township's or the county's desk: a
    village, or a township at the county's) or a service item: such a word finds the cases
    from there, or of that item, as well as those whose name or number it matches (the
    county's list found cases by resident and number only: 山门村 or 高龄津贴 found none).

    A word names a place or an item that contains it, of two characters or more, in
    Chinese (马 alone would name half the county's 马家村 and 马莲乡); a place of the
    station's own scope (a village's desk: its village alone). Three letters or more name
    an item whose name they spell in pinyin from its start (gljt, gaoling)."""
    catalog = desk.catalog()
    scope = desk.scope()
    places = [entry for entry in catalog.divisions if entry.code.startswith(scope)]
    named: dict[str, Alternatives] = {}
    for word in tokens(query):
        if len(word) >= 3 and word.isascii() and word.isalpha():  # gljt, gaoling: an item's
            items = _items_by_pinyin(catalog, word.lower())  # pinyin, as the 收件 picker
            if items:
                named[word] = ([], items)
            continue
        if len(word) < 2 or not all(is_cjk(ch) for ch in word):
            continue
        codes = [
            entry.code if entry.level == "village" else entry.code[:9]
            for entry in places
            if word in entry.name and entry.level in ("village", "township")
        ]
        items = [
            item.code
            for item in catalog.items
            if word in item.name or word in (item.short_name or "")
        ]
        if codes or items:
            named[word] = (codes, items)
    return named


def _items_by_pinyin(catalog: Any, word: str) -> list[str]:
    """The codes of the items whose name (or short name) ``word`` spells from its start, in
    pinyin initials, whole syllables or a mix (gljt, gaoling: 高龄津贴)."""
    from forms.search import pinyin_position

    return [
        item.code
        for item in catalog.items
        if any(pinyin_position(word, name) == 0 for name in (item.name, item.short_name) if name)
    ]


def with_deadlines(desk: Desk, rows: list[CaseSummary], today: date) -> list[CaseSummary]:
    """The page's rows, a 已报送 case's due date the day §32 gives the township to accept
    or return it, a 补正中 case's the day the village is to correct it by, as the 审核台
    shows them (the store holds only the decision's: the list's 期限 was empty for them)."""
    waiting = [r.case_id for r in rows if r.due_date is None and r.state in _OWN_DEADLINE]
    if not waiting:
        return rows
    deadlines = open_deadlines(desk, desk.store.queue_records_of(waiting), today)
    return [
        replace(r, due_date=deadlines[r.case_id][0]) if r.case_id in deadlines else r for r in rows
    ]


_OWN_DEADLINE = ("submitted", "returned")
"""States whose deadline the store's ``due_date`` does not hold."""


def _places(desk: Desk, codes: set[str]) -> dict[str, str]:
    """The village of each division code, as a township reads it (山门村) or the county:
    the village's name alone where no other division of the county bears it, else with its
    township (新庄村·李旺镇: two townships may each have a 新庄村; always written whole, it
    did not fit 80 columns); nothing at a village's desk, whose cases are all its own."""
    role = desk.role
    if role is None or role is Role.agent:
        return {}
    catalog = desk.catalog()
    named = Counter(entry.name for entry in catalog.divisions)
    places: dict[str, str] = {}
    for code in codes:
        village = catalog.division_entry(code)
        township = catalog.township_of(code) if role is Role.admin else None
        if village is not None and (named[village.name] == 1 or township in (None, village)):
            township = None  # the name says which village (or it is a township's own)
        names = [entry.name for entry in (village, township) if entry is not None]
        places[code] = "·".join(names) or code
    return places
