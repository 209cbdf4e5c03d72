"""What the log mask hides (ID numbers however they are written) and what it leaves whole."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from forms.privacy import mask_ids, mask_ids_shown

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


HOLDER = "640522194508200111"  # a valid ID number (its check character is right)


def test_a_disability_certificate_shown_on_a_screen_hides_its_holders_id_number() -> None:
    """A 第二代残疾人证号 is the holder's ID number and two digits (category, grade): the
    take-in's check page and the township's page showed it whole, next to the masked ID."""
    assert mask_ids_shown(f"{HOLDER}41") == "640522********011141"
    assert mask_ids_shown(f"{HOLDER}4") == "640522********01114"
    assert mask_ids_shown(f"证号 {HOLDER}") == "证号 640522********0111"
    card = "6228481234567890123"  # 19 digits whose first 18 are no ID number
    assert mask_ids_shown(card) == card
    assert mask_ids_shown("残疾人证号待补") == "残疾人证号待补"


def test_the_review_page_masks_an_id_number_in_a_free_text_field() -> None:
    from forms.catalog import load_catalog
    from station.services.review import format_value

    item = load_catalog().get("640522-CL-001")
    spec = next(f for f in item.fields if f.key == "disability_cert_number")
    shown = format_value(spec, f"{HOLDER}41")
    assert HOLDER not in shown and shown.startswith("640522****")


def test_the_take_in_check_page_masks_an_id_number_in_a_free_text_field() -> None:
    from forms.catalog import load_catalog
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    item = load_catalog().get("640522-CL-001")
    fields = {"disability_cert_number": f"{HOLDER}41"}
    draft = IntakeDraft(draft_id="d1", item_code=item.code, fields=fields)
    text = review_text(draft, item)
    assert "残疾人证号：640522********011141" in text and HOLDER not in text


def test_the_take_in_check_page_shows_a_bank_account_whole() -> None:
    """An 18-digit account was masked as if it were an ID number (621226********3455): the
    agent could not read it back to the resident."""
    from forms.catalog import load_catalog
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    item = load_catalog().get("640522-MZ-001")
    spec = next(f for f in item.fields if f.type == "bank_account")
    draft = IntakeDraft(draft_id="d1", item_code=item.code, fields={spec.key: "621226123456783455"})
    assert f"{spec.label}：621226123456783455" in review_text(draft, item)


def test_the_desk_log_says_china_time_with_its_offset_on_a_utc_machine(tmp_path: Path) -> None:
    """On main desk.log wrote the machine's time without a zone: 14:56 for 22:56 in China."""
    from datetime import UTC, datetime

    from forms.privacy import file_log

    path = tmp_path / "desk.log"
    logger = file_log(str(path), "daiban.test.china_time")
    record = logger.makeRecord(
        logger.name, logging.ERROR, __file__, 1, "worker failed for 640522194302080011", (), None
    )
    record.created = datetime(2026, 12, 4, 14, 56, 7, 250000, tzinfo=UTC).timestamp()
    record.msecs = 250
    for handler in logger.handlers:
        handler.handle(record)
        handler.close()
    line = path.read_text(encoding="utf-8").strip()
    assert line.startswith("2026-12-04 22:56:07,250 +08:00 ERROR daiban.test.china_time")
    assert "640522194302080011" not in line


def test_the_take_in_check_page_reads_a_household_row_back_as_recorded() -> None:
    """A 低保 member's income typed as 0.05万 was read back raw, and the member's ID number
    was left out altogether: the agent could neither confirm the amount nor the person."""
    from forms.catalog import load_catalog
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    item = load_catalog().get("640522-MZ-002")
    member = {
        "name": "马小花",
        "relation": "女儿",
        "id_number": HOLDER,
        "monthly_income": "0.05万",
        "health": "",
    }
    draft = IntakeDraft(draft_id="d1", item_code=item.code, fields={"members": [member]})
    rows = [line for line in review_text(draft, item).splitlines() if line.startswith("  · ")]
    assert rows == [f"  · 马小花  女儿  {HOLDER[:6]}********{HOLDER[-4:]}  500"]


def test_the_take_in_check_page_says_how_the_daibanren_acts_and_who_they_are() -> None:
    """It said 代办人：马小兰 13995112233 only: not that she acts as guardian, nor her ID
    number (the receipt says both)."""
    from forms.catalog import load_catalog
    from station.screens.intake_model import IntakeDraft
    from station.screens.intake_review import review_text

    item = load_catalog().get("640522-CL-003")
    principal = {"name": "马小兰", "id_number": HOLDER, "phone": "13995112233"}
    draft = IntakeDraft(
        draft_id="d1", item_code=item.code, relation="guardian", principal=principal
    )
    text = review_text(draft, item)
    masked = f"{HOLDER[:6]}********{HOLDER[-4:]}"
    assert f"代办人（监护人代办）：马小兰  {masked}  13995112233" in text and HOLDER not in text
