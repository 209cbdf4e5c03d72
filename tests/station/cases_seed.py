"""Cases made the way the desk makes them, moved on as the township would (for desk tests)."""

from __future__ import annotations

from datetime import date

from station.services.cases import Actor, Application, CaseService
from station.store import NewEvent, StationStore
from sync.events import EventKind, Role
from sync.reducer import CaseView
from tests.station.conftest import shipped_catalog
from tests.station.test_intake import ELDER_ID

AGENT = Actor(user_id="u-agent201", role=Role.agent, name="马丽")
REVIEWER = "u-reviewer"


def allowance(name: str = "马占福", id_number: str = ELDER_ID) -> Application:
    """A complete 高龄津贴 application."""
    return Application(
        item_code="640522-MZ-001",
        applicant={"name": name, "id_number": id_number, "phone": "13895401122"},
        fields={
            "hukou_address": "海原县海城镇山门村三组",
            "living_situation": "与子女同住",
            "bank_name": "中国邮政储蓄银行",
            "bank_account": "6217991234567895",
        },
        materials={
            "id_card": "provided",
            "hukou": "provided",
            "bank_card": "deferred",
            "application_form": "provided",
        },
        supply_by={"bank_card": date(2026, 11, 30)},
    )


def take_in(store: StationStore, name: str = "马占福", agent: Actor = AGENT) -> CaseView:
    """Take a case in as the agent would at the desk."""
    service = CaseService(store, shipped_catalog(), agent)
    return service.take_in(allowance(name), today=date(2026, 11, 23))


def station_agent(store: StationStore) -> Actor:
    """The station's own agent as the centre knows them (an account pulled at enrollment):
    a case it takes in is accepted by a real central, which refuses unknown actors."""
    account = next(a for a in store.list_accounts() if Role(a.role) is Role.agent)
    return Actor(user_id=account.user_id, role=Role.agent, name=account.display_name)


def township(
    store: StationStore, case_number: str, *kinds: tuple[EventKind, dict[str, object]]
) -> CaseView:
    """Submit the case, then write the township's decisions (as a pull would bring them)."""
    events = [NewEvent(EventKind.submitted, AGENT.user_id, Role.agent)]
    events += [NewEvent(kind, REVIEWER, Role.reviewer, payload) for kind, payload in kinds]
    return store.append(case_number, events)
