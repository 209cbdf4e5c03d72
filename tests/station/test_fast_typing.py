"""An agent types at full speed, no pauses: every key lands in the field it was typed for."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual import events
from textual.pilot import Pilot

from station.app import DaibanApp
from station.screens.intake import IntakeScreen
from station.widgets.fields import FieldEditor
from tests.station.helpers import log_in, settle
from tests.station.test_intake import ELDER_ID


def burst(pilot: Pilot[None], keys: Iterable[str]) -> None:
    """Queue every key at once, as a fast typist's terminal delivers them (no waiting between)."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(pilot.app)
        driver.send_message(event)


def typed(text: str) -> list[str]:
    return list(text)


def value_of(pilot: Pilot[None], path: str) -> object:
    editor = next(e for e in pilot.app.screen.query(FieldEditor) if e.path == path)
    return editor.value


async def test_name_tab_id_tab_phone_typed_without_pauses(desk: Callable[..., DaibanApp]) -> None:
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        # straight from the home screen: n, search, Enter twice, then the applicant at once
        keys = ["n", *typed("80"), "enter", "enter"]
        keys += [*typed("ma"), "tab", *typed(ELDER_ID), "tab", *typed("13895401122")]
        burst(pilot, keys)
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)
        assert value_of(pilot, "applicant.name") == "ma"
        assert value_of(pilot, "applicant.id_number") == ELDER_ID
        assert value_of(pilot, "applicant.phone") == "13895401122"


async def test_initials_enter_then_the_applicant_in_chinese_without_pauses(
    desk: Callable[..., DaibanApp],
) -> None:
    """As typed in a real terminal: the one item found by ``gljt`` is taken on Enter."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        keys = ["n", *typed("gljt"), "enter", *typed("马占福"), "tab", *typed(ELDER_ID)]
        keys += ["tab", *typed("13895401122")]
        burst(pilot, keys)
        await settle(pilot)
        assert value_of(pilot, "applicant.name") == "马占福"
        assert value_of(pilot, "applicant.id_number") == ELDER_ID
        assert value_of(pilot, "applicant.phone") == "13895401122"


async def test_one_reason_to_hold_ending_does_not_release_another() -> None:
    """Seen in a real terminal: the relation dropdown's first value ended the hold of the
    item list's Enter, and the applicant's name went into the search box."""
    from station.screens.base import KeyGate

    routed: list[str] = []

    class App:
        async def route_key(self, event: events.Key) -> None:
            routed.append(event.key)

    class Gate(KeyGate):
        app = App()

    gate = Gate()
    gate.hold_keys()  # the take-in is building the form after Enter
    gate.hold_keys()  # meanwhile a dropdown got its first value
    for key in "ma":
        gate.hold(events.Key(key, key))
    await gate.release_keys()  # the dropdown's reason ends
    assert gate.holding and routed == []
    await gate.release_keys()  # the form is built: now the keys go, in order
    assert not gate.holding and routed == ["m", "a"]


async def test_corrections_typed_in_a_burst_land_where_they_were_typed(
    desk: Callable[..., DaibanApp],
) -> None:
    """Backspace, Ctrl+U and ← are the field's bindings, which Textual ran only once the key
    had gone up to the app: typed in a burst, every character went in first ("abc", three
    Backspaces, "123", Backspace, "x" left "abc"). A reviewer's 99999 corrected to 15 in
    one burst printed 99 on the 特别程序告知书 (Textual #6605)."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        keys = ["n", *typed("80"), "enter", "enter", *typed("马占")]
        keys += ["backspace", "backspace", *typed("王芳"), "backspace", *typed("福兰")]
        keys += ["tab", *typed("99999"), "ctrl+u", *typed(ELDER_ID[:-1]), "left"]
        keys += [ELDER_ID[-1], "end", "backspace", ELDER_ID[-2]]
        burst(pilot, keys)
        await settle(pilot)
        assert isinstance(pilot.app.screen, IntakeScreen)
        assert value_of(pilot, "applicant.name") == "王福兰"
        # the last digit typed before the one before it, then the one before it retyped
        mixed = ELDER_ID[:-2] + ELDER_ID[-1] + ELDER_ID[-2]
        assert value_of(pilot, "applicant.id_number") == mixed
