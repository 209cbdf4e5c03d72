"""审核台 (the township reviewer's queue) as data: sections, 红黄牌 marks, duplicates, claims.

A township station's store holds the cases of its villages. The queue reads the
open ones in one query (``StationStore.queue_records``: small columns plus a few
values of each view's JSON, no view parsed in Python), then sorts them into the
sections the reviewer works from and marks the deadlines that are close or past:

- the decision deadline (办结时限): the item's promised working days from
  acceptance (``forms.workdays``; the ``cases.due_date`` column) — yellow with
  one working day left (or due today), red once past;
- the acceptance deadline of 行政许可法 §32: an application neither returned for
  correction nor refused within 5 working days of its receipt counts as
  accepted — yellow on day 4 after receipt, red from day 5 (the last day).

Working days are China's calendar (调休 included); "today" is the desk's clock,
in China time. Nothing here knows about Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from forms.clock import china_day
from forms.workdays import due_date, working_days_between
from station.services.desk import Desk
from station.store.caselist import QueueRecord

QUEUE_STATES = ("submitted", "returned", "accepted", "processing", "paused")
"""States a case is in while the township has something to do or watch."""
ACCEPTANCE_DAYS = 5
"""行政许可法 §32: receipt + 5 working days, then the application counts as accepted."""
ACCEPTANCE_WARN_DAY = 4
"""The working day after receipt on which the queue warns (yellow)."""
DECISION_WARN_DAYS = 1
"""Working days left on the decision deadline at (or under) which the queue warns."""
SHOWN = 100
"""At most this many rows of a section go into the table (filters narrow the rest)."""


class Section(StrEnum):
    """The queue's sections, in the order of the header."""

    waiting = "waiting"  # 待受理 (submitted)
    returned = "returned"  # 补正中
    handling = "handling"  # 已受理/办理中 (accepted, processing)
    paused = "paused"  # 公示/暂停
    due_soon = "due_soon"  # 即将超期 (a yellow mark)
    overdue = "overdue"  # 已超期 (a red mark)


STATE_SECTION: dict[str, Section] = {
    "submitted": Section.waiting,
    "returned": Section.returned,
    "accepted": Section.handling,
    "processing": Section.handling,
    "paused": Section.paused,
}


class Mark(StrEnum):
    """红黄牌: how close a case is to the deadline that binds it."""

    none = "none"
    yellow = "yellow"  # 黄牌: one working day left
    red = "red"  # 红牌: past (or, for §32, the last day)


class Deadline(StrEnum):
    """Which deadline an entry's date is."""

    acceptance = "acceptance"  # 受理时限, 行政许可法 §32
    decision = "decision"  # 办结时限 (promised days from acceptance)
    correction = "correction"  # 补正期限 (the village's, for the resident)


@dataclass(frozen=True)
class QueueFilters:
    """What the reviewer narrowed the queue to."""

    query: str = ""
    """Name, ID number, case number or pinyin initials (the case list's search)."""
    village: str | None = None
    """A village's name (as :attr:`QueueEntry.village`)."""
    item: str | None = None
    """A service item code."""
    state: str | None = None
    """A case state."""


@dataclass(frozen=True)
class QueueEntry:
    """One case as the queue shows it (the ID number only masked)."""

    case_number: str
    state: str
    village: str
    item_code: str
    item_name: str
    applicant: str
    id_masked: str
    submitted_on: date | None
    """The day (China) the village submitted it (报送)."""
    waiting_days: int | None
    """Working days since it reached the township (submitted, or resubmitted after 补正)."""
    since: date | None
    """Returned on (补正中) or paused on (公示/暂停)."""
    pause_kind: str | None
    deadline: date | None
    deadline_kind: Deadline | None
    days_left: int | None
    """Working days from today to ``deadline`` (0: today, negative: past)."""
    mark: Mark
    duplicate: tuple[str, ...] = ()
    """Other open cases (numbers) of the same resident for the same item (重复申请)."""
    claimed_by: str = ""
    """The reviewer who claimed it (认领), if anyone."""
    claimed_by_me: bool = False
    item_short: str = ""
    """The catalog's short name of the item (医保参保), for the narrow column."""
    resubmitted_on: date | None = None
    """The day it came back corrected (补正后重新报送), while it waits to be accepted again:
    it looked like a new application, its first submission's day the only one shown."""
    licensing: bool = True
    """A 行政许可 item: its acceptance deadline is the law's (行政许可法 §32), said so."""
    forwarded_to: str = ""
    """The department it was forwarded to (转办), if any."""
    station: str = ""
    """The station it came from, by its name (the detail line): ``village`` is the place's,
    the same for a village's replaced or re-enrolled PC (二 names of one village, it read)."""


@dataclass
class QueueData:
    """The whole queue under the filters, read in one worker."""

    today: date
    sections: dict[Section, list[QueueEntry]] = field(default_factory=dict)
    villages: list[str] = field(default_factory=list)
    """Every village with an open case (for the village filter), unfiltered."""
    items: list[tuple[str, str]] = field(default_factory=list)
    """``(code, name)`` of every item with an open case, unfiltered."""

    def count(self, section: Section) -> int:
        """How many cases the section holds."""
        return len(self.sections.get(section, []))


def read_queue(desk: Desk, filters: QueueFilters | None = None) -> QueueData:
    """Read the review queue (call from a worker: it queries the store).

    Args:
        desk: the desk's core (its clock gives "today", China time).
        filters: what the reviewer narrowed it to (None: everything).

    Returns:
        Every section's entries in working order, and the filter choices.
    """
    return QueueReader(desk).read(filters or QueueFilters(), fresh=True)


@dataclass(frozen=True)
class _Read:
    """One read of the store: every open case matching a search, as entries."""

    query: str
    today: date
    entries: list[QueueEntry]


class QueueReader:
    """Reads the queue for one screen; a change of village, item or state reuses the
    last read of the same search (the three filters sort what was read, no query)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._last: _Read | None = None

    def read(self, filters: QueueFilters, *, fresh: bool = False) -> QueueData:
        """The queue under ``filters`` (call from a worker).

        Args:
            filters: what the reviewer narrowed it to.
            fresh: read the store again even for the same search (after a sync,
                a decision, or coming back to the screen).

        Returns:
            Every section's entries in working order, and the filter choices.
        """
        last = self._last
        if fresh or last is None or last.query != filters.query:
            last = self._last = self._read(filters.query)
        data = QueueData(today=last.today)
        data.villages = sorted({e.village for e in last.entries if e.village})
        data.items = sorted({(e.item_code, e.item_name) for e in last.entries}, key=lambda i: i[1])
        data.sections = _sections([e for e in last.entries if _passes(e, filters)])
        return data

    def _read(self, query: str) -> _Read:
        desk = self.desk
        store = desk.store
        today = desk.clock().date()
        records = store.queue_records(QUEUE_STATES, query)
        duplicates = _duplicates(desk, records)
        names = {a.user_id: a.display_name for a in store.list_accounts()}
        me = desk.user.user_id if desk.user is not None else ""
        build = _EntryBuilder(today, _defer_days(desk), names, me, _short_names(desk))
        build.places = _village_names(desk)
        build.permits = _permits(desk)
        entries = [build.entry(r, duplicates.get((r.id_hash, r.item_code), ())) for r in records]
        return _Read(query, today, entries)


def _passes(entry: QueueEntry, filters: QueueFilters) -> bool:
    return (
        (filters.village is None or entry.village == filters.village)
        and (filters.item is None or entry.item_code == filters.item)
        and (filters.state is None or entry.state == filters.state)
    )


def _sections(entries: list[QueueEntry]) -> dict[Section, list[QueueEntry]]:
    sections: dict[Section, list[QueueEntry]] = {section: [] for section in Section}
    for entry in entries:
        sections[STATE_SECTION[entry.state]].append(entry)
        if entry.mark is Mark.yellow:
            sections[Section.due_soon].append(entry)
        elif entry.mark is Mark.red:
            sections[Section.overdue].append(entry)
    for section, rows in sections.items():
        rows.sort(key=SORT_KEYS[section])
    return sections


_LATE = date.max


def _oldest_first(e: QueueEntry) -> tuple[date, str]:
    return (e.submitted_on or _LATE, e.case_number)


def _by_deadline(e: QueueEntry) -> tuple[date, str]:
    return (e.deadline or _LATE, e.case_number)


def _by_since(e: QueueEntry) -> tuple[date, str]:
    return (e.since or _LATE, e.case_number)


SORT_KEYS: dict[Section, Callable[[QueueEntry], tuple[date, str]]] = {
    Section.waiting: _oldest_first,
    Section.returned: _by_deadline,
    Section.handling: _by_deadline,
    Section.paused: _by_since,
    Section.due_soon: _by_deadline,
    Section.overdue: _by_deadline,
}
"""The order the reviewer works a section in (the oldest, or the nearest deadline, first)."""


def _defer_days(desk: Desk) -> dict[str, int]:
    """Each item's working days for a correction (补正), as the village's notice states them."""
    return {item.code: item.defer_days for item in desk.catalog().items}


def _permits(desk: Desk) -> frozenset[str]:
    """The items that are 行政许可 (the law's §32 deadline is theirs; others keep it as practice)."""
    return frozenset(item.code for item in desk.catalog().items if item.item_type == "行政许可")


def _short_names(desk: Desk) -> dict[str, str]:
    """Each item's short name in the catalog (医保参保, 养老参保), where it has one."""
    return {item.code: item.short_name for item in desk.catalog().items if item.short_name}


def _duplicates(
    desk: Desk, records: Iterable[QueueRecord]
) -> dict[tuple[str, str], tuple[str, ...]]:
    """Per ``(ID hash, item)`` held by more than one open case: those cases' numbers."""
    pairs = desk.store.open_duplicates()
    hashes = sorted({r.id_hash for r in records if (r.id_hash, r.item_code) in pairs})
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for id_hash, item_code, number, _state in desk.store.open_cases_by_hash(hashes):
        if (id_hash, item_code) in pairs:
            out[(id_hash, item_code)] = (*out.get((id_hash, item_code), ()), number)
    return out


def village_name(record: QueueRecord) -> str:
    """The village station's name, or its division code when the case does not say."""
    return record.station_name or record.division


def _village_names(desk: Desk) -> dict[str, str]:
    """The county's villages' names by division code (山门村)."""
    return {
        entry.code: entry.name for entry in desk.catalog().divisions if entry.level == "village"
    }


class _EntryBuilder:
    """Turns stored records into entries; working-day counts are memoised per date."""

    def __init__(
        self,
        today: date,
        defer_days: dict[str, int],
        names: dict[str, str],
        me: str,
        short_names: dict[str, str] | None = None,
    ) -> None:
        self.short_names = short_names or {}
        self.places: dict[str, str] = {}
        """Village names by division code; a division not in it goes by its station's name."""
        self.permits: frozenset[str] | None = None
        """The 行政许可 items' codes (None: not known, every item counted as one)."""
        self.today = today
        self.defer_days = defer_days
        self.names = names
        self.me = me
        self._between: dict[tuple[date, date], int] = {}
        self._due: dict[tuple[date, int], date] = {}

    def between(self, first: date, last: date) -> int:
        key = (first, last)
        if key not in self._between:
            self._between[key] = working_days_between(first, last)
        return self._between[key]

    def due(self, start: date, days: int) -> date:
        key = (start, days)
        if key not in self._due:
            self._due[key] = due_date(start, days).date
        return self._due[key]

    def entry(self, record: QueueRecord, others: tuple[str, ...]) -> QueueEntry:
        submitted = _china_day(record.submitted_at)
        arrived = _arrived(record, submitted)
        deadline, kind = self._deadline(record, arrived)
        left = self.between(self.today, deadline) if deadline else None
        claim_kind, claimant = record.last_claim or ("", "")
        claimed = claimant if claim_kind == "claimed" else ""
        return QueueEntry(
            case_number=record.case_number,
            state=record.state,
            village=self.places.get(record.division) or village_name(record),
            station=village_name(record),
            item_code=record.item_code,
            item_name=record.item_name,
            item_short=self.short_names.get(record.item_code, ""),
            applicant=record.applicant_name,
            id_masked=record.id_masked,
            submitted_on=submitted,
            waiting_days=self.between(arrived, self.today) if arrived else None,
            since=record.last_pause[0] if record.last_pause else None,
            pause_kind=record.pause_kind if record.state == "paused" else None,
            deadline=deadline,
            deadline_kind=kind,
            days_left=left,
            # forwarded (转办): the department decides, against its own clock; the township
            # keeps it in 办理中 to follow, without a card (every one turned 黄牌 here)
            mark=Mark.none if record.forwarded_to else mark(kind, left),
            duplicate=tuple(n for n in others if n != record.case_number),
            claimed_by=self.names.get(claimed, claimed),
            claimed_by_me=bool(claimed) and claimed == self.me,
            resubmitted_on=_resubmitted(record),
            licensing=self.permits is None or record.item_code in self.permits,
            forwarded_to=record.forwarded_to,
        )

    def deadline(self, record: QueueRecord) -> tuple[date | None, Deadline | None]:
        """The record's deadline and its kind (None, None: none runs)."""
        return self._deadline(record, _arrived(record, _china_day(record.submitted_at)))

    def _deadline(
        self, record: QueueRecord, arrived: date | None
    ) -> tuple[date | None, Deadline | None]:
        if record.state == "submitted" and arrived is not None:
            return self.due(arrived, ACCEPTANCE_DAYS), Deadline.acceptance
        if record.state in ("accepted", "processing") and record.due_date is not None:
            return record.due_date, Deadline.decision
        days = self.defer_days.get(record.item_code)
        if record.state == "returned" and record.last_pause and days is not None:
            return self.due(record.last_pause[0], days), Deadline.correction
        return None, None


def open_deadlines(
    desk: Desk, records: Iterable[QueueRecord], today: date
) -> dict[str, tuple[date, Mark]]:
    """Each record's deadline as the 审核台 shows it (§32's to accept or return, the
    decision's, the village's to correct) and its 红黄牌, by case id; a record without one
    is left out. The case lists show the same dates (``station.services.queries``)."""
    build = _EntryBuilder(today, _defer_days(desk), {}, "")
    found: dict[str, tuple[date, Mark]] = {}
    for record in records:
        deadline, kind = build.deadline(record)
        if deadline is None:
            continue
        card = Mark.none if record.forwarded_to else mark(kind, build.between(today, deadline))
        found[record.case_id] = (deadline, card)
    return found


def mark(kind: Deadline | None, days_left: int | None) -> Mark:
    """红黄牌 of a deadline with ``days_left`` working days to go.

    §32 (acceptance): receipt + 5 working days is the last day; day 4 (one day
    left) is yellow, day 5 and later red. Decision: one working day left or due
    today is yellow, past is red. A correction deadline is the resident's, not
    the township's: no mark.
    """
    if days_left is None or kind not in (Deadline.acceptance, Deadline.decision):
        return Mark.none
    if kind is Deadline.acceptance:
        if days_left <= 0:
            return Mark.red
        return Mark.yellow if days_left <= ACCEPTANCE_DAYS - ACCEPTANCE_WARN_DAY else Mark.none
    if days_left < 0:
        return Mark.red
    return Mark.yellow if days_left <= DECISION_WARN_DAYS else Mark.none


def _china_day(moment: str | None) -> date | None:
    if not moment:
        return None
    return china_day(datetime.fromisoformat(moment))


def _resubmitted(record: QueueRecord) -> date | None:
    """The day a submitted case came back corrected: before 受理 its only pause is a 补正."""
    if record.state != "submitted" or not record.last_pause:
        return None
    return record.last_pause[1]


def _arrived(record: QueueRecord, submitted: date | None) -> date | None:
    """The day the application (last) reached the township: its submission, or the day
    it came back corrected (the 补正 pause's last day) if that is later."""
    if record.state != "submitted" or submitted is None:
        return submitted
    back = record.last_pause[1] if record.last_pause else None
    return max(submitted, back) if back else submitted
