"""The county desk's dialogs: a division picked by name, a new code with its QR, the
outstanding codes, a new account, a new password."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from forms.clock import format_minute
from forms.fieldtypes import is_phone
from forms.identity import IdNumberError, mask_id_number, parse_id_number
from forms.passwords import MIN_PASSWORD_LENGTH, PasswordProblem, password_problem
from station.i18n import _
from station.screens.base import DeskModal
from station.screens.dialogs import ConfirmDialog, MessageDialog, close_when_sure, typed_values
from station.screens.syncing import CentreSilent
from station.services.application import ActionRefused
from station.services.centre import CentreError
from station.services.county_admin import (
    CodeRow,
    CountyAdmin,
    DivisionChoice,
    level_name,
    qr_lines,
    role_name,
)

THEMES = Path(__file__).resolve().parent.parent / "themes"


class DivisionPicker(Vertical):
    """Type part of a name (or code): the matching divisions are listed; the highlighted one
    is the choice."""

    DEFAULT_CSS = """
    DivisionPicker { height: auto; }
    """

    class Picked(Message):
        """A division was highlighted."""

        def __init__(self, choice: DivisionChoice | None) -> None:
            super().__init__()
            self.choice = choice

    def __init__(
        self, choices: list[DivisionChoice], levels: tuple[str, ...], *, typed_first: bool = False
    ) -> None:
        super().__init__()
        self.choices = [c for c in choices if c.level in levels]
        self.shown: list[DivisionChoice] = []
        self.typed_first = typed_first
        """Nothing is chosen until a name is typed or a row picked: an account placed at the
        list's first row, never chosen, went to the wrong township (walkthrough)."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field"):  # named beside it, as the dialog's other boxes are
            yield Label(_("Division"), classes="field-label")
            yield Input(
                placeholder=_("type a name: 山门, 海城… (↑ ↓ pick from the list)"),
                id="division-search",
            )
        yield OptionList(id="division-list")

    def on_mount(self) -> None:
        # out of the Tab order: Tab from the name went to the list, where the ID number
        # typed next was lost and every later box got the one before's text; ↑ ↓ in the
        # name box move through it instead (a county trial)
        self.query_one(OptionList).can_focus = False
        self._fill("")

    def on_key(self, event: events.Key) -> None:
        """↑ ↓ in the name box: the highlight moves through the matching divisions."""
        if event.key not in ("up", "down") or not self.query_one(Input).has_focus:
            return
        options = self.query_one(OptionList)
        if options.option_count:
            event.stop()
            event.prevent_default()
            if event.key == "down":
                options.action_cursor_down()
            else:
                options.action_cursor_up()

    @on(Input.Changed, "#division-search")
    def _search(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value.strip())

    def _fill(self, text: str) -> None:
        self.shown = [c for c in self.choices if text in c.name or text in c.code][:50]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(c.label) for c in self.shown])
        wait = self.typed_first and not text
        options.highlighted = 0 if self.shown and not wait else None
        self.post_message(self.Picked(self.chosen))

    @on(OptionList.OptionHighlighted, "#division-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Picked(self.chosen))

    @property
    def chosen(self) -> DivisionChoice | None:
        """The highlighted division, or None when nothing matches."""
        index = self.query_one(OptionList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None


class NewCodeDialog(DeskModal[tuple[str, str, str] | None]):
    """n 新码: a division picked by name, the station's name; the role is the division's level."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, choices: list[DivisionChoice]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog"):
            yield Label(_("New enrollment code 新码"), classes="heading")
            yield DivisionPicker(self.choices, ("village", "township", "county"))
            with Horizontal(classes="field"):
                yield Label(_("Station name"), classes="field-label")
                yield Input(id="station-name")
            yield Static("", id="code-role")
            yield Static("", id="code-message", classes="error")
            with Horizontal():
                yield Button(_("Issue the code (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#division-search", Input).focus()

    @on(DivisionPicker.Picked)
    def _picked(self, event: DivisionPicker.Picked) -> None:
        choice = event.choice
        self.query_one("#station-name", Input).value = choice.office if choice else ""
        role = _("Role: {level} station").format(level=level_name(choice.level)) if choice else ""
        self.query_one("#code-role", Static).update(role)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        choice = self.query_one(DivisionPicker).chosen
        name = self.query_one("#station-name", Input).value.strip()
        if choice is None or not name:
            message = _("Pick a division and give the station a name.")
            self.query_one("#code-message", Static).update(message)
            return
        self.dismiss((choice.code, name, choice.level))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class CodeDialog(DeskModal[None]):
    """The code just issued: as text with its expiry in China time, and as a QR to scan.

    Laid out for 80×24: no frame, the QR at the left as tall as it needs (24 lines for a
    centre on https with its certificate's fingerprint), and beside it the code, what to
    type where it cannot be scanned, and the keys, each a button. In a frame, under the
    code's line, such a QR (26 lines then) ran off the bottom of the screen, cut (no
    phone could read it); the words beside it were squeezed into 19 columns, and nothing
    said how to close."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [
        Binding("escape,enter", "close", _("Close")),
        Binding("p", "print_slip", _("Print the slip 打印注册单")),
    ]

    def __init__(self, code: CodeRow) -> None:
        super().__init__()
        self.code = code
        self.qr = qr_lines(code.uri, border=1)
        self.kept = False
        """The 注册单 was made (a PDF kept, printed if a printer is set): the code is on paper."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="code-dialog"):
            yield Static("\n".join(self.qr), id="code-qr")
            with Vertical(id="code-side"):
                yield Label(_("New enrollment code 新码"), classes="heading")
                yield Static(self._said(), id="code-text")
                yield Static(self._typed(), id="code-hint")
                message = _(
                    "The QR code does not fit this window: print the slip (P) and scan it "
                    "from the paper, or make the window larger."
                )
                yield Static(message, id="code-qr-missing", classes="error")
                with Vertical(id="code-keys"):  # clicked, or their keys pressed
                    yield _unfocused(_("Print the slip 注册单 (P)"), "code-print")
                    yield _unfocused(_("Close (Esc)"), "code-close")

    def on_mount(self) -> None:
        self._fit_qr()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_qr()

    def _fit_qr(self) -> None:
        """The QR shown whole, or not at all: cut at the screen's edge, no phone reads it
        (the words say what to type, the slip carries it whole)."""
        size = self.app.size  # the terminal's (the screen's own is not set at its mount)
        fits = len(self.qr) <= size.height and len(self.qr[0]) + 20 <= size.width
        self.query_one("#code-qr").display = fits
        self.query_one("#code-qr-missing").display = not fits

    def _said(self) -> Text:
        """The station, its code (bold: it is read out and typed) and until when it works."""
        code = self.code
        return Text.assemble(
            _("{name} ({division})").format(
                name=code.name, division=code.division_name or code.division
            ),
            "\n",
            (_("Code: {code}").format(code=code.code), "bold"),
            "\n",
            _("Valid until {when}").format(when=format_minute(code.expires_at)),
            *self._replaced(),
        )

    def _replaced(self) -> tuple[str | tuple[str, str], ...]:
        """The village's earlier codes this one made void, said (an administrator issues
        again when a slip is lost: the lost code stopped working, and nothing said so)."""
        if not self.code.replaced:
            return ()
        said = _("Earlier code {refs} is void.").format(refs="、".join(self.code.replaced))
        return ("\n", (said, "bold"))

    def _typed(self) -> str:
        """What to type where the QR cannot be scanned: the code alone did not enroll a
        station, which must also be told the centre's address (and, over https, the
        fingerprint of its certificate)."""
        from sync.enroll_uri import parse_enroll_uri

        ticket = parse_enroll_uri(self.code.uri)
        lines = [
            _("Scan it on the station PC, or type the centre's address and the code."),
            _("Centre: {url}").format(url=ticket.central),
        ]
        if ticket.fingerprint:
            lines.append(
                _("Certificate fingerprint: {fingerprint}").format(fingerprint=ticket.fingerprint)
            )
        # the centre keeps only the code's hash: closed unprinted, the code is gone
        lines.append(_("P prints it (注册单) to take to the station; it is not shown again."))
        return "\n".join(lines)

    @on(Button.Pressed, "#code-close")
    def action_close(self) -> None:
        """Esc or Enter: closed at once once the slip is made; before, asked first (default
        no): the centre keeps only the code's hash, so closed unprinted, the code is gone
        and another must be issued."""
        if self.kept:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        question = _(
            "The slip (注册单) was not printed, and the code is not shown again once this "
            "closes. Close it anyway?"
        )
        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    @on(Button.Pressed, "#code-print")
    def action_print_slip(self) -> None:
        """p: the 注册单 (the code, its QR and where it works) on paper."""
        self._print_slip()

    @work(thread=True, exclusive=True, group="paper", exit_on_error=False)
    def _print_slip(self) -> None:
        from station.services.paper import print_enrollment_slip

        outcome = print_enrollment_slip(self.app.desk, self.code)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._printed, outcome.text())

    def _printed(self, said: str) -> None:
        """Where the slip went, in a message closed by Enter: a toast lay over the QR's
        corner for its ten seconds (no phone could read it then), and the dialog's side
        has no room for it (the PDF's folder, when no printer is set)."""
        self.kept = True
        self.app.push_screen(MessageDialog(_("Enrollment slip 注册单"), said))


def _unfocused(label: str, id: str) -> Button:
    """A compact button the keyboard never lands on (its key is pressed instead: Enter
    on a focused 打印 would have printed, where it closed the dialog)."""
    button = Button(label, id=id, compact=True)
    button.can_focus = False
    return button


class CodesDialog(DeskModal[None]):
    """c 待用码: the codes not yet used, cancelled or expired; x cancels the highlighted one."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [
        Binding("x", "cancel_code", _("Cancel the code 作废")),
        Binding("escape", "close", _("Close")),
    ]

    class Loaded(Message):
        """The outstanding codes were read."""

        def __init__(self, codes: list[CodeRow]) -> None:
            super().__init__()
            self.codes = codes

    def __init__(self, admin: CountyAdmin) -> None:
        super().__init__()
        self.admin = admin
        self.codes: list[CodeRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog"):
            yield Label(_("Outstanding codes 待用码"), classes="heading")
            yield DataTable[str](id="codes-table", cursor_type="row")
            yield Static("", id="codes-empty")
            yield Static(_("x cancel the highlighted code · Esc close"), id="codes-hint")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="county-codes", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(self.Loaded(self.admin.codes()))

    def on_codes_dialog_loaded(self, message: CodesDialog.Loaded) -> None:
        self.codes = message.codes
        # its reference first: what ``daiban central codes cancel`` names it by (two codes
        # of one division were told apart by nothing)
        # (the level, 乡镇 or 村, left out for it at 80 columns: the station's name says it)
        headers = [_("Reference"), _("Division"), _("Station"), _("Valid until"), _("Issued by")]
        rows = [
            (c.ref, c.division_name or c.division, c.name, format_minute(c.expires_at),
             c.issued_by)
            for c in self.codes
        ]  # fmt: skip
        fill_table(self.query_one(DataTable), headers, rows, [c.ref for c in self.codes])
        self.query_one("#codes-empty", Static).update(
            "" if self.codes else _("No outstanding codes.")
        )
        self.query_one(DataTable).focus()

    def action_cancel_code(self) -> None:
        table = self.query_one(DataTable)
        if not self.codes:
            return
        code = self.codes[table.cursor_row]
        question = _("Cancel code {ref} for {name} ({division})? It can no longer enroll a PC.")
        text = question.format(
            ref=code.ref, name=code.name, division=code.division_name or code.division
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._cancel(code.ref)

        self.app.push_screen(ConfirmDialog(text), answered)

    @work(thread=True, exclusive=True, group="county-codes", exit_on_error=False)
    def _cancel(self, ref: str) -> None:
        self.admin.cancel_code(ref)
        self.app.call_from_thread(self.notify, _("The code was cancelled."))
        self.post_message(self.Loaded(self.admin.codes()))

    def action_close(self) -> None:
        self.dismiss(None)


def fill_table(
    table: DataTable[Any], headers: list[str], rows: list[tuple[Any, ...]], keys: list[str]
) -> None:
    """Refill a table, each column as wide as its widest cell (measured here)."""
    keep = table.cursor_row
    table.clear(columns=True)
    for index, header in enumerate(headers):
        cells = [header, *(row[index] for row in rows)]
        table.add_column(header, width=max(cell_len(str(c)) for c in cells))
    for key, row in zip(keys, rows, strict=True):
        table.add_row(*row, key=key)
    if rows:
        table.move_cursor(row=min(keep, len(rows) - 1))


MIN_WRAPPED = 6
"""The narrowest a column of Chinese text gets when wrapped: three characters."""
LONGEST_CODE = 32
"""A code (a case or 办不成事 number, an ID number, a time) is kept whole up to this width."""


def fill_wrapped(
    table: DataTable[Any],
    headers: Sequence[str],
    rows: Sequence[Sequence[Text | str]],
    width: int,
    keys: Sequence[str] | None = None,
    *,
    one_line_headers: bool = False,
    whole: Collection[int] = (),
) -> None:
    """Refill a table to fit ``width`` cells: each column as wide as its widest cell while
    they all fit; past that, the headers go onto two lines, then the widest columns are
    narrowed and their cells wrap (codes such as case numbers kept whole). At 80 columns
    the 对账 table's last columns ran off the screen and the 闭环 timeline cut the
    resident's words, with nothing on screen to say so.

    With ``one_line_headers``, no header is wrapped while the columns can fit with each
    header whole (the cells wrap instead); only past that do the headers go onto two
    lines. The columns numbered in ``whole`` (counts, times) are never narrowed: their
    cells are not wrapped."""
    keep = table.cursor_row
    console = table.app.console
    texts = [[_plain(cell) for cell in row] for row in rows]
    columns = list(zip(*texts, strict=True)) if texts else [()] * len(headers)
    cells = [max((cell_len(c) for c in column), default=0) for column in columns]
    full = [max(c, cell_len(h)) for c, h in zip(cells, headers, strict=True)]
    room = width - 2 * table.cell_padding * len(headers) - 2  # 2: the vertical scrollbar
    widths = full
    if sum(full) > room:
        one_line = [cell_len(h) for h in headers]
        heads = [_two_line_width(console, h) for h in headers]
        if one_line_headers and sum(_floors(one_line, cells, columns, whole)) <= room:
            heads = one_line
        widths = [max(c, h) for c, h in zip(cells, heads, strict=True)]
        widths = _narrowed(widths, _floors(heads, cells, columns, whole), room)
    wrapped = widths != full
    table.clear(columns=True)
    table.header_height = max(
        (len(Text(h).wrap(console, w)) for h, w in zip(headers, widths, strict=True)), default=1
    )
    for header, column_width in zip(headers, widths, strict=True):
        table.add_column(header, width=column_width)
    for index, row in enumerate(rows):
        key = keys[index] if keys is not None else None
        table.add_row(*row, key=key, height=None if wrapped else 1)
    if rows:
        table.move_cursor(row=min(keep, len(rows) - 1))


def _floors(
    heads: list[int], cells: list[int], columns: Sequence[Sequence[str]], whole: Collection[int]
) -> list[int]:
    """How narrow each column may get: its header's width (``heads``), or its longest word
    (:func:`_longest_word`) when that is wider, never wider than its widest cell or
    header; a column in ``whole`` as wide as its widest cell."""
    return [
        max(cell, head)
        if index in whole
        else min(max(cell, head), max(head, _longest_word(column)))
        for index, (head, cell, column) in enumerate(zip(heads, cells, columns, strict=True))
    ]


def _plain(cell: Text | str) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _two_line_width(console: Any, header: str) -> int:
    """The narrowest a header is on two lines."""
    width = max(1, cell_len(header) // 2)
    while len(Text(header).wrap(console, width)) > 2:
        width += 1
    return width


def _longest_word(column: Sequence[str]) -> int:
    """How narrow a column can wrap: a code whole, Chinese text three characters a line."""
    words = [word for cell in column for word in cell.split()]
    return max(
        (min(cell_len(w), LONGEST_CODE if w.isascii() else MIN_WRAPPED) for w in words),
        default=0,
    )


def _narrowed(widths: list[int], floors: list[int], room: int) -> list[int]:
    """The widest columns capped (none below its floor) until they fit in ``room``; what
    room is left goes back to the capped ones, left first."""
    cap = max(widths, default=0)

    def capped(limit: int) -> list[int]:
        return [max(f, min(w, limit)) for w, f in zip(widths, floors, strict=True)]

    while cap > 0 and sum(capped(cap)) > room:
        cap -= 1
    found = capped(cap)
    spare = room - sum(found)
    for index, want in enumerate(widths):
        more = min(max(spare, 0), want - found[index])
        found[index] += more
        spare -= more
    return found


ROLE_LEVELS = {"agent": ("village", "township"), "reviewer": ("township",), "admin": ("county",)}


class NewAccountDialog(DeskModal[Any]):
    """a 新建: one account per person, a role that fits the division; each box named beside
    it (a placeholder alone vanished once typed in), the ID number shown as typed so its 18
    digits can be proofread (and masked on the line under it once valid).

    With ``create`` (called in a worker with the fields), the dialog sends the account
    itself and stays open on the centre's refusal (a username taken, the person's other
    account), saying why with everything typed kept; it dismisses with what ``create``
    returned. Without it, it dismisses with the fields."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(
        self, choices: list[DivisionChoice], create: Callable[[dict[str, str]], Any] | None = None
    ) -> None:
        super().__init__()
        self.choices = choices
        self.create = create

    def compose(self) -> ComposeResult:
        roles = [(role_name(r), r) for r in ("agent", "reviewer", "admin")]
        with Vertical(classes="admin-dialog"):
            yield Label(_("New account 新建账号"), classes="heading")
            with Horizontal(classes="field"):
                yield Label(_("Role"), classes="field-label")
                yield Select(roles, value="agent", allow_blank=False, id="account-role")
                yield Label(_("Name"), classes="field-label")
                yield Input(id="account-name")
            yield DivisionPicker(self.choices, ROLE_LEVELS["agent"], typed_first=True)
            yield Static(_division_line(None), id="account-division")
            with Horizontal(classes="field"):
                # typed by the administrator, who must proofread its 18 digits: not masked
                yield Label(_("ID number"), classes="field-label")
                yield Input(id="account-id")
                yield Label(_("Phone"), classes="field-label")
                yield Input(id="account-phone")
            with Horizontal(classes="field"):
                yield Label(_("Username"), classes="field-label")
                yield Input(id="account-username")
                yield Label(_("Initial password"), classes="field-label")
                yield Input(password=True, id="account-password")
            yield Static("", id="account-message")
            with Horizontal():
                yield Button(_("Create (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    _needed_said = False
    """The message says what is still needed (kept up to date as boxes are filled)."""

    def on_mount(self) -> None:
        self.started = typed_values(self)
        self.query_one("#account-name", Input).focus()

    @on(Select.Changed, "#account-role")
    def _role(self, event: Select.Changed) -> None:
        picker = self.query_one(DivisionPicker)
        picker.choices = [c for c in self.choices if c.level in ROLE_LEVELS[str(event.value)]]
        picker._fill(picker.query_one("#division-search", Input).value.strip())

    @on(DivisionPicker.Picked)
    def _picked(self, event: DivisionPicker.Picked) -> None:
        self.query_one("#account-division", Static).update(_division_line(event.choice))

    @on(Input.Changed, "#account-id")
    def _id_typed(self, event: Input.Changed) -> None:
        self.query_one("#account-message", Static).update(_id_state(event.value))

    def _still_needed(self) -> tuple[str, str] | None:
        """What is still to be filled in, as said, and the first box of it (None: all is)."""
        value = {key: self.query_one(f"#account-{key}", Input).value.strip()
                 for key in ("name", "id", "username", "password")}  # fmt: skip
        choice = self.query_one(DivisionPicker).chosen
        names = {"name": _("Name"), "id": _("ID number"),
                 "username": _("Username"), "password": _("Initial password")}  # fmt: skip
        missing = [k for k in ("name", "id", "username", "password") if not value[k]]
        if not missing and choice is not None:
            return None
        said = [names[k] for k in missing]
        if choice is None:
            said.insert(
                1 if missing[:1] == ["name"] else 0,
                _("division 区划 (type its name and pick it)"),
            )
        message = _("Still needed: {fields}.").format(fields="、".join(said))
        first = (
            "name" if missing[:1] == ["name"] else ("division" if choice is None else missing[0])
        )
        return message, first

    @on(Input.Changed)
    @on(DivisionPicker.Picked)
    def _needed_again(self) -> None:
        """Once said, what is still needed follows what is typed (it stayed, naming 姓名 and
        区划 after both were filled in: a county trial); gone once nothing is."""
        if not self._needed_said:
            return
        needed = self._still_needed()
        message = self.query_one("#account-message", Static)
        if needed is None:
            self._needed_said = False
            message.update("")
        else:
            message.update(Text(needed[0], style="bold red"))

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = {key: self.query_one(f"#account-{key}", Input).value.strip()
                 for key in ("name", "id", "phone", "username", "password")}  # fmt: skip
        needed = self._still_needed()
        if needed is not None:
            self._say(*needed)
            self._needed_said = True
            return
        choice = self.query_one(DivisionPicker).chosen
        assert choice is not None  # a division not chosen is still needed
        problems = _account_problems(
            value["id"], value["password"], value["phone"], value["username"]
        )
        if problems:  # said here, with everything typed kept (the centre's refusal lost it)
            self._say("\n".join(problem for _field, problem in problems), problems[0][0])
            return
        fields = {
            "username": value["username"],
            "display_name": value["name"],
            "role": str(self.query_one("#account-role", Select).value),
            "division": choice.code,
            "id_number": value["id"],
            "password": value["password"],
            "phone": value["phone"],
        }
        if self.create is None:
            self.dismiss(fields)
            return
        ok = self.query_one("#ok", Button)
        if ok.disabled:  # sent already: a second Enter never sends a second account
            return
        ok.disabled = True
        self.query_one("#account-message", Static).update(_("Creating the account…"))
        self._send(fields)

    def _say(self, message: str, field: str) -> None:
        """``message`` in red, the cursor in the box it is about (it stayed in 初始密码,
        where Enter was pressed: the administrator's correction of the name or the ID number
        went into the hidden password)."""
        self.query_one("#account-message", Static).update(Text(message, style="bold red"))
        box = "#division-search" if field == "division" else f"#account-{field}"
        self.query_one(box, Input).focus()

    @work(thread=True, exclusive=True, group="county-account", exit_on_error=False)
    def _send(self, fields: dict[str, str]) -> None:
        assert self.create is not None
        try:
            created = self.create(fields)
        except ActionRefused as refused:
            if isinstance(refused, CentreError) and refused.silent:
                self.post_message(CentreSilent())
            self.app.call_from_thread(self._refused, str(refused), fields["username"])
            return
        self.app.call_from_thread(self.dismiss, created)

    def _refused(self, message: str, username: str) -> None:
        """The centre's reason, in red, with every box as it was typed: the cursor in the
        username when the centre named it (taken), else in the ID number (the person's
        other account)."""
        self.query_one("#ok", Button).disabled = False
        self._say(message, "username" if username and username in message else "id")

    def worker_failed(self, worker: Any) -> None:
        """Failed in another way (reported by the app): the form can be sent again."""
        self.query_one("#ok", Button).disabled = False
        self.query_one("#account-message", Static).update("")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Leave, asked first when something was typed (one Esc lost a whole form); not while
        the account is on its way (the centre would make it unseen)."""
        if self.create is not None and self.query_one("#ok", Button).disabled:
            message = _("The account is being created; wait for the centre's answer.")
            self.query_one("#account-message", Static).update(message)
            return
        close_when_sure(self)


def _division_line(choice: DivisionChoice | None) -> Text:
    """Where the new account will belong, as chosen (or that nothing is yet)."""
    if choice is None:
        return Text(_("Division: none chosen yet — type its name above"), style="dim")
    return Text(_("Division: {division}").format(division=choice.label), style="bold")


def _account_problems(
    id_number: str, password: str, phone: str = "", username: str = ""
) -> list[tuple[str, str]]:
    """What the centre would refuse in a new account, said before it is sent, each with the
    box it is about (``id``, ``password``, ``phone``, ``username``), in the form's order:
    an ID number that is not one (and why), a password the centre's rule refuses
    (``forms.passwords``), a phone that is no phone number, a username with a blank in it.
    All of them: said one at a time, each correction met the next refusal."""
    problems = []
    try:
        parse_id_number(id_number)
    except IdNumberError as error:
        problems.append(("id", _id_problem(error.reason, len(id_number.strip()))))
    if phone.strip() and not is_phone(phone):
        problems.append(("phone", _(
            "Phone: a mobile has 11 digits starting with 1; a landline has its area code, "
            "e.g. 0954-1234567."
        )))  # fmt: skip
    if any(ch.isspace() for ch in username):
        problems.append(("username", _("Username: no spaces (it is typed at every sign-in).")))
    problem = password_problem(password, username)
    if problem is not None:
        words = password_words(problem, _("Initial password"), password, username)
        problems.append(("password", words))
    return problems


def _id_problem(reason: str, length: int) -> str:
    """Why an ID number is not one, as the administrator can act on it."""
    reasons = {
        "length": _("ID number: it has 18 characters; this one has {n}.").format(n=length),
        "old15": _("ID number: this is an old 15-digit number; type the 18-digit one."),
        "format": _("ID number: 17 digits, then a digit or X."),
        "checksum": _("ID number: the last character (the check code) is wrong; check each digit."),
        "birth_date": _("ID number: the birth date in it is not a real date."),
        "future": _("ID number: the birth date in it lies in the future."),
    }
    return reasons.get(reason, _("ID number: not a valid resident ID number (check the digits)."))


def password_words(problem: PasswordProblem, field: str, password: str, username: str) -> str:
    """Why the centre's rule refuses a password, naming the box it was typed in (``field``).

    Args:
        problem: the rule broken (``forms.passwords.password_problem``).
        field: the box's name as the dialog shows it (初始密码, 新密码).
        password: the password typed (only its length is said).
        username: the account's username.

    Returns:
        One sentence, the box's name first.
    """
    words = {
        "short": _("{field}: at least {n} characters; this one has {got}."),
        "same": _("{field}: one character repeated is guessed at once; choose another."),
        "run": _(  # one line at 80 columns: the form scrolled for a second one
            "{field}: a run on the keyboard or the alphabet (12345678, abcdefgh) is guessed "
            "at once; choose another."
        ),
        "digits": _(
            "{field}: digits only (a birthday, a phone number) are guessed first; put letters "
            "in it."
        ),
        "username": _("{field}: it contains the username {username}; choose one without it."),
    }
    return words[problem].format(
        field=field, n=MIN_PASSWORD_LENGTH, got=len(password), username=username
    )


def _id_state(number: str) -> Text:
    """Under the ID number's box: its masked form once valid, or that it is not yet."""
    if not number.strip():
        return Text("")
    try:
        masked = mask_id_number(parse_id_number(number).number)
    except IdNumberError:
        return Text(_("The ID number is not valid yet."), style="bold red")
    return Text(_("ID number {masked} ✓").format(masked=masked), style="green")


class PasswordDialog(DeskModal[str | None]):
    """p 重置密码: the new password, typed twice."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog"):
            title = _("New password for {username}").format(username=self.username)
            yield Label(title, classes="heading")
            with Horizontal(classes="field"):
                yield Label(_("New password"), classes="field-label")
                yield Input(password=True, id="password-1")
            with Horizontal(classes="field"):
                yield Label(_("Again"), classes="field-label")
                yield Input(password=True, id="password-2")
            yield Static("", id="password-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.started = typed_values(self)
        self.query_one("#password-1", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        first = self.query_one("#password-1", Input).value
        second = self.query_one("#password-2", Input).value
        if self.focused is self.query_one("#password-1", Input) and not second:
            self.query_one("#password-2", Input).focus()  # Enter moves on to the second box
            return
        problem = password_problem(first, self.username)
        if problem is not None:
            message = password_words(problem, _("New password"), first, self.username)
        elif first != second:
            message = _("The two passwords differ: type the same one twice.")
        else:
            self.dismiss(first)
            return
        self.query_one("#password-message", Static).update(message)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        close_when_sure(self)
