"""One row of the materials checklist: provided / deferred (容缺, with a date) / shared / missing.

A 容缺 deadline is checked as typed (a real date, after today, not past the
item's limit) and a wrong one is named under the row; the typed text stays as
it is, and travels up as ``supply_text`` so the take-in can refuse it by name
instead of dropping it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label, Select, Static

from forms.catalog.model import MaterialSpec, ServiceItem
from forms.clock import china_today
from forms.fieldtypes import to_date
from forms.validation import supply_by_problem, supply_limit
from station.i18n import _
from station.widgets.dropdown import Dropdown


def state_options(spec: MaterialSpec) -> list[tuple[str, str]]:
    """The states this material may take, as (label, value) for a Select."""
    options = [(_("provided 已提交"), "provided")]
    if spec.deferrable:
        options.append((_("deferred 容缺"), "deferred"))
    if spec.shareable:
        options.append((_("shared 免提交"), "shared"))
    options.append((_("missing 未提交"), "missing"))
    return options


class MaterialRow(Vertical):
    """A material's name, what it must be, its state and (when deferred) the date to supply it."""

    DEFAULT_CSS = """
    MaterialRow { height: auto; margin-bottom: 1; }
    MaterialRow Horizontal { height: auto; }
    MaterialRow Select { width: 24; }
    MaterialRow Input { width: 24; margin-left: 2; }
    MaterialRow .hidden { display: none; }
    """

    needed: reactive[bool] = reactive(False, init=False)
    """Whether this application must bring it now: a required material, or one a rule asks
    for while its condition holds (代办人身份证 when a relative files). The screen sets it
    as the form changes (attributes down); the row's words follow: 必交 or 视情况."""

    class Changed(Message):
        """State or supply date changed."""

        def __init__(
            self, key: str, state: str, supply_by: date | None, supply_text: str = ""
        ) -> None:
            super().__init__()
            self.key = key
            self.state = state
            self.supply_by = supply_by
            """The deadline when the text is a real date, else None."""
            self.supply_text = supply_text
            """The deadline exactly as typed (hand this to the take-in: it is checked there)."""

    def __init__(
        self,
        spec: MaterialSpec,
        state: str,
        supply_by: date | str | None,
        *,
        item: ServiceItem | None = None,
        today: date | None = None,
        needed: bool | None = None,
        id: str | None = None,
    ) -> None:
        """A row; with ``item`` and ``today`` the deadline is checked against the item's limit.
        ``needed``: whether the application must bring it (default: the catalog's ``required``)."""
        super().__init__(classes="material", id=id)
        self.set_reactive(MaterialRow.needed, spec.required if needed is None else needed)
        self.spec = spec
        self.initial_state = state
        self.initial_supply_by = supply_by
        self.item = item
        self.today = today
        self._error = ""

    def _title(self) -> str:
        spec = self.spec
        kind = _("original") if spec.original else _("copy")
        need = _("required") if self.needed else _("if applicable")
        return f"{spec.name}  ({kind} ×{spec.copies}, {need})"

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="field-label material-title")
        with Horizontal():
            yield Dropdown(
                state_options(self.spec),
                value=self.initial_state,
                allow_blank=False,
                id="state",
                compact=True,
            )
            initial = self.initial_supply_by
            supply = initial.isoformat() if isinstance(initial, date) else (initial or "")
            yield Input(
                supply,
                placeholder=self._supply_hint(),
                id="supply-by",
                classes="" if self.initial_state == "deferred" else "hidden",
                compact=True,
            )
        yield Static("", classes="field-message hidden")

    def watch_needed(self) -> None:
        self.query_one(".material-title", Label).update(self._title())

    @property
    def state(self) -> str:
        """provided | deferred | shared | missing."""
        return str(self.query_one("#state", Select).value)

    @property
    def supply_text(self) -> str:
        """The 容缺 deadline exactly as typed ("" when none or not deferred)."""
        if self.state != "deferred":
            return ""
        return self.query_one("#supply-by", Input).value.strip()

    def _supply_hint(self) -> str:
        """What the empty deadline box says: the day a blank one gets (the item's default;
        the agent could not see it, and the receipt printed a day nobody had typed)."""
        if self.item is None:
            return _("supply by YYYY-MM-DD")
        day = supply_limit(self.item, self.today or china_today())
        return _("blank: {day}").format(day=day.isoformat())

    @property
    def supply_by(self) -> date | None:
        """The 容缺 deadline typed, when it is a date."""
        return to_date(self.supply_text or None)

    @property
    def has_error(self) -> bool:
        """Whether an error is shown under the row."""
        return bool(self._error)

    def focus_input(self) -> None:
        """Put the cursor on the deadline (when deferred) or the state, scrolled into view."""
        target = "#supply-by" if self.state == "deferred" and self._error else "#state"
        self.query_one(target).focus()
        self.scroll_visible(animate=False)

    def check(self) -> str:
        """Check the deadline as typed and show the message; returns it ("" when fine)."""
        day = self.today or china_today()
        message = supply_by_problem(self.item, self.spec, self.state, self.supply_text, day)
        self.set_message(message or "")
        return message or ""

    def set_message(self, message: str) -> None:
        """Show what is wrong with this material ("" clears it)."""
        line = self.query_one(".field-message", Static)
        line.update(message)
        line.set_class(not message, "hidden")
        self._error = message

    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, event: Any) -> None:
        event.stop()
        self.query_one("#supply-by", Input).set_class(self.state != "deferred", "hidden")
        self.check()
        self.post_message(self.Changed(self.spec.key, self.state, self.supply_by, self.supply_text))
