"""The take-in's draft: saved on every change, discarded on request, never kept empty.

Also the 授权委托书 that a relative or an agent signs before the take-in. The
take-in screen (station/screens/intake.py) builds on this.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.widgets import Button

from forms.validation import Problem
from station.i18n import _
from station.screens.intake_review import letter_problems
from station.screens.intake_scans import ScanAttaching
from station.widgets.fields import FieldEditor

FORGOTTEN = 1 << 62
"""The saved revision of a draft taken in or deleted: no later save may write it again."""


class DraftKeeping(ScanAttaching):
    """A take-in whose draft is written on every change (one durable commit each)."""

    item: Any
    _save_lock: threading.Lock
    _revision: int
    _saved_revision: int
    _edited_revision: int
    """The last revision that changed what the draft holds (not only its step)."""
    _kept: dict[str, Any]
    """The draft as last given to be written (or as it was opened)."""

    def _save(self) -> None:
        """Write the draft if it differs from what was last given to be written: a widget
        giving its first value as it mounts (a reopened draft's materials) is no change.
        A move to another step is written (the draft reopens there), but the draft keeps
        the time it was last changed: opening one to look at it moved it up the list."""
        data = self.draft.to_data()
        if data == self._kept:
            return
        self._revision += 1
        if _held(data) != _held(self._kept):
            self._edited_revision = self._revision
        self._kept = data
        self._write_draft(self._revision, data)

    @work(thread=True, group="draft", exit_on_error=False)
    def _write_draft(self, revision: int, data: dict[str, Any]) -> None:
        """One durable commit per change; an older revision never overwrites a newer one."""
        with self._save_lock:
            if revision <= self._saved_revision:
                return
            changed = self._edited_revision > self._saved_revision
            self.desk.store.save_draft(self.draft.draft_id, data, changed=changed)
            self._saved_revision = revision

    def on_unmount(self) -> None:
        """The screen goes (home, or the desk closing): what was typed last is written now,
        on this thread. A write still queued as a worker when the app shuts down is
        cancelled before it starts, and the desk then closes the store: the last keys
        typed were lost (a take-in or a discarded draft has set its revision out of reach)."""
        with self._save_lock:
            if self._saved_revision >= FORGOTTEN:
                return
            if self.draft.untouched():  # an item chosen and the desk closed: as Esc does
                self.desk.store.delete_draft(self.draft.draft_id)
                self._saved_revision = FORGOTTEN
            elif self._revision > self._saved_revision:
                changed = self._edited_revision > self._saved_revision
                self.desk.store.save_draft(
                    self.draft.draft_id, self.draft.to_data(), changed=changed
                )
                self._saved_revision = self._revision

    def action_leave(self) -> None:
        """Back to the home screen; the draft stays saved (one with nothing given beyond
        its item is not kept)."""
        if self.draft.untouched():  # the screen closes once the draft is gone
            # an item chosen and nothing more: said, so nobody looks for it under 草稿
            chosen = not self.draft.is_empty()
            self._forget_draft(_("Nothing was typed, so no draft is kept.") if chosen else "")
            return
        self.dismiss(None)
        # said, not silent: the agent may think what was typed is gone (walkthrough)
        self.app.notify(_("The draft is kept: home shows it under 草稿, to go on with later."))

    def action_discard(self) -> None:
        """删除草稿, after a confirmation: nothing of this take-in is kept."""
        from station.screens.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._forget_draft(_("Draft discarded."))

        question = _("Discard this draft? What was typed is deleted.")
        self.app.push_screen(ConfirmDialog(question, default=False), answered)  # 否 first

    def _forget_draft(self, note: str = "") -> None:
        """Delete the draft, then close the screen (home reads its list after the delete)."""
        with self._save_lock:
            self._saved_revision = FORGOTTEN  # no late save may bring the draft back
        self._delete_draft(note)

    @work(thread=True, group="draft", exit_on_error=False)
    def _delete_draft(self, note: str) -> None:
        with self._save_lock:
            self.desk.store.delete_draft(self.draft.draft_id)
        self.app.call_from_thread(self._closed_after_delete, note)

    def _closed_after_delete(self, note: str) -> None:
        self.dismiss(None)
        if note:
            self.app.notify(note)

    if TYPE_CHECKING:  # provided by the take-in screen

        async def _go_to_first_error(self, problems: list[Problem]) -> None:
            """Open the step of the first error and put the cursor in its field."""

    @on(Button.Pressed, "#authorization")
    async def action_authorization(self) -> None:
        """授权委托书 for a take-in not filed by the resident in person.

        Not while a name or ID number it carries is empty or wrong: it printed a 17-digit
        ID number, or the signed-in agent with a blank ID line when nobody was entered.
        What was typed stays; each field in the way is named and the first takes the cursor.
        """
        if self.draft.relation == "self" or self.item is None:
            self.notify(_("Only needed when someone files for the applicant."))
            return
        if self.draft.relation == "guardian":
            self.notify(
                _(
                    "A guardian acts by law and signs no authorization letter; check the proof of guardianship."
                )
            )
            return
        problems = letter_problems(self.draft, self.item, self.desk.clock().date())
        if problems:
            self._refuse_letter(problems)
            await self._go_to_first_error(problems)
            return
        self._print_authorization(self.draft.to_data())

    def _refuse_letter(self, problems: list[Problem]) -> None:
        by_path = {p.field: p.message for p in problems}
        for editor in self.query(FieldEditor):
            if editor.path in by_path:
                editor.set_message(by_path[editor.path])
        lines = [_("The authorization letter was not printed; first correct:")]
        lines += [f"✗ {p.message}" for p in problems]
        if self.draft.relation == "agent" and not any(self.draft.principal.values()):
            lines.append(
                _(
                    "When the station's agent is the one entrusted, type the agent's own "
                    "name and ID number as the representative."
                )
            )
        self.notify("\n".join(lines), severity="warning", timeout=10)

    @work(thread=True, group="paper", exit_on_error=False)
    def _print_authorization(self, data: dict[str, Any]) -> None:
        from station.services.paper import print_authorization

        outcome = print_authorization(self.desk, data, self.item)
        self.app.call_from_thread(self.notify, outcome.text())


def _held(data: dict[str, Any]) -> dict[str, Any]:
    """What a draft's data holds, the step it is at aside."""
    return {key: value for key, value in data.items() if key != "step"}
