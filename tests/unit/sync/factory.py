"""Build events for sync tests (valid payloads per kind, gapless station_seq)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sync.events import Event, EventKind, RecordedEvent, Role
from sync.ids import new_id

DIVISION = "640522100201"
STATION = "st-village-1"
SHA = "ab" * 32

VALID_PAYLOADS: dict[EventKind, dict[str, Any]] = {
    EventKind.created: {
        "item_code": "NX-PENSION-01",
        "item_version": "3",
        "item_name": "城乡居民养老保险参保登记",
        "promised_days": 5,
        "applicant": {"name": "马兰花", "id_number": "640522195001011234", "phone": "13900000000"},
        "relation": "agent",
        "principal": {"name": "马小军"},
        "fields": {"bank": "黄河农商银行"},
        "materials": {"id_card": "provided", "hukou": "deferred"},
        "supply_by": {"hukou": "2026-12-01"},
        "attachments": [{"sha256": SHA, "name": "id.jpg", "size": 10, "material_key": "id_card"}],
        "commitment": True,
        "station_name": "红星村便民服务站",
        "agent_name": "李代办",
        "agent_phone": "13800000000",
    },
    EventKind.edited: {"fields": {"bank": "中国农业银行"}},
    EventKind.discarded: {},
    EventKind.received: {},
    EventKind.submitted: {},
    EventKind.accepted: {"promised_days": 3, "officer": "王审核"},
    EventKind.returned: {"reason": "户口簿复印件不清晰", "missing": ["hukou"], "fields": ["bank"]},
    EventKind.supplemented: {"materials": {"hukou": "provided"}, "attachments": []},
    EventKind.resubmitted: {},
    EventKind.rejected: {"reason": "不属于本事项受理范围", "apply_instead": "县医保局"},
    EventKind.forwarded: {"to": "县人社局"},
    EventKind.paused: {"reason": "公示七天", "kind": "公示"},
    EventKind.resumed: {},
    EventKind.completed: {"result": "approved", "note": None},
    EventKind.handed_over: {"how": "in_person", "signed_by": "马兰花"},
    EventKind.rated: {"rating": 5},
    EventKind.withdrawn: {"reason": "申请人不再需要"},
    EventKind.acknowledged: {},
    EventKind.corrected: {
        "changes": {"fields.bank": {"old": "黄河农商银行", "new": "中国农业银行"}}
    },
    EventKind.rating_corrected: {"old": 5, "new": 3, "why": "居民当场更正"},
    EventKind.reported: {"what": "办理房产证", "why": "不在本站办理范围"},
    EventKind.claimed: {"name": "王审核"},
    EventKind.id_revealed: {"whose": "applicant", "name": "王审核"},
}


class CaseWriter:
    """Writes events for one case, as a station would (gapless station_seq)."""

    def __init__(self, *, station: str = STATION, start: datetime | None = None) -> None:
        self.case_id: UUID = new_id()
        self.station = station
        self.seq = 0
        self.clock = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def event(
        self,
        kind: EventKind,
        role: Role = Role.agent,
        payload: dict[str, Any] | None = None,
        *,
        days: float = 0,
        base_version: int = 0,
    ) -> Event:
        self.seq += 1
        self.clock += timedelta(days=days, minutes=1)
        return Event(
            id=new_id(),
            case_id=self.case_id,
            case_number=f"{DIVISION}-20261123-0001",
            division=DIVISION,
            kind=kind,
            station_id=self.station,
            station_seq=self.seq,
            base_version=base_version,
            actor_id=f"user-{role.value}",
            actor_role=role,
            device_time=self.clock,
            payload=VALID_PAYLOADS[kind] if payload is None else payload,
        )


def recorded(
    event: Event, seq: int, status: str = "applied", reason: str | None = None
) -> RecordedEvent:
    return RecordedEvent(**event.model_dump(), central_seq=seq, status=status, reason=reason)
