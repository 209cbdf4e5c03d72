"""审核台 (the township reviewer's home): the queue in sections with counts, filters and 红黄牌.

The data (sections, marks, duplicates, claims) comes from
:mod:`station.services.review_queue`; this screen only lays it out and routes keys.
"""

from __future__ import annotations

from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.review_queue_rows import (
    SECTION_COLUMNS,
    SECTION_NAMES,
    detail_text,
    short_village,
    table_row,
)
from station.services.names import state_name
from station.services.review_queue import (
    QUEUE_STATES,
    SHOWN,
    QueueData,
    QueueEntry,
    QueueFilters,
    QueueReader,
    Section,
)
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus
from station.widgets.tables import ROW_KEYS, RowKeys, cursor_kept, highlighted_key

PAPERS_SHOWN = 5
"""The 受理通知书 of a 批量受理 named in its message (the rest: "… and N more")."""


class QueueTable(RowKeys, DataTable[Text | str]):
    """The queue's table: Enter opens the highlighted case (shown in the footer); Home and
    End go to the first and the last case."""

    BINDINGS = [Binding("enter", "select_cursor", _("Open")), *ROW_KEYS]


class ReviewQueueScreen(DeskScreen[None]):
    """审核台: every case the township has to decide or watch, by section, oldest first."""

    BINDINGS = [
        Binding("1", "section('waiting')", _("Sections 分类"), key_display="1-6"),
        Binding("2", "section('returned')", _("Correcting 补正中"), show=False),
        Binding("3", "section('handling')", _("In hand 办理中"), show=False),
        Binding("4", "section('paused')", _("On hold 公示/暂停"), show=False),
        Binding("5", "section('due_soon')", _("Due soon 即将超期"), show=False),
        Binding("6", "section('overdue')", _("Overdue 已超期"), show=False),
        Binding("slash", "focus_search", _("Search"), key_display="/"),
        Binding("ctrl+f", "focus_search", _("Search"), show=False),
        Binding("v", "pick('village')", _("Village 村")),
        Binding("i", "pick('item')", _("Item")),
        Binding("s", "pick('state')", _("State")),
        Binding("x", "clear_filters", _("Clear")),
        Binding("space", "mark", _("Mark 勾选"), show=False),
        Binding("A", "accept_marked", _("Accept marked 批量受理"), key_display="A", show=False),
        Binding("escape", "focus_table", _("To the list 回到列表"), show=False),
        Binding("l", "all_cases", _("All cases 全部办件"), show=False),
        Binding("b", "loops", _("Loops 闭环"), show=False),
        Binding("r", "refresh", _("Refresh"), show=False),
        Binding("f5", "app.sync_now", _("Sync 同步")),  # s filters by state here
        Binding("o", "settings", _("Settings"), show=False),
    ]

    class Loaded(Message):
        """The queue was read."""

        def __init__(self, data: QueueData) -> None:
            super().__init__()
            self.data = data

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.reader = QueueReader(desk)
        self.section = Section.waiting
        self.shown_section: Section | None = None
        """The section the table holds (refilled for another: its cursor starts at the top)."""
        self.data: QueueData | None = None
        self.entries: dict[str, QueueEntry] = {}
        self.marked: set[str] = set()
        """Cases ticked for 批量受理 (Space), by case number."""

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield Static("", id="queue-sections")
        with Horizontal(id="queue-filter"):
            yield Input(id="queue-search", placeholder=_("name, ID number, case number, pinyin"))
            yield Select[str]([], prompt=_("all villages"), id="queue-village")
            yield Select[str]([], prompt=_("all items"), id="queue-item")
            states = [(state_name(s), s) for s in QUEUE_STATES]
            yield Select(states, prompt=_("all states"), id="queue-state")
        yield QueueTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="queue-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("Review desk"))
        self.query_one(QueueTable).focus()  # the queue is read when the screen shows (resume)
        for select in self.query(Select):
            self.watch(select, "expanded", partial(self._filter_closed, select), init=False)

    def _filter_closed(self, select: Select[str], expanded: bool) -> None:
        """A filter's list closed without a choice (Esc): the keys go back to the list (once
        the filter has taken the focus back, as it does). The cursor stayed on the filter,
        and ↓ opened its list again."""
        focused = self.focused
        if not expanded and focused is not None and select in focused.ancestors_with_self:
            self.call_after_refresh(self.action_focus_table)

    # reading -------------------------------------------------------------

    def filters(self) -> QueueFilters:
        """What the search box and the three filters say now."""

        def chosen(selector: str) -> str | None:
            value = self.query_one(selector, Select).value
            return None if value is Select.NULL else str(value)

        return QueueFilters(
            query=self.query_one("#queue-search", Input).value.strip(),
            village=chosen("#queue-village"),
            item=chosen("#queue-item"),
            state=chosen("#queue-state"),
        )

    def action_refresh(self) -> None:
        """Read the queue again (a worker; a newer read supersedes an older one)."""
        self._load(self.filters(), fresh=True)

    def refresh_data(self) -> None:
        """What a sync brought in (the app calls this after a sync that changed cases)."""
        self.action_refresh()

    def on_screen_resume(self) -> None:
        """Shown (first, or back from a case): read the queue, as a decision may have moved it."""
        if self.in_session():
            self.action_refresh()

    @work(thread=True, exclusive=True, group="cases", exit_on_error=False)
    def _load(self, filters: QueueFilters, fresh: bool = False) -> None:
        self.post_latest(self.Loaded(self.reader.read(filters, fresh=fresh)))

    def on_review_queue_screen_loaded(self, message: ReviewQueueScreen.Loaded) -> None:
        self.data = message.data
        if not self.filters().query:
            self._offer("#queue-village", [(short_village(v), v) for v in message.data.villages])
            self._offer("#queue-item", [(name, code) for code, name in message.data.items])
        self._show()

    def _offer(self, selector: str, options: list[tuple[str, str]]) -> None:
        """New choices for a filter, only when they changed (a change resets the choice)."""
        select = self.query_one(selector, Select)
        if getattr(select, "offered", None) == options:
            return
        value = select.value
        with select.prevent(Select.Changed):  # new choices are not a choice: no second read
            select.set_options(options)
            if value is not Select.NULL and value in {v for _label, v in options}:
                select.value = value
        select.offered = options  # type: ignore[attr-defined]

    # showing ------------------------------------------------------------

    def _show(self) -> None:
        data = self.data
        if data is None:
            return
        self.query_one("#queue-sections", Static).update(self._section_bar(data))
        table = self.query_one(QueueTable)
        rows = data.sections.get(self.section, [])
        self.entries = {entry.case_number: entry for entry in rows[:SHOWN]}
        first, second = SECTION_COLUMNS[self.section]
        labels = ("Card 牌", "Village 村", "Item", "Applicant", first, second, "Note")
        headers = [_(label) for label in labels]
        self.marked = {key for key in self.marked if self._waiting(key)}  # decided: unticked
        lines: list[tuple[str, tuple[Text | str, ...]]] = []
        for number, entry in self.entries.items():
            row = table_row(self.section, entry)
            if number in self.marked:
                row = ("✔ " + str(row[0]), *row[1:])
            lines.append((number, row))
        # A case decided and gone from the section: the cursor stays on its row, which now
        # holds the next case (the queue is worked down); another section starts at its top.
        same_section, self.shown_section = self.shown_section is self.section, self.section
        with cursor_kept(table, same_row=same_section):
            table.clear(columns=True)
            # widths from the content, measured here: Textual's own measure, on a table
            # refilled twice in quick succession, sometimes sized columns to headers only
            for index, header in enumerate(headers):
                cells = [header, *(row[index] for _number, row in lines)]
                table.add_column(header, width=max(cell_len(str(c)) for c in cells))
            for number, row in lines:
                table.add_row(*row, key=number)
        self._show_detail(len(rows))

    def _section_bar(self, data: QueueData) -> Text:
        bar = Text()
        for index, section in enumerate(Section, start=1):
            if index > 1:
                bar.append("  ")
            label = f"{index}{_(SECTION_NAMES[section])} {data.count(section)}"
            bar.append(label, style="reverse bold" if section is self.section else "")
        return bar

    def _highlighted_key(self) -> str | None:
        return highlighted_key(self.query_one(QueueTable))

    def _show_detail(self, total: int) -> None:
        entry = self._current()
        searched = any(vars(self.filters()).values()) if entry is None else False
        # the queue holds open cases only: a finished or refused one is in 全部办件 (l)
        empty = (
            _("No open case matches the search or filters (x clears them; finished cases: l).")
            if searched
            else ""
        )
        data = self.data
        elsewhere = [  # a search's cases in other sections: the trial's reviewer saw none
            _("{key} {section}: {n}").format(
                key=index, section=_(SECTION_NAMES[section]), n=data.count(section)
            )
            for index, section in enumerate(Section, start=1)
            if searched and total == 0 and data is not None
            and section is not self.section and data.count(section)
        ]  # fmt: skip
        if elsewhere:
            empty = _("None in this section; found in {where} (Esc, then the number).").format(
                where="、".join(elsewhere)
            )
        text = detail_text(entry) if entry else (empty or _("No case here now."))
        if total > SHOWN:
            text += "  " + _("(first {shown} of {total}; search or filter for the rest)").format(
                shown=SHOWN, total=total
            )
        self.query_one("#queue-detail", Static).update(text)

    def _current(self) -> QueueEntry | None:
        key = self._highlighted_key()
        return self.entries.get(key) if key else None

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self) -> None:
        total = len(self.data.sections.get(self.section, [])) if self.data else 0
        self._show_detail(total)

    # acting -------------------------------------------------------------

    @on(DataTable.RowSelected, "#queue-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self._open_case(event.row_key.value)

    def _open_case(self, key: str) -> None:
        """Open one case on the review page (审核页)."""
        from station.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.desk, key))

    def action_mark(self) -> None:
        """Space: tick or untick the highlighted case for 批量受理."""
        key = self._highlighted_key()
        if key is None:
            return
        if not self._waiting(key):  # it said 已勾选 and A then failed on a 转办 case
            self.notify(_("Only a case waiting for 受理 can be ticked for 批量受理."))
            return
        self.marked ^= {key}
        self._show()
        self.notify(_("{n} cases ticked; A accepts them all.").format(n=len(self.marked)))

    def _waiting(self, key: str) -> bool:
        """Whether case ``key`` waits for 受理 (报送, not yet decided)."""
        entry = self.entries.get(key)
        return entry is not None and entry.state == "submitted"

    def action_accept_marked(self) -> None:
        """A: 批量受理 — accept every ticked case (or the highlighted one), all or none."""
        keys = sorted(self.marked) or [k for k in [self._highlighted_key()] if k]
        if keys and not all(self._waiting(key) for key in keys):
            self.notify(_("Only a case waiting for 受理 can be accepted (受理)."))
            return
        if keys:
            self._ask_accept_many([(key, self.entries.get(key)) for key in keys])

    @work(thread=True, exclusive=True, group="case-ask", exit_on_error=False)
    def _ask_accept_many(self, cases: list[tuple[str, QueueEntry | None]]) -> None:
        """The 批量受理 question: each case by its applicant (the ID number masked) and the
        重复申请 warning its 受理 would give one by one (已办结通过 included): the question
        gave numbers only, and a duplicate went in unseen."""
        from station.screens.dialogs import ConfirmDialog

        keys = [key for key, _entry in cases]
        lines, warned = [], False
        for key, entry in cases:
            who = f"{entry.applicant} {entry.id_masked}".strip() if entry is not None else ""
            others = entry.duplicate if entry is not None else ()
            duplicate, not_brought = self._accept_warnings(key)
            if others:
                mark = _("  ⚠ duplicate of {cases}").format(cases="、".join(others))
            else:
                mark = f"  ⚠ {duplicate}" if duplicate else ""
            if not_brought:  # 补正未补
                mark += f"  ⚠ {not_brought}"
            warned = warned or bool(mark)
            lines.append(f"{key}  {who}{mark}")

        def answered(yes: bool | None) -> None:
            if yes:
                self._accept_many(keys)

        question = _("Accept these {n} cases (受理)? Each gets its 受理通知书.").format(n=len(keys))
        dialog = ConfirmDialog(question + "\n" + "\n".join(lines), default=not warned)
        self.app.call_from_thread(self.app.push_screen, dialog, answered)

    def _accept_warnings(self, key: str) -> tuple[str, str]:
        """The 重复申请 and 补正未补 warnings the review page shows for case ``key`` (call
        from a worker)."""
        from station.services.review import review_page
        from sync.events import Role

        view = self.desk.store.get_case(key)
        if view is None or not view.exists:
            return "", ""
        role = self.desk.role or Role.reviewer
        page = review_page(
            self.desk.store, self.desk.catalog(), view, role, self.desk.clock().date()
        )
        return page.duplicate, page.not_brought

    @work(thread=True, exclusive=True, group="case-action", exit_on_error=False)
    def _accept_many(self, keys: list[str]) -> None:
        from station.services.decision_paper import ACCEPTANCE, print_decision

        views = self.desk.service().accept_many(keys)  # ActionRefused: the one error dialog
        self.desk.sync_state.outbox = self.desk.store.outbox_depth()
        # the law asks a written, numbered notice of each acceptance (行政许可法 第三十二条),
        # batch or not; a paper that cannot be made is said and never undoes the acceptance
        papers = [print_decision(self.desk, view, ACCEPTANCE).text() for view in views]
        self.app.call_from_thread(self._accepted, len(views), papers)

    def _accepted(self, count: int, papers: list[str]) -> None:
        self.marked.clear()
        shown = papers[:PAPERS_SHOWN]
        if len(papers) > PAPERS_SHOWN:
            shown.append(_("… and {n} more").format(n=len(papers) - PAPERS_SHOWN))
        text = "\n".join([_("{n} cases accepted.").format(n=count), *shown])
        self.notify(text, timeout=15)
        self.action_refresh()

    def action_section(self, name: str) -> None:
        """Show one section (1 待受理 … 6 已超期)."""
        self.section = Section(name)
        self._show()
        self.query_one(QueueTable).focus()

    @on(Input.Changed, "#queue-search")
    def _search_changed(self) -> None:
        self._load(self.filters())

    @on(Select.Changed)
    def _filter_chosen(self, event: Select.Changed) -> None:
        """A filter was chosen: narrow the queue, and the keys go back to the list."""
        self._load(self.filters())
        focused = self.focused
        if focused is not None and (focused is event.select or event.select in focused.ancestors):
            event.select.expanded = False
            self.action_focus_table()

    @on(Input.Submitted, "#queue-search")
    def _search_done(self) -> None:
        """Enter in the search box: the one case found opens at once, else the list takes the keys."""
        if len(self.entries) == 1:
            self._open_case(next(iter(self.entries)))
            return
        self.action_focus_table()

    def action_focus_search(self) -> None:
        """/ : the search box (name, ID number, case number, pinyin initials)."""
        self.query_one("#queue-search", Input).focus()

    def action_focus_table(self) -> None:
        """Esc: back to the list."""
        self.query_one(QueueTable).focus()

    def action_pick(self, which: str) -> None:
        """Open one of the filters (village, item, state) to choose from."""
        select = self.query_one(f"#queue-{which}", Select)
        select.focus()
        select.expanded = True

    def action_clear_filters(self) -> None:
        """Every filter and the search back to "all"."""
        self.query_one("#queue-search", Input).value = ""
        for select in self.query(Select):
            select.clear()
        self.action_focus_table()

    def action_all_cases(self) -> None:
        """办件: every case of the station, with the case list's search and pages."""
        from station.screens.cases import CasesScreen

        self.app.push_screen(CasesScreen(self.desk))

    def action_loops(self) -> None:
        """闭环: the 差评 and 办不成事 items assigned to this township."""
        from station.screens.loops import LoopsScreen

        self.app.push_screen(LoopsScreen(self.desk))

    def action_settings(self) -> None:
        """设置."""
        from station.screens.settings import SettingsScreen

        self.app.push_screen(SettingsScreen(self.desk))

    def key_down(self) -> None:
        """Down from the search box goes into the list."""
        if self.focused is self.query_one("#queue-search", Input):
            self.action_focus_table()
