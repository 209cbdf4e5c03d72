"""The 报表 screen's month, as a county clerk writes it: 2026-11 only was taken, and
202611, 2026年11月 or 11 were refused as not a month."""

from __future__ import annotations

from datetime import date

import pytest

from station.services.cases import ActionRefused
from station.services.county_reports import parse_month

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("written", "month"),
    [
        ("2026-11", "2026-11"),
        ("2026-1", "2026-01"),
        ("202611", "2026-11"),
        ("2026年11月", "2026-11"),
        ("２０２６－１１", "2026-11"),  # an IME's full-width digits
        ("2026/11", "2026-11"),
        ("2026.9", "2026-09"),
        ("11", "2026-11"),  # a month alone: the latest that has come
        ("12月", "2026-12"),
    ],
)
def test_a_month_is_read_as_it_is_written(written: str, month: str) -> None:
    assert parse_month(written, TODAY) == month


def test_a_month_alone_in_january_is_last_years() -> None:
    assert parse_month("11", date(2027, 1, 5)) == "2026-11"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("2026-13", "月份：请按“年-月”填写，例如 2026-11。"),
        ("13", "月份：请按“年-月”填写，例如 2026-11。"),
        ("2026-11202610", "月份：请按“年-月”填写，例如 2026-11。"),  # typed after the default
        ("2027-01", "月份：2027-01 尚未到来。"),
    ],
)
def test_what_is_no_month_is_refused_naming_the_box(written: str, said: str) -> None:
    with pytest.raises(ActionRefused) as refused:
        parse_month(written, TODAY)
    assert refused.value.message == said
