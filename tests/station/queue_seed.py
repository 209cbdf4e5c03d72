"""A township station holding its villages' cases, as pulls from the centre bring them in.

Each village is a real station store (its own division, name and agent); its cases
are taken in with the desk's ``CaseService`` and submitted at a given time, then
its outbox is delivered to the township store as a page from the centre would be.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from forms.clock import CHINA
from station.services.cases import Actor, CaseService
from station.store import NewEvent, StationIdentity, StationStore
from sync.events import EventKind, RecordedEvent, Role
from sync.protocol import AccountRecord, EventResult, PullResponse, ResultStatus, StationRole
from sync.reducer import CaseView
from tests.station.cases_seed import allowance
from tests.station.conftest import PASSWORD, _hash, shipped_catalog
from tests.station.test_intake import ELDER_ID

TOWNSHIP = "640522100000"
REVIEWERS = [("u-wf", "wangfang", "王芳"), ("u-lq", "liqiang", "李强")]
"""Two reviewers of the township (both cached at its station)."""


def township_store(data_dir: Path) -> StationStore:
    """The 海城镇 township station, with its two reviewers cached."""
    store = StationStore.open(data_dir)
    store.save_identity(
        StationIdentity(
            station_id="st-town-100",
            division=TOWNSHIP,
            name="海城镇便民服务中心",
            role=StationRole.township,
            central_url="http://127.0.0.1:9",
            token="t",
            signing_key="00" * 32,
        )
    )
    store.upsert_accounts(
        [
            AccountRecord(
                user_id=user_id,
                username=username,
                display_name=name,
                role=Role.reviewer,
                division=TOWNSHIP,
                password_hash=_hash(PASSWORD),
                updated_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
            for user_id, username, name in REVIEWERS
        ]
    )
    return store


class Village:
    """A village station whose cases reach the township."""

    def __init__(self, data_dir: Path, division: str, name: str) -> None:
        self.store = StationStore.open(data_dir)
        self.store.save_identity(
            StationIdentity(
                station_id=f"st-{division}",
                division=division,
                name=name,
                role=StationRole.village,
                central_url="http://127.0.0.1:9",
                token="t",
                signing_key="00" * 32,
            )
        )
        self.agent = Actor(user_id=f"u-agent-{division[-3:]}", role=Role.agent, name="马丽")

    def submit(self, name: str, submitted: datetime, id_number: str = ELDER_ID) -> CaseView:
        """Take a 高龄津贴 application in and submit it (报送) at ``submitted`` (China time)."""
        application = allowance(name, id_number).model_copy(update={"supply_by": {}})
        service = CaseService(self.store, shipped_catalog(), self.agent)
        case = service.take_in(application, today=submitted.date())
        event = NewEvent(EventKind.submitted, self.agent.user_id, Role.agent, device_time=submitted)
        return self.store.append(case.case_number, [event])

    def close(self) -> None:
        """Release the store."""
        self.store.close()


def deliver(township: StationStore, *villages: Village) -> None:
    """Bring everything the villages wrote since the last delivery into the township."""
    seq = township.pull_cursor()
    events: list[RecordedEvent] = []
    for village in villages:
        batch = village.store.outbox_batch(limit=10_000, max_bytes=1 << 30)
        results = []
        for event in batch:
            seq += 1
            events.append(RecordedEvent(**event.model_dump(), central_seq=seq))
            results.append(
                EventResult(id=event.id.hex, status=ResultStatus.applied, central_seq=seq)
            )
        village.store.acknowledge(results)
    township.apply_pull_page(PullResponse(events=events, next_cursor=seq, has_more=False))


def at(day: date, hour: int = 10) -> datetime:
    """A moment of ``day`` in China."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA)


def decide(
    township: StationStore,
    case_number: str,
    kind: EventKind,
    when: datetime,
    payload: dict[str, object] | None = None,
    reviewer: str = "u-wf",
) -> CaseView:
    """A reviewer's decision written at the township station at ``when``."""
    event = NewEvent(kind, reviewer, Role.reviewer, payload or {}, device_time=when)
    return township.append(case_number, [event])
