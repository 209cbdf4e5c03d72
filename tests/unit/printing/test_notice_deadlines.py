"""The 一次性告知书 read as the resident reads it: one deadline above, or the table's own when
they differ (the headline said 12月10日 while a row said 12月11日), and the large print's
short columns whole."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from printing.jobs import render
from printing.model import CaseDocument, MaterialStatus, from_dict
from tests.unit.printing.conftest import load_example, pdf_text


def _notice(*deadlines: date) -> CaseDocument:
    doc = from_dict(CaseDocument, load_example("case.json"))
    lines = [dataclasses.replace(m, status=MaterialStatus.provided) for m in doc.materials]
    for index, day in enumerate(deadlines):
        status = MaterialStatus.missing if index == 0 else MaterialStatus.deferred
        lines[index] = dataclasses.replace(lines[index], status=status, supply_by=day)
    return dataclasses.replace(doc, materials=tuple(lines))


@pytest.mark.parametrize("fmt", ["a4", "a4-large", "80mm"])
def test_different_deadlines_are_not_one_date_above_the_table(fmt: str) -> None:
    text = pdf_text(render("notice", _notice(date(2026, 12, 10), date(2026, 12, 11)), fmt).pdf)
    flat = "".join(text.split())
    assert "请按下表各项的补交期限补齐后交至本站（最早一项2026年12月10日到期）" in flat
    assert "请于2026年12月10日前补齐" not in flat
    assert "2026年12月11日" in flat


def test_one_deadline_is_said_above_the_table() -> None:
    text = pdf_text(render("notice", _notice(date(2026, 12, 10), date(2026, 12, 10)), "a4").pdf)
    assert "请于2026年12月10日前补齐后交至本站" in "".join(text.split())


def test_a_material_owed_with_no_date_is_owed_before_completion_said_once() -> None:
    """A 容缺 set in the 补正 dialog has no date: the notice read "请于办结前前补齐"."""
    doc = _notice(date(2026, 12, 10))
    lines = list(doc.materials)
    lines[0] = dataclasses.replace(lines[0], status=MaterialStatus.deferred, supply_by=None)
    text = "".join(
        pdf_text(
            render("notice", dataclasses.replace(doc, materials=tuple(lines)), "a4").pdf
        ).split()
    )
    assert "请在办结前补齐后交至本站" in text and "办结前前" not in text


def test_the_large_print_keeps_the_category_on_one_line() -> None:
    text = pdf_text(
        render("notice", _notice(date(2026, 12, 10), date(2026, 12, 11)), "a4-large").pdf
    )
    rows = [line for line in text.splitlines() if "2026年12月1" in line and "日" in line]
    assert any("缺，须补交" in line for line in rows), text
    assert any("容缺后补" in line for line in rows), text


@pytest.mark.parametrize("fmt", ["a4-large", "80mm"])
def test_the_receipts_headline_gives_each_owed_material_its_own_date(fmt: str) -> None:
    """The large-print receipt said 请于12月10日前补交 both materials while its table gave
    one of them 12月11日."""
    doc = _notice(date(2026, 12, 10), date(2026, 12, 11))
    first, second = (m.name for m in doc.deferred)
    flat = "".join(pdf_text(render("receipt", doc, fmt).pdf).split())
    assert f"请补交：{first}（2026年12月10日前）、{second}（2026年12月11日前）" in flat
    assert "请于2026年12月10日前补交" not in flat
    same = _notice(date(2026, 12, 10), date(2026, 12, 10))  # one date: said once, above
    said = "".join(pdf_text(render("receipt", same, fmt).pdf).split())
    assert f"请于2026年12月10日前补交：{first}、{second}" in said
