"""Who is who on a case's review page: the resident and the person who acts for them."""

from __future__ import annotations

from uuid import uuid4

from station.services.review import _persons
from sync.payloads import Person
from sync.views import CaseView


def test_the_relative_who_files_for_the_resident_is_the_entrusted_one() -> None:
    """The resident (申请人) entrusts; the relative who comes to file is the 受托人. The
    page called the relative 委托人, the reverse of the 授权委托书 and the receipt."""
    view = CaseView(
        case_id=uuid4(),
        case_number="640522100201-20261205-0006",
        division="640522100201",
        applicant=Person(name="马秀兰", id_number="640522194003150227"),
        principal=Person(name="马建国", id_number="640522196805120010", phone="13900000001"),
        relation="relative",
    )
    lines = {line.name: line.role for line in _persons(view)}
    assert lines == {"马秀兰": "申请人", "马建国": "受托人（代办人）"}
    assert "委托人" not in lines.values()
