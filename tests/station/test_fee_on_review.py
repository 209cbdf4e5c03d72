"""The take-in's last step reads the fee back to the resident from the item's ``[fee]``."""

from __future__ import annotations

import pytest

from forms.catalog import load_catalog
from station.screens.intake_model import IntakeDraft
from station.screens.intake_review import review_text


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("640522-RS-004", "收费：免费"),
        ("640522-GA-001", "收费：免费（首次申领免收工本费；换领、补领由派出所按规定收取工本费）"),
        (
            "640522-YB-001",
            "收费：参保登记不收费；个人缴费按当年度标准由税务部门收取，困难群体由政府资助",
        ),
    ],
)
def test_the_review_says_what_the_resident_pays(code: str, line: str) -> None:
    item = load_catalog().get(code)
    draft = IntakeDraft(draft_id="d1", item_code=code, applicant={"name": "马秀英"})
    lines = review_text(draft, item).splitlines()
    assert lines[1] == line
