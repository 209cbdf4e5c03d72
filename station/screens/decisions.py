"""The reviewer's decision dialogs: each returns what was decided (typed), or None.

They only collect and check that something was said; the rules (lifecycle, role,
handling path, payload) are the services'. F9 or the OK button decides; Enter in a box
goes on to the next one (a reviewer's Enter after typing a reason refused a case
outright, with the boxes after it never seen). Escape cancels, asking first when
something was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
    TextArea,
)

from station.i18n import _
from station.screens.base import DeskModal
from station.screens.dialogs import ConfirmDialog, leave_when_sure
from station.services.deciding import LICENSING_BASIS, NOT_OUR_REMIT, PAUSE_KINDS
from station.widgets.carry import carry, typed
from station.widgets.dropdown import Dropdown
from station.widgets.number import NumberInput
from station.widgets.paragraph import ParagraphBox, numbers_unbroken
from station.widgets.tick import Tick

COMMON_REJECTIONS = (
    "申请事项依法不属于本机关职权范围",
    "申请人不具备申请资格",
    "申请事项依法不需要取得行政许可",
    "申请人隐瞒有关情况或者提供虚假材料",
)
"""不予受理: the reasons reviewers give most (free text is allowed too)."""
DUPLICATE_REJECTION = "重复申请：该申请人的此事项已在办理或已办结"
NOT_A_PERMIT = "申请事项依法不需要取得行政许可"


HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""A Chinese character (汉字: the unified ideographs, extension A, compatibility)."""

LONGEST = 200
"""Characters a decision's text box may hold: what its paper prints on one page with the
rest of the notice (reason, basis, where to apply, each box apart)."""


def _box_name(box: Input | ParagraphBox) -> str:
    """The name written over a text box (its ``Label`` before it), or ``""``."""
    parent = box.parent
    if parent is None:
        return ""
    before = list(parent.children)[: list(parent.children).index(box)]
    label = next((w for w in reversed(before) if isinstance(w, Label)), None)
    return str(label.render()).strip().rstrip("：:") if label is not None else ""


def rejection_reasons(*, licensing: bool, duplicate: Sequence[str] = ()) -> list[str]:
    """The common reasons offered for this case: 重复申请 first when the page warns of one
    (it was not offered at all), 不需要取得行政许可 only for a 行政许可 item."""
    reasons = [r for r in COMMON_REJECTIONS if licensing or r != NOT_A_PERMIT]
    if not duplicate:
        return reasons
    # the paper names the earlier case (it said only 已在办理或已办结: which one, the
    # resident could not tell)
    return [f"{DUPLICATE_REJECTION}（{'、'.join(duplicate)}）", *reasons]


DEFAULT_BASIS = LICENSING_BASIS
"""The legal basis most refusals cite (editable)."""

Confirm = Callable[[dict[str, str | None]], str | None]
"""The question asked before an answer that cannot be taken back (None: none asked)."""

RESULT_CHOICES = (
    ("approved", "通过"),
    ("denied", "不通过"),
    ("approved_deferred", "容缺通过"),
)


@dataclass
class ReturnAnswer:
    """退回补正: the general reason, the ticked items and each one's reason."""

    reason: str
    paths: list[str]
    reasons: dict[str, str] = field(default_factory=dict)
    allow_more: bool = False


class _Form(DeskModal[object]):
    """A dialog with OK/Cancel buttons, F9 to confirm and Escape to cancel."""

    CSS_PATH = Path(__file__).resolve().parent.parent / "themes" / "review.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel")), Binding("f9", "ok", _("OK"))]

    confirm: Confirm | None = None
    """Asked (Enter and Esc: no) before an answer that cannot be taken back is given."""
    enter_answers: bool = False
    """Whether Enter in a one-line box answers as F9 does (a 闭环 act's compact form), rather
    than going on to the next box (a decision: an Enter meant for a field refused a case)."""
    blamed: tuple[str, object] | None = None
    """The box the message names and what it held then: the message goes once it changes."""

    def buttons(self) -> ComposeResult:
        yield Static("", id="form-message", classes="error")
        ok = _("OK (Enter / F9)") if self.enter_answers else _("OK (F9)")  # the keys that answer
        with Horizontal():
            yield Button(ok, id="ok", variant="primary", compact=True)
            yield Button(_("Cancel (Esc)"), id="cancel", compact=True)

    def say(self, message: str, box: str | None = None) -> None:
        """Show what is missing, the focus on ``box`` (the one the message names): the keys
        typed next went to the box the reviewer was in, and were lost."""
        self.query_one("#form-message", Static).update(message)
        self.blamed = None
        if box is not None:
            widget = self.query_one(box)
            widget.focus()
            self.blamed = (widget.id or "", getattr(widget, "value", None))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _blamed_box_changed(self, event: Input.Changed | Select.Changed | TextArea.Changed) -> None:
        """The box the message named was changed: the message no longer holds."""
        widget: Widget
        if isinstance(event, TextArea.Changed):
            widget, value = event.text_area, getattr(event.text_area, "value", None)
        else:
            widget = event.input if isinstance(event, Input.Changed) else event.select
            value = event.value
        if self.blamed is None:
            return
        name, held = self.blamed
        if widget.id == name and value != held:
            self.say("")

    def value(self, selector: str) -> str:
        """An input's text, stripped."""
        box = self.query_one(selector)
        assert isinstance(box, Input | ParagraphBox), selector
        return box.value.strip()

    def unclear(self, text: str, selector: str, name: str | None = None) -> bool:
        """Whether ``text``, which goes onto the paper, says nothing a resident can read,
        said naming its box (``name``, else the label over it). A trial's reviewer typed
        ``Z`` and the 补正告知书 printed 经审查，Z。; ``1`` reached 不予受理's last question.
        Two Chinese characters at least: the shortest reason a notice can give (缺件)."""
        parts = [part for part in re.split(r"[；;]", text) if part.strip()]
        if parts and all(len(HANZI.findall(part)) >= 2 for part in parts):
            return False  # each part: a Z typed after a 常见原因 went on paper as ；Z
        box = self.query_one(selector, Input)
        label = name or _box_name(box) or _("This box")
        message = _("{box}: write it out in Chinese (two characters at least); it is printed"
                    " on the notice the resident gets.").format(box=label)  # fmt: skip
        self.say(message, selector)
        return True

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        """Check and answer (each dialog's :meth:`answer`)."""
        if self._too_long():
            return
        answer = self.answer()
        if answer is None:
            return
        question = (
            self.confirm(answer) if self.confirm is not None and isinstance(answer, dict) else None
        )
        if question is None:
            self.dismiss(answer)
            return

        def answered(yes: bool | None) -> None:
            if yes:  # no: back to the form, everything typed kept
                self.dismiss(answer)

        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        """Enter in a text box goes on to the next box: a decision is made with F9 or its
        button, never by an Enter meant for a field. Where Enter answers
        (:attr:`enter_answers`), it checks and answers as F9 does; what is missing is said,
        naming the box, with everything typed kept. (A paragraph box is no ``Input``: Enter
        there is a new line.)"""
        if self.enter_answers:
            self.action_ok()
        else:
            self.focus_next()

    def answer(self) -> object | None:
        """What was decided, or None after saying what is missing."""
        raise NotImplementedError

    def _too_long(self) -> bool:
        """Whether a box holds more than a paper can print, said (naming the box): a
        950-character reason ran the 特别程序告知书 onto a second page that held only the
        signature lines, cut off from the seal and the date."""
        for box in self.boxes():
            length = len(box.value.strip())
            if length > LONGEST:
                name = _box_name(box)
                message = _("{box}: at most {most} characters ({n} now). Say it briefly; the"
                            " rest can go on a paper of its own.").format(
                    box=name or _("This box"), most=LONGEST, n=length
                )  # fmt: skip
                self.say(message, f"#{box.id}" if box.id else None)
                return True
        return False

    def typed(self) -> bool:
        """Whether the reviewer typed anything here (a box's text other than its start)."""
        started: dict[str, str] = getattr(self, "started", {})
        return any(box.value.strip() != started.get(box.id or "", "") for box in self.boxes())

    def boxes(self) -> list[Input | ParagraphBox]:
        """The dialog's text boxes, one line or a paragraph."""
        return [
            box
            for box in self.query("Input, ParagraphBox")
            if isinstance(box, Input | ParagraphBox)
        ]

    def on_mount(self) -> None:
        """What each box held to start with (a prefilled basis or department is not typed).
        A box reached by Tab keeps its text, the cursor at its end: selected whole, the
        first key typed replaced a prefilled legal basis, which then went on paper."""
        self.started = {box.id or "": box.value.strip() for box in self.boxes()}
        for box in self.query(Input):
            box.select_on_focus = False

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Leave without deciding; asked first when something was typed (Enter and Esc: stay)."""
        question = _("Leave without deciding? What you typed is not kept.")
        leave_when_sure(self, self.typed(), question)


class AcceptDialog(_Form):
    """受理: confirm, printing the 受理通知书 unless unticked. Answers ``{"print": bool}``.

    The notice is ticked to start with: the law asks for a written, dated certificate of
    acceptance (行政许可法 第三十二条), as for a return or a refusal, which always print.
    P ticks and unticks it while OK keeps the focus (Enter accepts)."""

    BINDINGS = [Binding("p,P", "toggle_print", _("Print notice"), show=False)]  # as labelled: P

    def __init__(self, case_number: str, warning: str = "") -> None:
        super().__init__()
        self.case_number = case_number
        self.warning = warning
        """Said above the question (重复申请), or nothing."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                _("Accept case {number}?").format(number=self.case_number), classes="heading"
            )
            if self.warning:
                yield Static("⚠ " + numbers_unbroken(self.warning), classes="error")
            yield Tick(
                _("Print the acceptance notice 受理通知书 (P)"),
                value=True,
                id="print",
                compact=True,
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def action_toggle_print(self) -> None:
        """P: tick or untick the notice."""
        self.query_one("#print", Checkbox).toggle()

    def answer(self) -> object | None:
        return {"print": self.query_one("#print", Checkbox).value}


class ReturnDialog(_Form):
    """退回补正: tick the materials and fields to correct, each with its reason."""

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        """Args: choices: (path, label) of every material and field that may be named."""
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label(_("Return for correction 退回补正"), classes="heading")
            # each box under its name (as 不予受理's): a placeholder alone went once typed in
            yield Label(_("Why (as the resident will read it)"), classes="field-name")
            yield Input(id="reason", compact=True)
            yield Label(
                _("What is to be corrected: tick it, its reason beside it"), classes="field-name"
            )
            with VerticalScroll(id="return-items", can_focus=False):  # Tab goes to the items
                for index, (_path, label) in enumerate(self.choices):
                    with Horizontal(classes="return-row"):
                        yield Tick(label, id=f"tick-{index}", compact=True)
                        yield Input(placeholder=_("reason"), id=f"why-{index}", compact=True)
            yield Tick(_("Let the village correct other items too"), id="allow-more", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Changed)
    def _tick_with_reason(self, event: Input.Changed) -> None:
        """Typing an item's reason ticks it."""
        if event.input.id and event.input.id.startswith("why-") and event.value.strip():
            self.query_one(f"#tick-{event.input.id[4:]}", Checkbox).value = True

    def on_key(self, event: events.Key) -> None:
        """A character typed on an item's tick is the start of its reason: the item is
        ticked and the character goes into its reason box (typed on the tick, it was
        lost without a word).

        The rest of a word typed in a burst was sent to the tick too (the focus moves
        after the key that moved it), and reaches here once the reason box has the
        focus: it goes into that box, after the first character. An ``Input`` keeps the
        characters typed into it, so a character that reaches here with a reason box
        focused was typed on its tick (the rest of ``abcdefgh`` was lost, and only
        ``a`` was written)."""
        focused = self.focused
        name = focused.id or "" if focused is not None else ""
        character = typed(event)
        if character is None:
            return
        if name.startswith("tick-"):
            carry(event, character, self.query_one(f"#why-{name[5:]}", Input))
        elif name.startswith("why-") and isinstance(focused, Input):
            carry(event, character, focused)

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        """A tick answers "tick what is to be corrected": that hint goes."""
        if event.value:
            self.say("")

    def answer(self) -> object | None:
        paths, reasons = [], {}
        for index, (path, _label) in enumerate(self.choices):
            if self.query_one(f"#tick-{index}", Checkbox).value:
                paths.append(path)
                why = self.value(f"#why-{index}")
                if why:
                    reasons[path] = why
        reason = self.value("#reason") or "；".join(reasons.values())
        if not paths:
            self.say(_("Tick what is to be corrected."), "#tick-0" if self.choices else None)
            return None
        if not reason:
            self.say(_("A reason is required."), "#reason")
            return None
        if self.value("#reason") and self.unclear(self.value("#reason"), "#reason"):
            return None
        for index, (path, label) in enumerate(self.choices):  # each printed beside its item
            if path in reasons and self.unclear(reasons[path], f"#why-{index}", label):
                return None
        allow_more = self.query_one("#allow-more", Checkbox).value
        return ReturnAnswer(reason, paths, reasons, allow_more)


class RejectDialog(_Form):
    """不予受理: a reason (common ones offered), the legal basis (``basis`` to start with:
    ``station.services.deciding.rejection_basis``), where to apply instead."""

    def __init__(
        self,
        basis: str = DEFAULT_BASIS,
        confirm: Confirm | None = None,
        reasons: Sequence[str] = COMMON_REJECTIONS,
    ) -> None:
        super().__init__()
        self.basis = basis
        self.confirm = confirm
        self.reasons = list(reasons)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label(_("Reject 不予受理"), classes="heading")
            yield Dropdown(
                [(r, r) for r in self.reasons],
                prompt=_("Common reasons"),
                id="common",
                compact=True,
            )
            # each box under its name: a placeholder alone vanished once typed in, and the
            # reviewer could not tell which box the keys went to
            yield Label(_("Reason (or choose one above)"), classes="field-name")
            yield Input(id="reason", compact=True)
            yield Label(_("Legal basis"), classes="field-name")
            yield ParagraphBox(self.basis, id="basis")  # all of it in sight: it goes on paper
            yield Label(_("Where to apply instead"), classes="field-name")
            yield Input(id="instead", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Select.Changed, "#common")
    def _chosen(self, event: Select.Changed) -> None:
        """A common reason goes into the box; what the reviewer typed there stays after it
        (it was replaced without a word). One common reason replaces another."""
        if isinstance(event.value, str):
            box = self.query_one("#reason", Input)
            kept = box.value.strip()
            for common in self.reasons:  # the common reason chosen before: replaced
                if kept == common or kept.startswith(f"{common}；"):
                    kept = kept[len(common) + 1 :]
                    break
            box.value = f"{event.value}；{kept}" if kept else event.value
            self.say("")  # "a reason is required" no longer holds

    def answer(self) -> object | None:
        reason, instead = self.value("#reason"), self.value("#instead")
        if not reason:
            self.say(_("A reason is required."), "#reason")
            return None
        if self.unclear(reason, "#reason"):
            return None
        if NOT_OUR_REMIT in reason and not instead:
            # 行政许可法 第三十二条: the applicant is told which body to apply to
            self.say(
                _("Not within this office's remit: say where the applicant should apply instead."),
                "#instead",
            )
            return None
        return {"reason": reason, "basis": self.value("#basis"), "apply_instead": instead}


class Choice(RadioButton):
    """A radio button whose mark says its state without colour: ● chosen, ○ not (Textual
    draws ● for both and tells them apart by colour alone, lost on a monochrome screen)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # noqa: N802 - Textual's name
        """The mark for the current value."""
        return "●" if self.value else "○"


class ForwardDialog(_Form):
    """转办: to the deciding department of the handling path, or to another township."""

    def __init__(
        self,
        department: str,
        check: Callable[[str, str], str | None] | None = None,
        confirm: Confirm | None = None,
    ) -> None:
        """``check(code, name)``: why that township may not take the case (None: it may)."""
        super().__init__()
        self.department = department
        self.check = check
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog"):
            yield Label(_("Forward 转办"), classes="heading")
            with RadioSet(id="target"):
                yield Choice(_("To the deciding department"), value=True, id="to-department")
                yield Choice(_("To another township (区内通办)"), id="to-township")
            # each box named above it: the placeholders were their only names, gone once
            # typed in (the department's name fills the first one from the start)
            yield Label(_("Goes to (department or township name)"), classes="field-name")
            yield Input(
                value=self.department,
                placeholder=_("Department or township"),
                id="to",
                compact=True,
            )
            yield Label(_("Township division code (another township only)"), classes="field-name")
            yield Input(
                placeholder=_("Township division code (12 digits)"), id="division", compact=True
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#target", RadioSet).focus()  # where it goes is chosen first

    @on(Input.Changed, "#division")
    def _division_typed(self, event: Input.Changed) -> None:
        """A division code is a township's: typing one chooses 转至其他乡镇 (the code was
        ignored, and the case went to the department still chosen)."""
        if event.value.strip():
            self.query_one("#to-township", RadioButton).value = True

    @on(RadioSet.Changed, "#target")
    def _target_chosen(self, event: RadioSet.Changed) -> None:
        """The box names the department until another township is chosen: then it is
        that township's name to fill in (the department's stayed, and was recorded)."""
        box = self.query_one("#to", Input)
        township = event.pressed.id == "to-township"
        self.say("")  # a message about the other target (its 12-digit code) no longer holds
        if township and box.value.strip() == self.department:
            box.value = ""
        elif not township and not box.value.strip():
            box.value = self.department
        box.placeholder = _("Township name") if township else _("Department or township")

    def answer(self) -> object | None:
        to = self.value("#to")
        township = self.query_one("#to-township", RadioButton).value
        division = self.value("#division")
        if not township and division:
            self.say(
                _(
                    "A township division code is filled in, but the case is to go to the "
                    "deciding department: choose the other township, or clear the code."
                ),
                "#target",
            )
            return None
        if not to or (township and to == self.department):
            said = _("Say where the case goes.") if not township else _("Name the township.")
            self.say(said, "#to")
            return None
        if township and not (division.isdigit() and len(division) == 12):
            self.say(_("Give the township's 12-digit division code."), "#division")
            return None
        problem = self.check(division, to) if township and self.check else None
        if problem is not None:  # said here, what was typed kept
            self.say(problem, "#division")
            return None
        return {"to": to, "division": division if township else None}


class PauseDialog(_Form):
    """暂停: 公示 / 调查 / 鉴定, why and for how many days (the clock stops)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Pause for a special procedure 特别程序"), classes="heading")
            yield Label(_("Procedure"), classes="field-name")
            yield Dropdown(
                [(k, k) for k in PAUSE_KINDS],
                value=PAUSE_KINDS[0],
                allow_blank=False,
                id="kind",
                compact=True,
            )
            yield Label(_("Why"), classes="field-name")
            yield Input(id="reason", compact=True)
            yield Label(_("Expected days"), classes="field-name")
            yield NumberInput(id="days", what=_("Days expected"), compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    def answer(self) -> object | None:
        reason, days = self.value("#reason"), self.value("#days")
        if not reason:
            self.say(_("A reason is required."), "#reason")
            return None
        if self.unclear(reason, "#reason"):
            return None
        if days and not (days.isdigit() and 1 <= int(days) <= 365):
            self.say(_("Expected days: 1 to 365."), "#days")
            return None
        kind = self.query_one("#kind", Select).value
        return {"kind": str(kind), "reason": reason, "expected_days": int(days) if days else None}


class CompleteDialog(_Form):
    """办结: 通过 / 不通过 / 容缺通过 and a note; 容缺通过 first while materials are owed.

    The result has the focus first (Enter opens its list); Enter in the note goes on to
    OK, which closes the case only when pressed."""

    def __init__(self, owed: Sequence[str] = (), confirm: Confirm | None = None) -> None:
        super().__init__()
        self.note_for: str | None = None
        """The result chosen when the note was last typed."""
        self.confirm = confirm
        self.owed = list(owed)
        """Names of the 容缺 materials not yet supplied."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Complete 办结"), classes="heading")
            if self.owed:
                yield Static(
                    _("Deferred (容缺) materials still owed: {names}").format(
                        names="、".join(self.owed)
                    )
                )
            yield Dropdown(
                [(label, key) for key, label in RESULT_CHOICES],
                value="approved_deferred" if self.owed else "approved",
                allow_blank=False,
                id="result",
                compact=True,
            )
            yield Label(_("Note (required if not approved)"), classes="field-name")
            yield Input(id="note", compact=True)
            yield from self.buttons()

    def on_mount(self) -> None:
        self.query_one("#result", Select).focus()

    @on(Input.Changed, "#note")
    def _note_typed(self, _event: Input.Changed) -> None:
        """Remember the result the note was written under (a refusal's reason stays in the
        box when 通过 is chosen after it)."""
        self.note_for = str(self.query_one("#result", Select).value)

    def answer(self) -> object | None:
        from station.services.deciding import result_refusal

        result, note = str(self.query_one("#result", Select).value), self.value("#note")
        if result == "denied" and not note:
            self.say(_("Say why it is not approved."), "#note")
            return None
        if note and self.unclear(note, "#note"):  # printed on the 办结通知书
            return None
        refusal = result_refusal(result, self.owed)
        if refusal is not None:  # said here, with the dialog still open
            self.say(refusal, "#result")
            return None
        return {"result": result, "note": note, "note_for": self.note_for if note else None}
