"""c 自定义 on the 看板: the period's first and last day, each in its own named box.

A date that cannot be read keeps the dialog open with everything typed, and the line
under the boxes names the box and what is wrong with it: one box holding both dates
closed on the first mistake, took the text with it, and called ``2026-13-01`` — a date
in the very shape asked for — a date in the wrong shape.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from station.i18n import _
from station.screens.base import DeskModal
from station.screens.dialogs import close_when_sure, typed_values
from station.services.dashboard import Period, custom_period
from station.themes import THEMES

_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
"""A date as people type it: ``2026-11-01``, also ``2026-11-1`` or ``2026/11/01``."""


class DateError(ValueError):
    """A typed date that is not one; the message names the box."""


def typed_date(text: str, field: str) -> date:
    """The date typed in the box named ``field``.

    Args:
        text: what the box holds.
        field: the box's name as shown (开始日期, 结束日期).

    Returns:
        The date.

    Raises:
        DateError: empty, not in the shape year-month-day, or a day that does not exist
            (the message names ``field`` and says which).
    """
    typed = text.strip()
    if not typed:
        raise DateError(_("{field}: type a date, e.g. 2026-11-01.").format(field=field))
    shape = _DATE.fullmatch(typed)
    year, month, day = (int(part) for part in shape.groups()) if shape else (0, 0, 0)
    if year < 1:  # year 0000 is no year either
        raise DateError(_("{field}: write it as 2026-11-01 (year-month-day).").format(field=field))
    if not 1 <= month <= 12:
        message = _("{field}: {text} does not exist (there is no month {month}).")
        raise DateError(message.format(field=field, text=typed, month=month))
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        message = _("{field}: {text} does not exist ({year}-{month:02d} has days 1 to {days}).")
        raise DateError(message.format(field=field, text=typed, year=year, month=month, days=days))
    return date(year, month, day)


class PeriodDialog(DeskModal[Period | None]):
    """The custom period: two dates, checked here; the period chosen, None when left."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [Binding("escape", "cancel", _("Cancel"))]

    def __init__(self, shown: Period) -> None:
        """Args: shown: the period on the board now (the boxes start with its days)."""
        super().__init__()
        self.shown = shown

    def compose(self) -> ComposeResult:
        with Vertical(classes="admin-dialog"):
            yield Label(_("Custom period 自定义时段"), classes="heading")
            with Horizontal(classes="field"):
                yield Label(_("First day"), classes="field-label")
                yield Input(self.shown.first.isoformat(), id="period-first")
            with Horizontal(classes="field"):
                yield Label(_("Last day"), classes="field-label")
                yield Input(self.shown.last.isoformat(), id="period-last")
            yield Static(_("Dates as 2026-11-01; both days count."), classes="muted")
            yield Static("", id="period-message", classes="error")
            with Horizontal():
                yield Button(_("OK (Enter)"), id="ok", variant="primary")
                yield Button(_("Cancel (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self.started = typed_values(self)
        self.query_one("#period-first", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        boxes = (("#period-first", _("First day")), ("#period-last", _("Last day")))
        days = []
        for selector, field in boxes:
            box = self.query_one(selector, Input)
            try:
                days.append(typed_date(box.value, field))
            except DateError as error:
                self._refuse(str(error), box)
                return
        if days[1] < days[0]:
            message = _("{field}: it is before the first day.").format(field=_("Last day"))
            self._refuse(message, self.query_one("#period-last", Input))
            return
        self.dismiss(custom_period(days[0].isoformat(), days[1].isoformat()))

    def _refuse(self, message: str, box: Input) -> None:
        """Say what is wrong under the boxes; the cursor goes to the box to mend."""
        self.query_one("#period-message", Static).update(message)
        box.focus()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        close_when_sure(self)
