"""A resident's address on paper, from the county down (``Catalog.full_address``)."""

from __future__ import annotations

import pytest

from forms.catalog import load_catalog

CATALOG = load_catalog()
SHANMEN = "640522100201"  # 海城镇山门村


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("山门村一组", "海原县海城镇山门村一组"),  # typed from the village: county and township
        ("武塬村三组12号", "海原县海城镇武塬村三组12号"),
        ("海城镇山门村一组", "海原县海城镇山门村一组"),  # names its township: the county
        ("李旺镇团结村", "海原县李旺镇团结村"),
        ("海原县海城镇山门村一组", "海原县海城镇山门村一组"),  # whole already
        ("宁夏中卫市沙坡头区文昌镇", "宁夏中卫市沙坡头区文昌镇"),  # elsewhere: as written
        ("杨郎村6组55号", "杨郎村6组55号"),  # a village the table does not list: as typed
        ("", ""),
    ],
)
def test_an_address_typed_from_the_village_is_printed_from_the_county(
    typed: str, printed: str
) -> None:
    assert CATALOG.full_address(typed, SHANMEN) == printed


def test_without_a_division_the_address_is_as_typed() -> None:
    assert CATALOG.full_address("山门村一组", "") == "山门村一组"
