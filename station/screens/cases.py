"""办件 (case list): search as you type (name, ID, case number, pinyin initials), filters, pages."""

from __future__ import annotations

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Input, Select, Static

from forms.clock import day_in_year
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.services.queries import PAGE, CasePage, CaseSummary, FoundDraft, read_page
from station.widgets.carry import carry, typed
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus
from station.widgets.tables import ROW_KEYS, RowKeys, cursor_kept
from sync.events import Role

STATE_FILTERS = (
    "received",
    "submitted",
    "returned",
    "accepted",
    "processing",
    "paused",
    "completed",
    "delivered",
    "rejected",
    "withdrawn",
)
"""Every state a case list can be narrowed to, the way a case goes (已送达, 不予受理 and
已撤件 were missing: those cases could not be picked out)."""


DRAFT_KEY = "draft:"
"""A draft's row key in the list (before its id): no case number starts so."""


def state_label(state: str) -> str:
    """A case state's name at the desk."""
    from station.services.names import state_name

    return state_name(state)


class PagedTable(RowKeys, DataTable):  # type: ignore[type-arg]
    """The case table: PgDn at its end (PgUp at its top) turns the page, as the line under
    it says (they only scrolled within the 50 rows of the page); Home and End go to the
    page's first and last case."""

    BINDINGS = [*ROW_KEYS]

    def action_page_down(self) -> None:
        """The next screenful; past the last row, the next page."""
        at_end = self.cursor_row >= self.row_count - 1 or self.scroll_y >= self.max_scroll_y
        if self.row_count and at_end:
            self._turn(1)
            return
        super().action_page_down()

    def _turn(self, step: int) -> None:
        page = getattr(self.screen, "action_page", None)
        if page is not None:
            page(step)

    def action_page_up(self) -> None:
        """The previous screenful; above the first row, the previous page."""
        if self.cursor_row <= 0 or self.scroll_y <= 0:
            self._turn(-1)
            return
        super().action_page_up()


class CasesScreen(DeskScreen[None]):
    """Every case of this station, a page at a time."""

    BINDINGS = [
        Binding("escape", "back", _("Back")),
        # from the search box as from the table: a screenful, the page turned past its end
        # (from the box PgDn turned the 50-row page at once: rows 16–50 were never shown)
        Binding("pagedown", "screenful(1)", _("Next page")),
        Binding("pageup", "screenful(-1)", _("Previous page")),
        # "/" as well: the county's list opens on its rows (its digits open the sections)
        Binding("ctrl+f,slash", "focus_search", _("Search")),
    ]

    class Loaded(Message):
        """A page was read."""

        def __init__(self, page: CasePage, keep: bool) -> None:
            super().__init__()
            self.page = page
            self.keep = keep
            """A read of the same list (back from a case, a sync): the cursor stays."""

    def __init__(
        self,
        desk: Desk,
        *,
        state: str | None = None,
        home_title: str = "",
        county_section: int | None = None,
    ) -> None:
        """The list; as a home screen (``home_title``), preset to ``state`` and never left.

        Args:
            desk: the desk's core.
            state: the state filter to start with (the reviewer's home: 已报送).
            home_title: the heading when this list is the signed-in person's home.
            county_section: the list as this section of the county desk: its strip of
                sections on top; Esc goes back to the 看板 (the county's home).
        """
        super().__init__()
        self.desk = desk
        self.page_offset = 0
        self.total = 0
        self.initial_state = state
        self.home_title = home_title
        self.county_section = county_section
        self._asked: tuple[str, str | None] | None = None
        """The search and state of the last read asked for."""
        self._drafts: dict[str, FoundDraft] = {}
        """The drafts listed over the cases, by their rows' keys."""

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        if self.county_section is not None:
            from station.screens.county import CountyStrip

            yield CountyStrip(self.county_section)
        if self.home_title:
            yield Static(self.home_title, id="cases-home", classes="heading")
        with Horizontal(id="cases-filter"):
            # a township's and the county's list find cases by village too (its name typed)
            searched = (
                _("name, ID number, phone, case number, item (代办人 too)")
                if self.desk.role in (None, Role.agent)
                else _("name, ID number, phone, case number, village, item")
            )
            yield Input(id="cases-search", placeholder=searched)
            options = [(state_label(s), s) for s in STATE_FILTERS]
            options.append((_("overdue"), "overdue"))
            initial = self.initial_state if self.initial_state else Select.NULL
            yield Select(options, prompt=_("all states"), id="cases-state", value=initial)
        yield PagedTable(id="cases-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="cases-pager")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk)
        table = self.query_one(DataTable)
        # the date before the long texts: at 80–100 columns the last column is the one cut
        table.add_columns(_("Case number"), _("State"), _("Due"), _("Applicant"), _("Item"))
        if self.desk.role is not Role.agent:  # a township's or the county's cases come from
            table.add_column(_("Village"), key="place")  # many villages: which one, last
        if self.county_section is None:
            self.query_one("#cases-search", Input).focus()
        else:  # the strip's digits must open sections, not go into the search box
            table.focus()
        self._reload()  # at once: on_screen_resume reads it again when the list shows again

    def _filters(self) -> tuple[str, str | None]:
        query = self.query_one("#cases-search", Input).value.strip()
        state = self.query_one("#cases-state", Select).value
        return query, None if state is Select.NULL else str(state)

    def refresh_data(self) -> None:
        """What a sync brought in (the app calls this after a sync that changed cases)."""
        self._reload()

    def _reload(self, *, keep: bool = True) -> None:
        query, state = self._filters()
        self._asked = (query, state)
        self._load(query, state, self.page_offset, keep)

    @work(thread=True, exclusive=True, group="cases", exit_on_error=False)
    def _load(self, query: str, state: str | None, offset: int, keep: bool) -> None:
        # a slower read of an earlier search (all cases) must not land after a later one
        self.post_latest(self.Loaded(read_page(self.desk, query, state, offset), keep))

    def on_cases_screen_loaded(self, message: CasesScreen.Loaded) -> None:
        page = message.page
        self.total = page.total
        table = self.query_one(DataTable)
        self._drafts = {DRAFT_KEY + found.draft_id: found for found in page.drafts}
        with cursor_kept(table, same_row=message.keep):  # another search or page: its top
            table.clear()
            for key, found in self._drafts.items():  # a half-filled take-in: Enter goes on
                cells = ["", state_label("draft"), "", found.applicant, found.item_name]
                table.add_row(*cells, *[""] * (len(table.columns) - len(cells)), key=key)
            year = self.desk.clock().year
            for row in page.rows:
                cells = self._cells(row, page, len(table.columns), year)
                table.add_row(*cells, key=row.case_number)
        first = page.offset + 1 if page.rows else 0
        last = page.offset + len(page.rows)
        pager = _("{first}–{last} of {total}  (PgUp/PgDn for pages, Enter opens)").format(
            first=first, last=last, total=page.total
        )
        if page.drafts:  # one line (the pager's): at 80 columns a second was cut off
            pager = (
                _("{first}–{last} of {total}; {n} draft(s) on top: Enter on one goes on with it.")
                if page.rows
                else _("{n} draft(s) found: Enter goes on with it.")
            ).format(first=first, last=last, total=page.total, n=len(page.drafts))
        elif not page.rows:  # it said 第 0–0 条，共 0 条 (PgUp/PgDn …)
            pager = _("No case matches the search or the state chosen.")
            searched = self.query_one("#cases-search", Input).value.strip().upper()
            if searched.startswith("BCS"):  # a 办不成事 record's number: not a case
                pager = (  # the county follows them up as 闭环 items (it has no U)
                    _(
                        "A BCS- number is a 办不成事 record: the county follows it up under 3 (闭环)."
                    )
                    if self.county_section is not None
                    else _(
                        "A BCS- number is a 办不成事 record: they are listed under U (办不成事)."
                    )
                )
        self.query_one("#cases-pager", Static).update(pager)

    @staticmethod
    def _cells(row: CaseSummary, page: CasePage, columns: int, year: int) -> list[str]:
        """A row; a due date of this year without its year (at 80 columns the last column,
        the county's and the township's 村, was cut to its first characters)."""
        due = day_in_year(row.due_date, year)
        flag = "⚠ " if row.flagged else ""
        cells = [
            row.case_number,
            flag + state_label(row.state),
            due,
            _applicant(row.applicant_name, row.id_masked),
            row.item_name,
        ]
        if columns > len(cells):  # the county's and the township's 村 column
            cells.append(page.places.get(row.division, row.division))
        return cells

    @on(Input.Changed, "#cases-search")
    @on(Select.Changed, "#cases-state")
    def _filters_changed(self) -> None:
        if self._filters() == self._asked:  # the boxes' first Changed, as the screen opens:
            return  # it read the same page twice, the two reads in each other's way
        self.page_offset = 0
        self._reload(keep=False)

    @on(Input.Submitted, "#cases-search")
    def _to_table(self) -> None:
        """Enter: the one case found opens at once; with several, the list takes the keys."""
        table = self.query_one(DataTable)
        if table.row_count == 1:
            key = table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value
            if key:
                self._open_case(key)
                return
        table.focus()

    def key_down(self, event: events.Key) -> None:
        """Down from the search box goes into the list, onto its first row (as a person
        expects): the key is spent on the move, or the list also took it a row down, and
        Enter opened the second resident's case."""
        if self.focused is self.query_one("#cases-search", Input):
            event.prevent_default()
            event.stop()
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self._open_case(event.row_key.value)

    def _open_case(self, key: str) -> None:
        """The case's page: at the county, the review page with the decisions the county
        makes (a case forwarded to a county department is completed, 办结, there: 17 of
        the catalog's items are decided by the county); a reviewer's, the review page with
        the decisions and their papers (it opened the village's page, whose p printed the
        village's 收件回执); an agent's, the case's own page."""
        found = self._drafts.get(key)
        if found is not None:
            from station.screens.intake import IntakeScreen

            self.app.push_screen(IntakeScreen(self.desk, draft_id=found.draft_id, data=found.data))
            return
        if self.county_section is not None or self.desk.role is Role.reviewer:
            from station.screens.review import ReviewScreen

            self.app.push_screen(ReviewScreen(self.desk, key))
            return
        from station.screens.case import CaseScreen

        self.app.push_screen(CaseScreen(self.desk, key))

    def action_page(self, step: int) -> None:
        """Next or previous page."""
        offset = self.page_offset + step * PAGE
        if 0 <= offset < max(self.total, 1):
            self.page_offset = offset
            self._reload(keep=False)

    def on_key(self, event: events.Key) -> None:
        """A character typed with the cursor in the table goes into the search box (it was
        dropped without a word, and Enter then opened the case under the cursor).

        A key the desk has bound (the county's sections 1–8) keeps its own meaning. The
        rest of a word typed in a burst was sent to the table before the cursor moved and
        reaches here with the box already holding the cursor: it goes in after the first
        (an ``Input`` keeps what is typed into it, so a character arriving here was not)."""
        character = typed(event)
        box = self.query_one("#cases-search", Input)
        if character is None or self.focused not in (self.query_one(PagedTable), box):
            return
        if event.key not in self.active_bindings:
            carry(event, character, box)

    def action_screenful(self, step: int) -> None:
        """PgDn / PgUp with the cursor out of the table (in the search box): what they do in
        it, the next (previous) screenful, the page turned past its end."""
        table = self.query_one(PagedTable)
        if step > 0:
            table.action_page_down()
        else:
            table.action_page_up()

    def action_focus_search(self) -> None:
        """Back to the search box."""
        self.query_one("#cases-search", Input).focus()

    def action_back(self) -> None:
        """Back to the home screen."""
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """As a home screen there is nowhere to go back to (F12 locks, Ctrl+Q quits)."""
        if action == "back":
            return not self.home_title
        return True

    def on_screen_resume(self) -> None:
        if self.shown_again() and self.in_session():
            self._reload()


def _applicant(name: str, id_masked: str) -> str:
    """The applicant as the list shows them: the name and the ID number's last four
    (``*1058``); the whole masked number took the item's room at 80 columns."""
    tail = f"*{id_masked[-4:]}" if len(id_masked) >= 4 else id_masked
    return f"{name} {tail}".strip()
