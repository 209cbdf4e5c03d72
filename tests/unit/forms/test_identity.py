"""Resident ID numbers (GB 11643), credit codes (GB 32100), masking."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric, uscc

from forms.identity import (
    IdNumberError,
    luhn_ok,
    mask_id_number,
    parse_id_number,
    uscc_check_char,
    uscc_problem,
)
from tests.unit.forms.helpers import TODAY, id_number, wrong_check


def test_haiyuan_holder_born_before_2004_is_accepted_although_stdnum_refuses() -> None:
    number = id_number("640522", "19600101", "123")
    assert not ric.is_valid(number)  # the reason we check it ourselves
    info = parse_id_number(number, today=TODAY)
    assert info.birth_date == date(1960, 1, 1)
    assert info.sex == "male"
    assert info.area_code == "640522"
    assert info.area_known
    assert info.age_on(TODAY) == 66


def test_sex_and_age_come_from_the_number() -> None:
    info = parse_id_number(id_number(born="19461124", seq="002"), today=TODAY)
    assert info.sex == "female"
    assert info.age_on(date(2026, 11, 23)) == 79
    assert info.age_on(date(2026, 11, 24)) == 80


def test_lower_case_x_and_spaces_are_accepted() -> None:
    info = parse_id_number("110105 19491231 002x", today=TODAY)
    assert info.number == "11010519491231002X"


def test_unknown_area_code_is_not_an_error() -> None:
    info = parse_id_number(id_number("999999", "19800101", "001"), today=TODAY)
    assert not info.area_known


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("64052219600101123", "length"),
        ("64052219600101123A", "format"),
        ("张三", "format"),  # its characters are what is wrong, not its length
        ("640522X", "format"),
        (wrong_check(id_number()), "checksum"),
        (id_number(born="19610230"), "birth_date"),
        (id_number(born="20270101"), "future"),
    ],
)
def test_invalid_numbers_say_why(number: str, reason: str) -> None:
    with pytest.raises(IdNumberError) as caught:
        parse_id_number(number, today=TODAY)
    assert caught.value.reason == reason


def test_mask() -> None:
    assert mask_id_number("640522196001011234") == "640522********1234"
    assert mask_id_number("64052219600101123x") == "640522********123X"
    assert mask_id_number("1234") == "****"


def test_uscc_algorithm_agrees_with_stdnum_on_ordinary_codes() -> None:
    body = "91640522MA76X1234"
    code = body + uscc_check_char(body)
    assert uscc.is_valid(code)
    assert uscc_problem(code) is None


@pytest.mark.parametrize("prefix", ["N2", "A1", "Y1"])
def test_village_collective_and_other_prefixes_are_valid(prefix: str) -> None:
    body = f"{prefix}640522MA7654321"
    code = body + uscc_check_char(body)
    assert not uscc.is_valid(code)  # stdnum wrongly refuses these
    assert uscc_problem(code) is None


def test_uscc_problems() -> None:
    body = "N2640522MA7654321"
    good = body + uscc_check_char(body)
    bad_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert uscc_problem(bad_check) == "checksum"
    assert uscc_problem(good[:17]) == "length"
    assert uscc_problem("N2640522MA765432I" + "1") == "format"  # I is not in the charset


def test_luhn() -> None:
    assert luhn_ok("6228480402564890018")
    assert not luhn_ok("6228480402564890019")
