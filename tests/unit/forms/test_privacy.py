"""What the log mask hides (ID numbers however they are written) and what it leaves whole."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from forms.privacy import mask_ids

RESIDENT_ID = "640522199001011234"
OLD_ID = "640522900101123"  # the 15-digit kind of before 1999


def test_an_id_number_is_masked_whatever_stands_around_it() -> None:
    assert mask_ids(f"身份证{RESIDENT_ID}已核验") == "身份证640522********1234已核验"
    assert mask_ids(f"{{'id_number': '{RESIDENT_ID}'}}") == "{'id_number': '640522********1234'}"
    assert mask_ids(f"?id={RESIDENT_ID}&x=1") == "?id=640522********1234&x=1"
    assert mask_ids(f"{RESIDENT_ID[:-1]}x done") == "640522********123X done"
    assert RESIDENT_ID not in mask_ids(f"{RESIDENT_ID} {RESIDENT_ID}")
    assert OLD_ID not in mask_ids(f"旧证号：{OLD_ID}。")


def test_longer_numbers_and_tokens_of_letters_and_digits_are_left_whole() -> None:
    card = "6222020200112233445"  # a bank card, 19 digits
    phone = "13812345678"
    request_id = "10f28839a04c4458b868859579110694"  # the request id CI saw masked
    for text in (card, phone, request_id, f"key{RESIDENT_ID}", f"{RESIDENT_ID}abc"):
        assert mask_ids(text) == text


@given(st.uuids())
def test_a_request_id_is_never_masked(value: uuid.UUID) -> None:
    assert mask_ids(value.hex) == value.hex
    assert mask_ids(f'"request_id": "{value.hex}"') == f'"request_id": "{value.hex}"'
