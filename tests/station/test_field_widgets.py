"""The take-in's field and material widgets, typed into as an agent types (Pilot, no pauses)."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Select

from forms.catalog import FieldSpec, load_catalog
from forms.validation import applicant_specs
from station.widgets.fields import FieldEditor
from station.widgets.materials import MaterialRow

TODAY = date(2026, 11, 23)
OLD_AGE = load_catalog().get("640522-MZ-001")  # bank_card may be deferred, 5 working days


class Form(App[None]):
    """A bare app holding a few editors and a material row, recording what they post."""

    def __init__(self) -> None:
        super().__init__()
        self.posted: list[Any] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            name, id_spec, phone, _address = applicant_specs("principal")
            yield FieldEditor(name, "principal.name", today=TODAY, id="name")
            yield FieldEditor(id_spec, "principal.id_number", today=TODAY, id="id-number")
            yield FieldEditor(phone, "principal.phone", today=TODAY, id="phone")
            money = FieldSpec(key="income", label="家庭年收入", type="money")
            yield FieldEditor(money, "fields.income", today=TODAY, id="income")
            bank = OLD_AGE.material("bank_card")
            yield MaterialRow(bank, "deferred", None, item=OLD_AGE, today=TODAY, id="bank")

    def on_field_editor_changed(self, message: FieldEditor.Changed) -> None:
        self.posted.append((message.path, message.value))

    def on_material_row_changed(self, message: MaterialRow.Changed) -> None:
        self.posted.append((message.key, message.supply_by, message.supply_text))


def message_of(widget: FieldEditor | MaterialRow) -> str:
    line = widget.query_one(".field-message")
    return str(line.render()) if line.display and not line.has_class("hidden") else ""


async def test_a_fixed_error_disappears_as_soon_as_the_value_is_good() -> None:
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        income = app.query_one("#income", FieldEditor)
        income.query_one(Input).focus()
        await pilot.press(*"12.345")
        assert message_of(income) == "家庭年收入：最多保留两位小数"
        assert income.has_error
        await pilot.press("backspace")
        assert message_of(income) == ""
        assert not income.has_error
        assert income.query_one(Input).value == "12.34"


async def test_money_is_shown_as_typed_and_read_normalised() -> None:
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        income = app.query_one("#income", FieldEditor)
        income.query_one(Input).focus()
        await pilot.press(*"1,234.50元")
        assert income.query_one(Input).value == "1,234.50元"  # never rewritten under the cursor
        assert not income.has_error
        assert str(income.query_one(".field-info").render()) == "按 1234.50 元记录"


async def test_a_name_with_a_digit_and_a_bad_phone_are_named() -> None:
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one("#name", FieldEditor).query_one(Input).focus()
        await pilot.press(*"马小兰2", "tab", "tab", *"12345", "tab")
        assert message_of(app.query_one("#name", FieldEditor)) == "代办人姓名：姓名中不能有数字"
        assert message_of(app.query_one("#phone", FieldEditor)) == (
            "代办人联系电话：手机号码应为以13—19开头的11位数字"
        )
        assert ("principal.name", "马小兰2") in app.posted


async def test_a_15_digit_id_gets_the_hint_when_the_field_is_left() -> None:
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        editor = app.query_one("#id-number", FieldEditor)
        editor.query_one(Input).focus()
        await pilot.press(*"640522600101123")
        assert not editor.has_error  # still typing: 15/18
        await pilot.press("tab")
        assert (
            message_of(editor) == "代办人身份证号码：这是15位的旧身份证号码，请填写18位身份证号码"
        )
        assert editor.has_error
        assert editor.query_one(Input).value == "640522600101123"


async def test_a_name_typed_into_the_id_box_is_named_at_once_not_at_the_18th_character() -> None:
    """An IME left on types the name into the ID box: on main it read 2/18 characters and
    said nothing was wrong until the field was left."""
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        editor = app.query_one("#id-number", FieldEditor)
        editor.query_one(Input).focus()
        await pilot.press(*"张三")
        assert message_of(editor) == "代办人身份证号码：前17位应为数字，最后一位为数字或X"
        assert editor.has_error and editor.query_one(Input).value == "张三"  # kept as typed
        await pilot.press("backspace", "backspace", *"64052219")
        assert not editor.has_error  # digits so far: still typing
        await pilot.press(*"X")
        assert editor.has_error  # an X only closes the 18


async def test_focus_input_puts_the_cursor_in_the_field() -> None:
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        phone = app.query_one("#phone", FieldEditor)
        phone.focus_input()
        await pilot.pause()
        assert app.focused is phone.query_one(Input)


async def test_a_wrong_deadline_is_named_under_the_row_and_kept_as_typed() -> None:
    """On main ``2026-13-45`` was dropped without a message."""
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        row = app.query_one("#bank", MaterialRow)
        row.query_one("#supply-by", Input).focus()
        await pilot.press(*"2026-13-45")
        assert message_of(row) == (
            "社会保障卡或存折复印件：补交期限“2026-13-45”不是有效日期（格式：年-月-日，如 2026-01-31）"
        )
        assert row.has_error
        assert row.query_one("#supply-by", Input).value == "2026-13-45"
        assert app.posted[-1] == ("bank_card", None, "2026-13-45")
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press(*"11-27")
        assert message_of(row) == ""
        assert not row.has_error
        assert app.posted[-1] == ("bank_card", date(2026, 11, 27), "2026-11-27")


async def test_a_deadline_past_the_items_limit_is_named() -> None:
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        row = app.query_one("#bank", MaterialRow)
        row.query_one("#supply-by", Input).focus()
        await pilot.press(*"2026-12-24")
        assert message_of(row) == (
            "社会保障卡或存折复印件：补交期限不能晚于2026-11-30（本事项容缺材料须在5个工作日内补交）"
        )


async def test_the_deadline_box_shows_the_default_day_and_takes_eight_digits() -> None:
    # a blank deadline became 2026-11-30 with nothing on screen saying so; 20261127 was refused
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        row = app.query_one("#bank", MaterialRow)
        box = row.query_one("#supply-by", Input)
        assert box.placeholder == "不填即为 2026-11-30"  # whole in the 24-column box
        box.focus()
        await pilot.press(*"20261127")
        assert message_of(row) == "" and not row.has_error
        assert app.posted[-1] == ("bank_card", date(2026, 11, 27), "20261127")


class Choosing(App[None]):
    """A choice field and a screen key on a letter, as the take-in has them."""

    BINDINGS = [("s", "screen_key", "a key of the screen behind")]

    def __init__(self) -> None:
        super().__init__()
        self.screen_keys = 0

    def compose(self) -> ComposeResult:
        relation = FieldSpec(
            key="relation",
            label="与申请人关系",
            type="choice",
            options=["本人", "配偶", "子女", "孙子女"],
        )
        yield FieldEditor(relation, "fields.relation", today=TODAY, id="relation")
        yield Input(id="after")

    def action_screen_key(self) -> None:
        self.screen_keys += 1


async def test_typing_on_a_closed_choice_opens_it_at_the_match() -> None:
    app = Choosing()
    async with app.run_test(size=(100, 30)) as pilot:
        dropdown = app.query_one("#relation", FieldEditor).query_one(Select)
        dropdown.focus()
        await pilot.press("孙")
        await pilot.pause()
        assert dropdown.expanded  # the list opened, at the typed choice
        await pilot.press("enter")
        assert dropdown.value == "孙子女"
        assert app.query_one("#relation", FieldEditor).value == "孙子女"
        await pilot.press("s")  # a printable key on the field is the field's, not the screen's
        await pilot.pause()
        assert app.screen_keys == 0
        await pilot.press("escape")
        assert dropdown.value == "孙子女"


async def test_a_choice_is_found_by_its_pinyin_or_its_number() -> None:
    app = Choosing()
    async with app.run_test(size=(100, 30)) as pilot:
        dropdown = app.query_one("#relation", FieldEditor).query_one(Select)
        dropdown.focus()
        await pilot.press("p", "o")  # 配偶 by its initials, typed on the closed list
        await pilot.pause()
        await pilot.press("enter")
        assert dropdown.value == "配偶"
        await pilot.press("enter")  # open again, and take the 4th choice by number
        await pilot.press("4", "enter")
        assert dropdown.value == "孙子女"
        await pilot.press("enter", "z", "n", "enter")  # zn: 子女 (and not 孙子女, later in it)
        assert dropdown.value == "子女"
        await pilot.press("enter", "9", "enter")  # no 9th choice: the highlight stays
        assert dropdown.value == "子女"


class Burst(App[None]):
    """A choice where the first key alone finds another choice than the two together."""

    def compose(self) -> ComposeResult:
        spec = FieldSpec(
            key="why", label="困难原因", type="choice", options=["增加人口", "子女就学"]
        )
        yield FieldEditor(spec, "fields.why", today=TODAY, id="why")


async def test_two_quick_keys_on_a_closed_choice_search_in_the_order_typed() -> None:
    # the second of two quick keys was lost (or came first): "zn" found 增加人口, not 子女就学
    app = Burst()
    async with app.run_test(size=(100, 30)) as pilot:
        dropdown = app.query_one("#why", FieldEditor).query_one(Select)
        dropdown.focus()
        await pilot.pause()
        for key in "zn":  # as a terminal sends them: both queued before either is handled
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await pilot.press("enter")
        assert dropdown.value == "子女就学"


def test_the_open_list_s_escape_is_in_the_desks_words() -> None:
    # the desk's own list kept Textual's English: "Esc Dismiss menu" in the footer
    from station.widgets.dropdown import Choices
    from station.widgets.footer import translate_textual_keys

    translate_textual_keys()
    (escape,) = Choices._merged_bindings.key_to_bindings["escape"]
    assert escape.description == "收起列表"


def test_the_review_step_reads_a_typed_deadline_back_as_a_date() -> None:
    # 20261210 typed into the deadline box was shown as typed: 容缺后补 20261210
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    draft = IntakeDraft(
        draft_id="d",
        item_code=OLD_AGE.code,
        materials={"bank_card": "deferred"},
        supply_by={"bank_card": "20261127"},
    )
    assert "社会保障卡或存折复印件：容缺后补 2026-11-27" in review_text(draft, OLD_AGE)


async def test_an_amount_in_wan_is_accepted_and_shown_as_recorded() -> None:
    """3.5万 as the resident says it: no error, and the line under it gives the number stored."""
    app = Form()
    async with app.run_test(size=(100, 40)) as pilot:
        income = app.query_one("#income", FieldEditor)
        income.query_one(Input).focus()
        await pilot.press(*"3.5万")
        assert income.query_one(Input).value == "3.5万"
        assert not income.has_error
        assert str(income.query_one(".field-info").render()) == "按 35000 元记录"


def test_the_review_step_reads_an_amount_in_wan_back_as_recorded() -> None:
    from forms.catalog import load_catalog
    from forms.validation import normalise_fields
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    item = load_catalog().get("640522-MZ-004")
    typed = {"amount_requested": "1.2万元", "medical_cost": "３.５万"}
    draft = IntakeDraft(draft_id="d", item_code=item.code, fields=typed)
    text = review_text(draft, item)
    assert "申请救助金额（元）：12000" in text and "自付医疗费用（元）：35000" in text
    # and the case stores the same plain numbers
    stored = normalise_fields(item, typed)
    assert stored["amount_requested"] == "12000" and stored["medical_cost"] == "35000"


def test_the_review_step_reads_a_deferred_material_back_with_the_day_it_will_carry() -> None:
    # 容缺 with no day typed was read back as a bare 容缺后补: the agent could not tell the
    # resident by when, though the receipt prints the item's default day
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    draft = IntakeDraft(draft_id="d", item_code=OLD_AGE.code, materials={"bank_card": "deferred"})
    today = date(2026, 11, 20)  # a Friday: 5 working days on is Friday 27 November
    line = "· 社会保障卡或存折复印件：容缺后补 2026-11-27（本事项的后补期限）"
    assert line in review_text(draft, OLD_AGE, today).splitlines()
