"""闭环: the loop list (the county's, or the township's own) and one item with its steps.

The county administrator assigns (分派), decides appeals (裁定申诉) and closes (办结);
the township reviewer records 回访, 整改, 反馈 and appeals (申诉). Everything goes
over the person's own line to the centre, in workers; the centre checks every act.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from rich.cells import cell_len
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select, Static

from forms.clock import CHINA, china_now
from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.screens.county_dialogs import fill_wrapped
from station.screens.dashboard_cases import show_case
from station.screens.decisions import _Form
from station.services.loops import (
    CARD_NAMES,
    STATE_NAMES,
    Loops,
    actions_for,
    limit_text,
    row_of,
    source_text,
    step_line,
)
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus
from station.widgets.tables import cursor_kept
from sync.events import Role

CSS = Path(__file__).resolve().parent.parent / "themes"
HOW = ("电话", "上门", "来访")
"""How a 回访 or a 反馈 was made."""
CARD_FILTERS = (None, "red", "yellow")


def _fit(table: DataTable[str], headers: list[str], rows: Sequence[tuple[str, ...]]) -> None:
    """Columns as wide as their widest cell (measured: CJK text is two cells a character)."""
    table.clear(columns=True)
    for index, header in enumerate(headers):
        table.add_column(header, width=max(cell_len(r[index]) for r in [tuple(headers), *rows]))


class LoopsScreen(DeskScreen[None]):
    """The loop list: card, source, responsible unit, working days left, state; Enter opens."""

    CSS_PATH = CSS / "loops.tcss"
    BINDINGS = [
        Binding("escape", "back", _("Back")),
        Binding("enter", "open", _("Open")),
        Binding("f", "cards", _("Cards 红黄牌")),
        Binding("r", "refresh", _("Refresh")),
    ]

    class Loaded(Message):
        """The list was read from the centre."""

        def __init__(self, items: list[dict[str, Any]]) -> None:
            super().__init__()
            self.items = items

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.loops = Loops(desk)
        self.card_filter = 0
        self.items: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        if self.desk.role is Role.admin:
            yield CountyStrip(2)
        yield Static(_("Reading the 闭环 list…"), id="loops-heading")
        yield DataTable(id="loops-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="loops-detail")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("闭环"))
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        """Shown (first, or back from an item): read the list again."""
        if self.in_session():
            self.action_refresh()

    def action_refresh(self) -> None:
        """Read the list from the centre (a worker)."""
        self._load(CARD_FILTERS[self.card_filter])

    def action_cards(self) -> None:
        """All → red only → yellow only."""
        self.card_filter = (self.card_filter + 1) % len(CARD_FILTERS)
        self.action_refresh()

    @work(thread=True, exclusive=True, group="loops", exit_on_error=False)
    def _load(self, card: str | None) -> None:
        self.post_message(self.Loaded(self.loops.items(card=card)))

    def on_loops_screen_loaded(self, message: LoopsScreen.Loaded) -> None:
        self.items = message.items
        rows = [row_of(item) for item in message.items]
        lines = [(r.card, r.source, r.unit, r.days_left, r.state) for r in rows]
        table = self.query_one(DataTable)
        labels = ("Card 牌", "Source 来源", "Unit 责任单位", "Days left 剩余", "State")
        with cursor_kept(table):  # back from an item: on it, or on the one after it
            _fit(table, [_(label) for label in labels], lines)
            for row, line in zip(rows, lines, strict=True):
                table.add_row(*line, key=str(row.id))
        red = sum(1 for item in message.items if item.get("card") == "red")
        yellow = sum(1 for item in message.items if item.get("card") == "yellow")
        shown = CARD_NAMES.get(CARD_FILTERS[self.card_filter] or "", "") or _("all")
        heading = _("{n} items ({shown}) · {red} red · {yellow} yellow · F: cards").format(
            n=len(rows), shown=shown, red=red, yellow=yellow
        )
        self.query_one("#loops-heading", Static).update(heading)
        self._detail()

    @on(DataTable.RowHighlighted, "#loops-table")
    def _detail(self) -> None:
        item = self._current()
        text = f"{item['station_name']} · {item['words']}" if item else _("No 闭环 item here.")
        self.query_one("#loops-detail", Static).update(text)

    def _current(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not table.row_count or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    @on(DataTable.RowSelected, "#loops-table")
    def action_open(self) -> None:
        """Open the highlighted item."""
        item = self._current()
        if item is not None:
            self.app.push_screen(LoopItemScreen(self.desk, int(item["id"])))

    def action_back(self) -> None:
        """Back."""
        self.dismiss(None)


ACTION_KEYS = {
    "assign": ("a", _("Assign 分派")),
    "visited": ("v", _("Visit 回访")),
    # t, not z: z is 暂停 on the review page (which o opens from a 差评), and one letter
    # means one act on the desk; no other page acts on t (the 看板's t only shows a table)
    "rectified": ("t", _("Rectify 整改")),
    "fed_back": ("k", _("Feedback 反馈")),
    "appeal": ("p", _("Appeal 申诉")),
    "decide": ("d", _("Decide appeal 裁定申诉")),
    "close": ("c", _("Close 办结")),
}


class LoopItemScreen(DeskScreen[None]):
    """One item: where it came from, the resident's words, its limit and every step."""

    CSS_PATH = CSS / "loops.tcss"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "back", _("Back")),
        Binding("o", "open_case", _("Open the case 打开办件")),
        *(Binding(key, f"act('{action}')", label) for action, (key, label) in ACTION_KEYS.items()),
    ]

    class Loaded(Message):
        """The item was read (or changed) at the centre."""

        def __init__(self, item: dict[str, Any], note: str = "") -> None:
            super().__init__()
            self.item = item
            self.note = note

    def __init__(self, desk: Desk, item_id: int) -> None:
        super().__init__()
        self.desk = desk
        self.loops = Loops(desk)
        self.item_id = item_id
        self.item: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield Static(_("Loading…"), id="loop-header")
        yield DataTable(id="loop-steps", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("闭环"))
        self._load()

    @work(thread=True, exclusive=True, group="loops", exit_on_error=False)
    def _load(self, note: str = "") -> None:
        self.post_message(self.Loaded(self.loops.item(self.item_id), note))

    def on_loop_item_screen_loaded(self, message: LoopItemScreen.Loaded) -> None:
        item = self.item = message.item
        self.query_one("#loop-header", Static).update(self._header(item))
        self._steps()
        self.refresh_bindings()
        if message.note:
            self.notify(message.note)

    def _steps(self) -> None:
        """The timeline as wide as the screen, what was said wrapped (it was cut at 80
        columns: …出生医学证明：出生医学)."""
        if self.item is None:
            return
        rows = [tuple(step_line(step).split("  ", 2)) for step in self.item["steps"]]
        rows = [(r + ("", "", ""))[:3] for r in rows]
        headers = [_("Time"), _("What"), _("Who / what was said")]
        fill_wrapped(self.query_one(DataTable), headers, rows, self.size.width)

    def on_resize(self, event: events.Resize) -> None:
        """Narrower or wider: the timeline fitted again."""
        self._steps()

    @staticmethod
    def _header(item: dict[str, Any]) -> str:
        state = STATE_NAMES.get(item["state"], item["state"])
        card = CARD_NAMES.get(item.get("card", ""), "")
        limit = limit_text(item)
        appeal = {"pending": _("appeal pending 申诉待裁定"), "upheld": _("appeal upheld 维持"),
                  "overturned": _("差评 overturned 已撤销")}.get(item.get("appeal", ""), "")  # fmt: skip
        lines = [
            f"{source_text(item)} · {item['station_name']}",
            _("Resident: {words}").format(words=item["words"]),
            f"{state} · {item.get('unit_name') or _('unassigned')} · {limit} {card} {appeal}",
        ]
        return "\n".join(lines)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer only what the signed-in role may do to the item now; 打开办件 for a 差评."""
        if action == "open_case":
            return self.item is not None and self.item["source_kind"] == "rating"
        if action != "act":
            return True
        if self.item is None:
            return False
        return str(parameters[0]) in actions_for(self.desk.role, self.item)

    def action_open_case(self) -> None:
        """o: the rated case's page, as the county's 办件 opens it. Not Enter: the timeline
        has the focus as the page opens, and the second of two Enters on the list (pressed
        twice, or the key repeating) opened the case over the item. Enter on the timeline
        does nothing, as on the review page's body when it opens."""
        if self.item is not None and self.item["source_kind"] == "rating":
            self._open_case(str(self.item["source_number"]))

    @work(thread=True, exclusive=True, group="case", exit_on_error=False)
    def _open_case(self, number: str) -> None:
        show_case(self, self.desk, number)

    def action_act(self, action: str) -> None:
        """Ask for what the act needs, then send it to the centre."""
        spec = self._form(action)

        def answered(answer: object | None) -> None:
            if isinstance(answer, dict):
                self._send(action, answer)

        check = _one_unit if action == "assign" else None
        if action in ("visited", "fed_back"):
            check = partial(_not_before, _last_step(self.item))
        self.app.push_screen(LoopForm(ACTION_KEYS[action][1], spec, check), answered)

    def _form(self, action: str) -> list[Field]:
        now = china_now().strftime("%Y-%m-%d %H:%M")
        how = [(h, h) for h in HOW]
        if action == "assign":
            townships = self.loops.townships()
            return [Field("unit", _("Township 乡镇"), townships, required=False),
                    Field("department", _("or a county department 县直部门"), required=False)]  # fmt: skip
        if action == "visited":
            return [Field("when", _("When"), value=now), Field("how", _("How"), how),
                    Field("found", _("What was found 核实情况"))]  # fmt: skip
        if action == "rectified":
            return [Field("what", _("What was done 整改措施"))]
        if action == "fed_back":
            return [Field("when", _("When"), value=now), Field("how", _("How"), how),
                    Field("response", _("The resident's response 群众意见"))]  # fmt: skip
        if action == "decide":
            choices = [(_("Overturn the 差评 撤销差评"), "1"), (_("Uphold it 维持差评"), "0")]
            return [
                Field("overturn", _("Decision"), choices),
                Field("note", _("Note"), required=False),
            ]
        if action == "appeal":
            return [Field("text", _("Why the 差评 is mistaken"))]
        return [Field("text", _("Note"), required=False)]

    @work(thread=True, exclusive=True, group="loops", exit_on_error=False)
    def _send(self, action: str, answer: dict[str, str]) -> None:
        body: dict[str, Any] = dict(answer)
        if action == "assign":
            names = {code: name for name, code in self.loops.townships()}
            if answer.get("unit"):
                body = {"unit_kind": "township", "unit": answer["unit"],
                        "unit_name": names.get(answer["unit"], answer["unit"])}  # fmt: skip
            else:
                department = answer.get("department", "")
                body = {"unit_kind": "department", "unit": department, "unit_name": department}
        elif action == "decide":
            body = {"overturn": answer["overturn"] == "1", "note": answer.get("note", "")}
        self.loops.act(self.item_id, action, body)  # CentreError: the one error dialog
        self.post_message(
            self.Loaded(self.loops.item(self.item_id), _("Saved at the county centre."))
        )

    def action_back(self) -> None:
        """Back to the list."""
        self.dismiss(None)


class Field:
    """One input of a :class:`LoopForm`: a text, or a choice when ``choices`` is given."""

    def __init__(
        self,
        key: str,
        label: str,
        choices: list[tuple[str, str]] | None = None,
        *,
        required: bool = True,
        value: str = "",
    ) -> None:
        self.key, self.label, self.choices = key, label, choices
        self.required, self.value = required, value


class LoopForm(_Form):
    """A compact dialog for one 闭环 act: its inputs, Enter (in a box) or F9 to send, Escape
    to cancel.

    Enter sends, as in the county's other dialogs (新码, 新建账号): an administrator who
    typed a note and pressed Enter was left on the OK button, nothing sent. What is still
    missing is said instead, naming the box, and the focus goes there; a second quick Enter
    never sends twice (``DeskModal.dismiss`` answers once).
    """

    CSS_PATH = [CSS / "review.tcss", CSS / "loops.tcss"]  # type: ignore[assignment]
    enter_answers = True

    def __init__(
        self,
        title: str,
        fields: list[Field],
        check: Callable[[dict[str, str]], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.check = check
        """What is wrong with the values as a whole (None: nothing), said in the form."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="heading")
            for field in self.fields:  # each box drawn (bordered): a compact one was invisible
                yield Label(field.label, classes="field-name")
                if field.choices is not None:
                    yield Select(field.choices, id=f"f-{field.key}", prompt="—")
                else:
                    # not selected when focused: the first box has the focus before the
                    # base's on_mount turns selection off, and the first key typed replaced
                    # the prefilled time whole
                    yield Input(field.value, id=f"f-{field.key}", select_on_focus=False)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query(".dialog Input, .dialog Select").first().focus()

    def answer(self) -> object | None:
        values: dict[str, str] = {}
        for field in self.fields:
            widget = self.query_one(f"#f-{field.key}")
            if isinstance(widget, Select):
                chosen = widget.value
                values[field.key] = "" if chosen is Select.NULL else str(chosen)
            else:
                values[field.key] = self.value(f"#f-{field.key}")
        problem = self.check(values) if self.check is not None else None
        if problem:
            self.say(problem)
            return None
        missing = [f for f in self.fields if f.required and not values[f.key]]
        if missing or not any(values.values()):
            first = missing[0] if missing else self.fields[0]
            what = "、".join(f.label for f in missing) or first.label
            self.say(_("Fill in: {what}").format(what=what), f"#f-{first.key}")
            return None
        for field in self.fields:
            if field.key == "when" and values[field.key] and not _a_moment(values[field.key]):
                self.say(
                    _("{field}: not a date and time like {example}").format(
                        field=field.label, example=field.value or "2026-12-05 09:30"
                    ),
                    f"#f-{field.key}",
                )
                return None
            if field.key == "when" and values[field.key] and _later_than_now(values[field.key]):
                self.say(
                    _("{field}: later than now; record it once it has happened").format(
                        field=field.label
                    ),
                    f"#f-{field.key}",
                )
                return None
        return values


def _one_unit(values: dict[str, str]) -> str | None:
    """分派 goes to a township or a county department, one of them: with both filled, the
    department was dropped without a word (walkthrough)."""
    township, department = values.get("unit", ""), values.get("department", "").strip()
    if township and department:
        return _("Choose a township or type a county department, not both.")
    if not (township or department):
        return _("Choose a township, or type a county department.")
    return None


def _last_step(item: dict[str, Any] | None) -> datetime | None:
    """When the item's latest step was recorded, in China time (naive, as typed)."""
    times = [step["at"] for step in (item or {}).get("steps", []) if step.get("at")]
    times += [item["created_at"]] if item and item.get("created_at") else []
    if not times:
        return None
    latest = max(datetime.fromisoformat(at) for at in times)
    return latest.astimezone(CHINA).replace(tzinfo=None)


def _not_before(earliest: datetime | None, values: dict[str, str]) -> str | None:
    """A 回访 or 反馈 dated before the item's last step (one at 12:00 for an item made at
    18:27 and assigned at 18:30 was recorded): said in the form."""
    moment = _moment(values.get("when", ""))
    if earliest is None or moment is None or moment >= earliest.replace(second=0, microsecond=0):
        return None
    return _("When: before the item's last step ({at}); give the time it happened").format(
        at=earliest.strftime("%Y-%m-%d %H:%M")
    )


def _a_moment(text: str) -> bool:
    """Whether ``text`` is a real date and time as the form asks for it (2026-12-05 09:30)."""
    return _moment(text) is not None


def _moment(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _later_than_now(text: str) -> bool:
    """Whether the time typed (China time) is still to come: a visit or a feedback is
    recorded once it happened (one dated months ahead was accepted)."""
    moment = _moment(text)
    return moment is not None and moment > china_now().replace(tzinfo=None) + SLACK


SLACK = timedelta(minutes=5)
"""A clock a few minutes fast is not a time to come."""
