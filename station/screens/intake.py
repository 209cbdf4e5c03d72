"""收件 (take-in), a guided flow: item → applicant → form → materials → review → take in.

Every change saves the draft (a worker, one durable commit), so nothing typed is
lost to a validation error, a closed window or a power cut; the draft is offered
back when the desk reopens.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    Checkbox,
    ContentSwitcher,
    Input,
    Label,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from forms.validation import (
    Problem,
    applicant_specs,
    check_application,
    has_errors,
    is_empty,
    needed_materials,
)
from station.i18n import _
from station.screens.base import scroll_bindings
from station.screens.context import Desk
from station.screens.dialogs import ConfirmDialog, MessageDialog
from station.screens.intake_draft import FORGOTTEN, DraftKeeping
from station.screens.intake_model import STEPS, IntakeDraft, fix_at, step_of
from station.screens.intake_review import (
    index_items,
    information_needed,
    review_text,
    search_items,
    unmet_conditions,
)
from station.services.cases import warm_name_search
from station.services.failures import desk_logger
from station.widgets.dropdown import Dropdown
from station.widgets.fields import FieldEditor
from station.widgets.footer import DeskFooter
from station.widgets.group import GroupEditor
from station.widgets.materials import MaterialRow
from station.widgets.scans import ScanPanel
from station.widgets.tick import Tick

STEP_TITLES = {
    "item": _("1 Item"),
    "applicant": _("2 Applicant"),
    "form": _("3 Form"),
    "materials": _("4 Materials"),
    "review": _("5 Review"),
}
RELATIONS = [
    (_("the applicant in person 本人"), "self"),
    (_("a relative 亲属代办"), "relative"),
    (_("a guardian 监护人代办"), "guardian"),
    (_("another person entrusted 受托人"), "agent"),
]
LETTER_RELATIONS = ("relative", "agent")
"""Who signs a 授权委托书 with the applicant; a guardian acts by law (法定代理), and a
newborn or a person without capacity signs nothing: the guardianship is proved instead."""

GUARDIAN_FIELDS = {"name": "fields.guardian_name", "phone": "fields.guardian_phone"}
"""The form's 监护人 fields a guardian filing for the applicant (监护人代办) fills in as well."""


def new_draft_id() -> str:
    """A fresh draft id (UUIDv7, so drafts list in the order they were begun)."""
    from sync.ids import new_id

    return str(new_id())


class IntakeScreen(DraftKeeping):
    """The guided take-in; dismissed with nothing (the home screen reloads)."""

    BINDINGS = [
        # priority: the step changes before the next key is routed (fast typing)
        Binding("f7", "previous", _("Previous step"), priority=True),
        Binding("f8", "next", _("Next step"), priority=True),
        Binding("f9", "take_in", _("Take in"), priority=True),
        Binding("f6", "authorization", _("Authorization letter")),
        # not in the footer (it would push F1 off at 80 columns): the check page and the
        # refused take-in say it when a required material is missing
        Binding("f4", "missing_notice", _("One-time notice"), show=False),
        Binding("ctrl+d", "discard", _("Discard draft"), show=False, priority=True),
        Binding("escape", "leave", _("Leave")),
        # the check page reads by the keyboard while the focus stays on 收件 (F9): what is
        # below the fold (elder mode, a long list of ✗) could not be reached without Tab
        *scroll_bindings("scroll_review"),
    ]

    class CatalogReady(Message):
        """The catalog was loaded (a worker)."""

        def __init__(self, catalog: Any) -> None:
            super().__init__()
            self.catalog = catalog

    class TakenIn(Message):
        """The case was written (exactly once) and its papers printed, or why they were not."""

        def __init__(self, case_number: str, papers: str) -> None:
            super().__init__()
            self.case_number = case_number
            self.papers = papers

    class Refused(Message):
        """The service refused the application; nothing was written."""

        def __init__(self, problems: list[Problem]) -> None:
            super().__init__()
            self.problems = problems

    def __init__(
        self, desk: Desk, *, draft_id: str | None = None, data: dict[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.desk = desk
        self.draft = IntakeDraft.from_data(draft_id or new_draft_id(), data or {})
        self.catalog: Any = None
        self.item: Any = None
        self._save_lock = threading.Lock()
        self._revision = 0
        self._saved_revision = 0
        self._edited_revision = 0
        self._kept = self.draft.to_data()
        self._taking_in = False
        """A take-in is running: F9 again does nothing (one draft, one case)."""
        self._duplicate_confirmed = False
        """The agent said to take it in although the applicant has an open case of the item."""
        self._name_confirmed = False
        """The agent said to take it in although the ID number is held here under another name."""
        self._name_held_said = False
        """The name shows that its ID number is held under another name."""
        self._wrong_said: tuple[tuple[str, str], ...] = ()
        """The wrong values F8 last stopped at (a second F8 on the same ones goes on)."""
        self.hold_keys()  # keys typed before the first step has the focus wait for it

    def compose(self) -> ComposeResult:
        today = self.desk.clock().date()
        yield Static("", id="intake-steps")
        yield Static(
            _("Fill in what you can; it is kept as you type. F8 goes on, F7 goes back."),
            classes="plain-hint",
        )
        with ContentSwitcher(id="intake-body", initial="step-item"):
            with Vertical(id="step-item"):
                yield Label(_("Which service item? Type to search"), classes="heading")
                yield Input(id="item-search", placeholder=_("name, pinyin initials or code"))
                yield OptionList(id="item-results")
            with VerticalScroll(id="step-applicant"):
                yield Label(_("Applicant 申请人"), classes="heading")
                for spec in applicant_specs("applicant"):
                    path = f"applicant.{spec.key}"
                    yield FieldEditor(spec, path, self.draft.applicant.get(spec.key), today=today)
                with Horizontal(id="relation-row"):
                    yield Label(_("Who comes to file"), classes="field-label")
                    yield Dropdown(
                        RELATIONS,
                        value=self.draft.relation,
                        allow_blank=False,
                        id="relation",
                        compact=True,
                    )
                with Horizontal(id="residence-row", classes="choice-row"):
                    yield Label(_("Registered in (户籍)"), classes="field-label")
                    yield Dropdown[str](
                        [], prompt=_("this township 本乡镇"), id="residence", compact=True
                    )
                with Vertical(id="principal-box"):
                    for spec in applicant_specs("principal"):
                        path = f"principal.{spec.key}"
                        value = self.draft.principal.get(spec.key)
                        yield FieldEditor(spec, path, value, today=today)
                    yield Button(
                        _("Print authorization letter (F6)"), id="authorization", compact=True
                    )
            yield VerticalScroll(id="step-form")
            yield VerticalScroll(id="step-materials")
            with VerticalScroll(id="step-review"):
                yield Label(_("Review before taking in"), classes="heading")
                yield Static("", id="review-summary")
                yield Static("", id="review-problems", classes="error")
        with Horizontal(id="intake-nav"):
            yield Button(_("Back F7"), id="previous", compact=True)
            yield Button(_("Next F8"), id="next", variant="primary", compact=True)
            yield Button(_("Take in F9"), id="take-in", variant="success", compact=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._show_principal()
        self._load_catalog()
        self.query_one("#item-search", Input).focus()

    # ---- catalog and item -------------------------------------------------------------

    @work(thread=True, exclusive=True, group="intake-catalog", exit_on_error=False)
    def _load_catalog(self) -> None:
        """The catalog and its search index, here and not on the screen's thread: the
        index's pinyin (pypinyin loads its tables, ~0.4 s) was computed at the first
        key typed into the search, and the screen stopped answering meanwhile. Then
        the case search's pinyin (~0.8 s more), which the first take-in would wait for."""
        catalog = self.desk.catalog()
        index_items(catalog)
        self.post_message(self.CatalogReady(catalog))
        try:
            warm_name_search()
        except Exception:  # noqa: BLE001 - only a head start: the take-in itself says why
            desk_logger(Path(self.desk.settings.data_dir)).warning(
                "the case search's pinyin was not loaded ahead", exc_info=True
            )

    async def on_intake_screen_catalog_ready(self, message: IntakeScreen.CatalogReady) -> None:
        self.catalog = message.catalog
        self._offer_townships()
        self._show_results("")
        if self.draft.item_code:
            await self._build_item(self.catalog.get(self.draft.item_code))
            self._kept = self.draft.to_data()  # a repeating group's empty rows are no change
        await self._go(self.draft.step if self.draft.item_code else 0)
        await self.release_keys()

    def holds_after(self, key: str) -> bool:
        """Enter on the item list builds the form: keys typed meanwhile wait for it.

        Only when Enter chooses an item: in the search box it always ends (an item, or
        the word that none matches), in the results list only on a highlighted item
        (on an empty list nothing would ever release the keys: the desk stopped
        answering, Ctrl+Q included)."""
        focused = self.focused
        if key == "enter" and focused is not None:
            if focused.id == "item-search":
                return True
            if focused.id == "item-results":
                return isinstance(focused, OptionList) and focused.highlighted is not None
        return super().holds_after(key)

    @on(Input.Changed, "#item-search")
    def _search(self, event: Input.Changed) -> None:
        event.stop()
        if self.catalog is not None:
            self._show_results(event.value)

    @on(Input.Submitted, "#item-search")
    async def _search_submitted(self) -> None:
        """Enter: the item highlighted in the results (the first found) is chosen, as in
        any search box; Down goes into the results to choose another. Nothing typed yet:
        into the results, nothing chosen. Nothing found: the search box says so and keeps
        the text."""
        results = self.query_one("#item-results", OptionList)
        if not self.query_one("#item-search", Input).value.strip() and results.option_count:
            # nothing typed: the whole catalog is listed, and Enter chose its first item
            # (城乡居民基本养老保险参保登记) for an agent who meant to go on: into the list
            results.highlighted = results.highlighted or 0
            results.focus()
            await self.release_keys()
            return
        if results.option_count:
            if results.highlighted is None:
                results.highlighted = 0
            results.action_select()  # the chosen item's form releases the held keys
            return
        self.notify(_("No service item matches; try other words or pinyin initials."))
        await self.release_keys()

    def key_down(self) -> None:
        """Down from the search box goes into the results (as a person expects)."""
        if self.focused is self.query_one("#item-search", Input):
            self.query_one("#item-results", OptionList).focus()

    def _show_results(self, query: str) -> None:
        results = self.query_one("#item-results", OptionList)
        results.clear_options()
        for item in search_items(self.catalog, query):
            results.add_option(Option(f"{item.name}  [{item.code}]", id=item.code))
        if results.option_count:
            results.highlighted = 0

    @on(OptionList.OptionSelected, "#item-results")
    async def _item_chosen(self, event: OptionList.OptionSelected) -> None:
        item = self.catalog.get(event.option.id)
        self.draft.choose_item(item.code, item.name, {m.key: "missing" for m in item.materials})
        await self._build_item(item)
        self._save()
        await self._go(1)
        await self.release_keys()

    async def _build_item(self, item: Any) -> None:
        self.item = item
        today = self.desk.clock().date()
        form = self.query_one("#step-form", VerticalScroll)
        await form.remove_children()
        await form.mount(Label(item.name, classes="heading"))
        await form.mount_all(
            FieldEditor(spec, f"fields.{spec.key}", self.draft.fields.get(spec.key), today=today)
            for spec in item.fields
        )
        for group in item.groups:
            rows = list(self.draft.fields.get(group.key) or [{} for _ in range(group.min_rows)])
            self.draft.resize_group(group.key, len(rows))
            await form.mount(GroupEditor(group, rows, today=today))
        materials = self.query_one("#step-materials", VerticalScroll)
        await materials.remove_children()
        await materials.mount(Label(_("Materials 材料清单"), classes="heading"))
        await materials.mount_all(self._material_rows(item))
        folder = getattr(self.desk.settings, "scan_folder", None)
        await materials.mount(ScanPanel(Path(folder) if folder else None, id="scans"))
        if item.uses_commitment:
            await materials.mount(
                Tick(
                    _("The applicant makes the 告知承诺 (commitment) for this item"),
                    self.draft.commitment,
                    id="commitment",
                )
            )

    def _material_rows(self, item: Any) -> list[MaterialRow]:
        today = self.desk.clock().date()
        needed = self._needed()
        return [
            MaterialRow(
                spec,
                self.draft.materials.get(spec.key, "missing"),
                self.draft.supply_by.get(spec.key),
                item=item,
                today=today,
                needed=spec.key in needed,
            )
            for spec in item.materials
        ]

    def _needed(self) -> set[str]:
        """The materials the application must bring as it stands now."""
        draft = self.draft
        return needed_materials(
            self.item,
            applicant=draft.applicant,
            fields=draft.fields,
            relation=draft.relation,
            today=self.desk.clock().date(),
        )

    def _mark_needed(self) -> None:
        """材料清单: a material a rule asks for reads 必交 while its condition holds (亲属代办:
        代办人身份证), 视情况 when it does not; the check at step 5 asks for the same."""
        if self.item is None:
            return
        needed = self._needed()
        for row in self.query(MaterialRow):
            row.needed = row.spec.key in needed

    # ---- editing: every change is saved ------------------------------------------------

    def on_field_editor_changed(self, message: FieldEditor.Changed) -> None:
        section, _dot, key = message.path.partition(".")
        before = self.draft.principal.get(key) if section == "principal" else None
        self.draft.set(message.path, message.value)
        self._mark_needed()
        self._save()
        if section == "principal":
            self._copy_to_guardian(key, before)
        elif message.path in ("applicant.name", "applicant.id_number"):
            self._say_name_held()

    def _copy_to_guardian(self, key: str, before: Any) -> None:
        """监护人代办: the guardian typed as the one who files goes into the form's 监护人
        fields too (the 残疾人证 asked for the same name and phone twice). Only into a
        field left empty or still holding what was copied: one typed by hand is kept."""
        target = GUARDIAN_FIELDS.get(key)
        if self.draft.relation != "guardian" or target is None:
            return
        editor = next((e for e in self.query(FieldEditor) if e.path == target), None)
        if editor is None:  # the item asks for no guardian
            return
        held = self.draft.fields.get(target.removeprefix("fields."))
        if held in (None, "", before):
            editor.query_one(Input).value = str(self.draft.principal.get(key) or "")

    def on_group_editor_rows_changed(self, message: GroupEditor.RowsChanged) -> None:
        self.draft.resize_group(message.key, message.rows)
        self._mark_needed()
        self._save()

    def on_material_row_changed(self, message: MaterialRow.Changed) -> None:
        self.draft.set_material(message.key, message.state, message.supply_text)
        self._save()

    @on(Select.Changed, "#relation")
    def _relation_changed(self, event: Select.Changed) -> None:
        if str(event.value) == self.draft.relation:
            return  # the Select's first value (mounting), not a change
        self.draft.relation = str(event.value)
        self.hold_keys()  # the principal's fields appear: Tab must find them
        self._show_principal()
        self._mark_needed()
        self._save()
        for key in GUARDIAN_FIELDS:  # typed before the relation was chosen
            self._copy_to_guardian(key, None)
        self.call_after_refresh(self.release_keys)

    def _offer_townships(self) -> None:
        """区内通办: the county's other townships, for a resident registered elsewhere."""
        own = self.desk.division[:9] + "000"
        towns = [(d.name, d.code) for d in self.catalog.divisions if d.level == "township"]
        choices = [(name, code) for name, code in towns if code != own]
        residence = self.query_one("#residence", Select)
        with residence.prevent(Select.Changed):
            residence.set_options(choices)
            if self.draft.residence_division in {code for _name, code in choices}:
                residence.value = self.draft.residence_division

    @on(Select.Changed, "#residence")
    def _residence_changed(self, event: Select.Changed) -> None:
        value = event.value
        self.draft.residence_division = "" if value is Select.NULL else str(value)
        self._save()

    @on(Checkbox.Changed, "#commitment")
    def _commitment_changed(self, event: Checkbox.Changed) -> None:
        self.draft.commitment = event.value
        self._save()

    def _show_principal(self) -> None:
        box = self.query_one("#principal-box")
        box.display = self.draft.relation != "self"
        self.query_one("#authorization").display = self.draft.relation in LETTER_RELATIONS
        self.refresh_bindings()  # F6 (authorization letter) only when someone files for them

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The authorization letter's key shows only when a relative or agent files."""
        if action == "authorization":
            return self.draft.relation in LETTER_RELATIONS
        if action == "scroll_review":  # the check page only: other steps' keys are their fields'
            return STEPS[self.draft.step] == "review"
        return True

    def action_scroll_review(self, how: str) -> None:
        """Scroll the check page (``up``, ``down``, ``page_up``, ``page_down``, ``home``, ``end``)."""
        getattr(self.query_one("#step-review", VerticalScroll), f"scroll_{how}")(animate=False)

    # ---- steps ---------------------------------------------------------------------------

    async def _go(self, step: int) -> None:
        step = max(0, min(step, len(STEPS) - 1))
        if step > 0 and self.item is None:
            step = 0
        self.draft.step = step
        self._save()  # the draft reopens at the step it was left at
        self.query_one(ContentSwitcher).current = f"step-{STEPS[step]}"
        titles = [
            f"[b reverse] {STEP_TITLES[name]} [/]" if i == step else STEP_TITLES[name]
            for i, name in enumerate(STEPS)
        ]
        self.query_one("#intake-steps", Static).update("  ".join(titles))
        if STEPS[step] == "review":
            self._review()
        self._focus_step(STEPS[step])

    def _focus_step(self, name: str) -> None:
        pane = self.query_one(f"#step-{name}")
        targets = pane.query("Input, Select, OptionList, Checkbox")
        # set_focus, not focus(): the focus moves now, before the next key is routed
        if name == "item":
            self.set_focus(self.query_one("#item-search", Input))
        elif name == "review":
            self.set_focus(self.query_one("#take-in", Button))
        elif targets:
            self.set_focus(targets.first(), scroll_visible=False)
            # the step's heading and the first field's label stay in view (elder mode's
            # tall fields used to scroll them away)
            pane.scroll_home(animate=False)

    async def action_next(self) -> None:
        """下一步: but first, once, a value typed wrong on this step (a check digit, a
        phone of 10 digits) is said and takes the cursor; F8 again goes on with it (it can
        be put right later; 收件 refuses it until then). An empty field is no stop: the
        agent fills in what the resident has at hand."""
        wrong = self._wrong_on_step()
        said = tuple((editor.path, problem) for editor, problem in wrong)
        if wrong and said != self._wrong_said:
            self._wrong_said = said
            wrong[0][0].focus_input()
            message = _("{problem}\nPut it right, or press F8 again to go on and come back to it.")
            self.notify(message.format(problem=wrong[0][1]), severity="warning")
            return
        self._wrong_said = ()
        await self._go(self.draft.step + 1)

    def _wrong_on_step(self) -> list[tuple[FieldEditor, str]]:
        """The fields of the open step whose value is there and wrong, each with what is
        wrong: judged alone (a check digit), else against the rest of the form (the 代办人
        with the applicant's ID number), as 收件 would judge it."""
        pane = self.query_one(f"#step-{STEPS[self.draft.step]}")
        editors = [e for e in pane.query(FieldEditor) if not is_empty(e.value)]
        wrong = [(editor, editor.error) for editor in editors if editor.check(final=True)]
        if wrong or self.item is None:
            return wrong
        by_path = {editor.path: editor for editor in editors}
        return [
            (by_path[problem.field], problem.message)
            for problem in self._form_problems()
            if problem.severity == "error" and problem.field in by_path
        ]

    async def action_previous(self) -> None:
        """上一步."""
        await self._go(self.draft.step - 1)

    @on(Button.Pressed, "#next")
    async def _next_pressed(self) -> None:
        await self.action_next()

    @on(Button.Pressed, "#previous")
    async def _previous_pressed(self) -> None:
        await self.action_previous()

    # ---- review and take in ----------------------------------------------------------------

    def _form_problems(self) -> list[Problem]:
        """What the form itself says is wrong or missing (``check_application``)."""
        draft = self.draft
        return check_application(
            self.item,
            applicant=draft.applicant,
            fields=draft.fields,
            materials=draft.materials,
            relation=draft.relation,
            principal=draft.principal if draft.relation != "self" else None,
            supply_by=draft.supply_by,
            today=self.desk.clock().date(),
        )

    def _problems(self) -> list[Problem]:
        from station.services.cases import duplicate_warning, name_warning

        draft = self.draft
        problems = self._form_problems()
        id_number = draft.applicant.get("id_number")
        held = name_warning(self.desk.store, id_number, draft.applicant.get("name"))
        return problems + held + duplicate_warning(self.desk.store, self.item.code, id_number)

    def _review(self) -> list[Problem]:
        problems = self._problems() if self.item is not None else []
        self._show_problems(problems)
        self.query_one("#review-summary", Static).update(
            review_text(self.draft, self.item, self.desk.clock().date())
        )
        return problems

    def _show_problems(self, problems: list[Problem]) -> None:
        by_path = {p.field: p.message for p in problems}
        severities = {p.field: p.severity for p in problems}
        for editor in self.query(FieldEditor):  # a warning is said, and is no error
            editor.set_message(by_path.get(editor.path, ""), severities.get(editor.path, "error"))
        for row in self.query(MaterialRow):
            row.set_message(by_path.get(f"materials.{row.spec.key}", ""))
        lines = [("⚠ " if p.severity == "warning" else "✗ ") + p.message for p in problems]
        if self._notice_applies(problems):
            lines.append(_("F4 prints the one-time notice of the missing materials."))
        text = "\n".join(lines) if lines else _("Nothing missing: ready to take in (F9).")
        self.query_one("#review-problems", Static).update(text)

    @on(Button.Pressed, "#take-in")
    async def action_take_in(self) -> None:
        """收件: check, write the case (once per draft), print the receipt."""
        if self._taking_in:
            return
        if self.item is None:
            await self._go(0)
            return
        await self._go(STEPS.index("review"))
        problems = self._review()
        if has_errors(problems):
            errors = [p for p in problems if p.severity == "error"]
            message = _("Not taken in: {count} to put right. The first, shown now: {first}")
            message = message.format(count=len(errors), first=errors[0].message)
            if self._notice_applies(problems):
                message += "\n" + _("F4 prints the one-time notice of the missing materials.")
            self.notify(message, severity="warning")
            await self._go_to_first_error(problems)
            return
        from station.services.cases import DUPLICATE, NAME_MISMATCH

        duplicate = next((p for p in problems if p.rule == DUPLICATE), None)
        if duplicate is not None and not self._duplicate_confirmed:
            question = duplicate.message + "\n" + _("Take in another case anyway?")
            self._ask_first(question, "_duplicate_confirmed")
            return
        held = next((p for p in problems if p.rule == NAME_MISMATCH), None)
        if held is not None and not self._name_confirmed:
            # the ID number held here under another name: at the bottom of 核对, it went unread
            question = held.message + "\n" + _("Both checked and right: take it in?")
            self._ask_first(question, "_name_confirmed")
            return
        self._taking_in = True
        self.query_one("#take-in", Button).disabled = True
        self._take_in(self.draft.application())

    def _missing_materials(self, problems: list[Problem]) -> list[str]:
        """Keys of the required materials the check found not brought (not 容缺, not shared)."""
        keys = []
        rules = {rule.id: rule for rule in self.item.rules} if self.item is not None else {}
        for problem in problems:
            section, _dot, key = problem.field.partition(".")
            if section.startswith("rule:"):  # 至少提交一项: every one of them, said so on paper
                rule = rules.get(section.removeprefix("rule:"))
                if rule is not None and rule.kind == "any_material" and problem.severity == "error":
                    keys += [k for k in rule.materials if k not in keys]
                continue
            brought = self.draft.materials.get(key, "missing") != "missing"
            if section == "materials" and problem.severity == "error" and not brought:
                keys.append(key)
        return keys

    def _notice_applies(self, problems: list[Problem]) -> bool:
        """Whether F4's 一次性告知书 is for this application: a required material is missing
        and the applicant meets the item's conditions (no material can make up for age)."""
        return bool(self._missing_materials(problems)) and not unmet_conditions(self.item, problems)

    def action_missing_notice(self) -> None:
        """一次性告知书 before intake: every required material missing, told at once.

        Not for an applicant who does not meet the item's conditions: the notice says the
        list is all that is lacking, and the resident would come back with it in vain."""
        if self.item is None:
            return
        problems = self._problems()
        unmet = unmet_conditions(self.item, problems)
        if unmet:
            message = _(
                "The applicant does not meet the conditions ({conditions}): "
                "no one-time notice can be given."
            ).format(conditions="；".join(unmet))
            self.notify(message, severity="warning", timeout=10)
            return
        missing = self._missing_materials(problems)
        if not missing:
            later = any(state == "deferred" for state in self.draft.materials.values())
            if later:  # they go on the notice printed at intake, with their dates
                message = _(
                    "No required material is missing; the 容缺 ones are on the one-time "
                    "notice printed when the case is taken in."
                )
            else:
                message = _("No required material is missing: there is nothing to tell.")
            self.notify(message)
            return
        needed = information_needed(self.item, problems)
        self._print_missing_notice(self.draft.to_data(), missing, needed)

    @work(thread=True, group="paper", exit_on_error=False)
    def _print_missing_notice(
        self, data: dict[str, Any], missing: list[str], needed: list[str]
    ) -> None:
        from station.services.paper import print_missing_notice

        outcome = print_missing_notice(self.desk, data, self.item, missing, needed)
        self.app.call_from_thread(self.notify, outcome.text(), timeout=10)

    def _ask_first(self, question: str, confirmed: str) -> None:
        """A warning F9 asks about (重复申请, a name another case holds): take it in only
        when the agent says so (Enter and Esc say no); yes sets the flag ``confirmed``."""

        async def answered(yes: bool | None) -> None:
            if yes:
                setattr(self, confirmed, True)
                await self.action_take_in()

        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    def _say_name_held(self) -> None:
        """Under the name as soon as both are typed: the ID number is held here under another
        name (it was said only at the bottom of 核对, where it went unread)."""
        from station.services.cases import name_warning

        applicant = self.draft.applicant
        held = name_warning(self.desk.store, applicant.get("id_number"), applicant.get("name"))
        editor = next((e for e in self.query(FieldEditor) if e.path == "applicant.name"), None)
        if editor is None:
            return
        if held:
            editor.set_message(held[0].message, "warning")
        elif self._name_held_said:
            editor.set_message("")  # the warning goes; the name's own check says the rest
            editor.check()
        self._name_held_said = bool(held)

    @work(thread=True, exclusive=True, group="take-in", exit_on_error=False)
    def _take_in(self, application: dict[str, Any]) -> None:
        from station.services.cases import Application, ValidationFailed

        try:
            with self._save_lock:  # no draft save may run between the case and the draft's end
                today = self.desk.clock().date()
                view = self.desk.service().take_in(
                    Application(**application), draft_id=self.draft.draft_id, today=today
                )
                self._saved_revision = FORGOTTEN  # the draft became this case: never saved again
        except ValidationFailed as refused:
            self.post_message(self.Refused(list(refused.problems)))
            return
        from station.services.paper import papers_after_take_in

        self.post_message(self.TakenIn(view.case_number, papers_after_take_in(self.desk, view)))

    def worker_failed(self, worker: Any) -> None:
        """A failed take-in can be repeated: it is keyed by the draft, never by the press."""
        if worker.group == "take-in":
            self._taking_in = False
            self.query_one("#take-in", Button).disabled = False

    def on_intake_screen_refused(self, message: IntakeScreen.Refused) -> None:
        self._taking_in = False
        self.query_one("#take-in", Button).disabled = False
        self._show_problems(message.problems)
        self.call_later(self._go_to_first_error, message.problems)

    def on_intake_screen_taken_in(self, message: IntakeScreen.TakenIn) -> None:
        text = _("Case {number} taken in.").format(number=message.case_number)
        text += "\n" + message.papers
        self.dismiss(None)
        # the refusals of the F9s before (未收件：还有 1 处要改…) are answered: were they
        # left over the dialog, the agent would wonder whether the case went in
        self.app.clear_notifications()
        self.app.push_screen(MessageDialog(_("Taken in 已收件"), text))

    async def _go_to_first_error(self, problems: list[Problem]) -> None:
        """F9 with errors: the step of the first error opens and its field takes the cursor."""
        first = next((p for p in problems if p.severity == "error"), None)
        if first is None:
            return
        path = fix_at(self.item, first.field)
        await self._go(STEPS.index(step_of(path)))
        target: FieldEditor | MaterialRow | None = next(
            (e for e in self.query(FieldEditor) if e.path == path), None
        )
        if target is None:
            key = path.split(".", 1)[-1]
            target = next((r for r in self.query(MaterialRow) if key.startswith(r.spec.key)), None)
        if target is not None:
            target.focus_input()
            # once the step is laid out: a tall step (elder mode) scrolls to the field
            self.call_after_refresh(target.scroll_visible, animate=False)
