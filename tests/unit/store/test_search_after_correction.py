"""A 补正 that corrects how a resident is reached (the applicant's phone) is found by the
new number at once, and no longer by the old one: the search terms follow the case, not
only its name and ID number. Whether pulled or typed here, every change of a stored case
goes through the same projection."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from station.services.cases import CaseService
from station.store import StationStore, stored
from station.store.tables import CASES
from sync.events import EventKind
from tests.unit.store.conftest import last_release_search
from tests.unit.store.test_lifecycle_fixes import TODAY, allowance, returned

OLD_PHONE = "13800000000"
"""The phone ``allowance()`` takes in."""
NEW_PHONE = "13912345678"


def _found(store: StationStore, query: str) -> list[str]:
    return [case.case_number for case in store.list_cases(query)]


def test_a_corrected_phone_is_found_by_the_new_number_and_not_the_old(
    service: CaseService, store: StationStore
) -> None:
    number = returned(service, store, allow_more=True)
    other = returned(service, store, allow_more=True)  # the same phone, not corrected
    assert sorted(_found(store, OLD_PHONE)) == sorted([number, other])
    assert _found(store, NEW_PHONE) == []

    view = service.correct(number, {"applicant.phone": NEW_PHONE})

    assert view.applicant is not None and view.applicant.phone == NEW_PHONE
    assert _found(store, NEW_PHONE) == [number]
    assert _found(store, NEW_PHONE[-4:]) == [number]  # the last four, as people say them
    assert _found(store, OLD_PHONE) == [other]
    service.resubmit(number)  # written again, its terms stay the corrected ones
    assert _found(store, NEW_PHONE) == [number]
    assert sorted(_found(store, "马兰花")) == sorted([number, other])  # and by name


def test_the_people_of_a_lean_stored_view_come_from_its_created_payload(
    service: CaseService, store: StationStore
) -> None:
    """A case stored without its applicant (the created payload holds the same) reads its
    applicant from the payload, so writing it again is not taken for a correction."""
    number = returned(service, store)
    view = store.get_case(number)
    assert view is not None
    created = next(e.event_id.hex for e in view.history if e.kind is EventKind.created)
    with store.engine.connect() as conn:
        text_view, extracted = conn.execute(
            select(CASES.c.view, func.json_extract(CASES.c.view, *stored.PEOPLE_PATHS)).where(
                CASES.c.case_number == number
            )
        ).one()
        payloads = stored.created_payloads(conn, [view])
    assert "applicant" not in json.loads(text_view)  # lean: the payload holds it
    applicant, principal = stored.people(extracted, payloads[created])
    assert (applicant["name"], applicant["phone"], principal) == ("马兰花", OLD_PHONE, None)


def test_a_renumbered_case_is_found_by_its_new_number_and_not_the_old(
    service: CaseService, store: StationStore
) -> None:
    """The centre held the number already: the case takes the next one of its day and the
    resident gets a new receipt, whose number the search box must find."""
    case = service.take_in(allowance(), today=TODAY)
    old = case.case_number
    assert _found(store, old) == [old]

    new = store.renumber_case(case.case_id)

    assert new != old
    assert _found(store, new) == [new]
    assert _found(store, new.replace("-", "")) == [new]
    assert _found(store, old) == []


def test_an_upgraded_station_finds_a_case_corrected_before_by_its_new_phone(
    service: CaseService, store: StationStore
) -> None:
    """A case corrected under the last release (0013) holds the new phone in its view and
    the old one in the search index: the upgrade rebuilds the index (0014), nothing sent or
    lost."""
    from station.store.search import terms

    number = returned(service, store, allow_more=True)
    service.correct(number, {"applicant.phone": NEW_PHONE})
    view = store.get_case(number)
    assert view is not None and view.applicant is not None
    pending = store.outbox_depth()
    last_release = terms(number, "马兰花", view.applicant.id_number, "", OLD_PHONE)
    last_release_search(store, "0013_owed_materials", view.case_id.hex, last_release)
    assert _found(store, NEW_PHONE) == []
    data_dir = store.data_dir
    store.close()
    upgraded = StationStore.open(data_dir)
    try:
        assert _found(upgraded, NEW_PHONE) == [number]
        assert _found(upgraded, OLD_PHONE) == []
        assert upgraded.outbox_depth() == pending  # nothing sent, nothing lost
    finally:
        upgraded.close()
