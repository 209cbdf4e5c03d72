"""One row of the materials checklist: provided / deferred (容缺, with a date) / shared / missing."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from forms.catalog.model import MaterialSpec
from forms.fieldtypes import to_date
from station.i18n import _


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

    class Changed(Message):
        """State or supply date changed."""

        def __init__(self, key: str, state: str, supply_by: date | None) -> None:
            super().__init__()
            self.key = key
            self.state = state
            self.supply_by = supply_by

    def __init__(self, spec: MaterialSpec, state: str, supply_by: date | None) -> None:
        super().__init__(classes="material")
        self.spec = spec
        self.initial_state = state
        self.initial_supply_by = supply_by

    def compose(self) -> ComposeResult:
        spec = self.spec
        kind = _("original") if spec.original else _("copy")
        need = _("required") if spec.required else _("if applicable")
        yield Label(f"{spec.name}  ({kind} ×{spec.copies}, {need})", classes="field-label")
        with Horizontal():
            yield Select(
                state_options(spec),
                value=self.initial_state,
                allow_blank=False,
                id="state",
                compact=True,
            )
            supply = self.initial_supply_by.isoformat() if self.initial_supply_by else ""
            yield Input(
                supply,
                placeholder=_("supply by YYYY-MM-DD"),
                id="supply-by",
                classes="" if self.initial_state == "deferred" else "hidden",
                compact=True,
            )
        yield Static("", classes="field-message hidden")

    @property
    def state(self) -> str:
        """provided | deferred | shared | missing."""
        return str(self.query_one("#state", Select).value)

    @property
    def supply_by(self) -> date | None:
        """The 容缺 deadline typed, when it is a date."""
        return to_date(self.query_one("#supply-by", Input).value.strip() or None)

    def set_message(self, message: str) -> None:
        """Show what is wrong with this material (from the whole-application check)."""
        line = self.query_one(".field-message", Static)
        line.update(message)
        line.set_class(not message, "hidden")

    @on(Select.Changed)
    @on(Input.Changed)
    def _changed(self, event: Any) -> None:
        event.stop()
        self.query_one("#supply-by", Input).set_class(self.state != "deferred", "hidden")
        self.post_message(self.Changed(self.spec.key, self.state, self.supply_by))
