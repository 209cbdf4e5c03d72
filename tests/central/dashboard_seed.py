"""A county's month for the 看板 tests: cases in two townships, cards, ratings, 办不成事.

Events go through the real push (``StationClient``), with device times in November
2026; "today" is Monday 2026-11-23 (no holiday in November).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sync.events import EventKind, Role
from sync.ids import case_number
from sync.unresolved import unresolved_number

TODAY = date(2026, 11, 23)
VILLAGE_A = "640522100201"
VILLAGE_B = "640522100202"
VILLAGE_C = "640522101301"  # another township
TOWNSHIP_A = "640522100000"
TOWNSHIP_C = "640522101000"
ITEM_1 = "640522-YB-001"
ITEM_2 = "640522-MZ-004"


def at(day: date, hour: int = 2) -> datetime:
    """A device time on ``day`` (02:00 UTC is 10:00 in China: the same day)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class Seeded:
    """What the seed wrote, so a test can count without the service."""

    stations: dict[str, Any] = field(default_factory=dict)
    cases: dict[str, UUID] = field(default_factory=dict)
    """Label → case id."""
    numbers: dict[UUID, str] = field(default_factory=dict)


class Writer:
    """Writes whole case histories through the stations' pushes."""

    def __init__(self, seeded: Seeded) -> None:
        self.seeded = seeded
        self.serial = 0

    def case(
        self,
        label: str,
        village: Any,
        item: str,
        received: date,
        *,
        id_number: str | None = None,
        promised: int = 5,
    ) -> UUID:
        """A case created, received and submitted on ``received`` at ``village``."""
        self.serial += 1
        person = {"name": f"居民{self.serial}", "id_number": id_number or _id(self.serial)}
        payload = {"item_code": item, "item_name": f"事项{item[-3:]}", "applicant": person}
        payload["promised_days"] = promised
        number = case_number(village.credential.division, received, 100 + self.serial)
        created = village.event(
            EventKind.created, payload=payload, case_number=number, device_time=at(received)
        )
        village.numbers[created.case_id] = number
        events = [created]
        for kind in (EventKind.received, EventKind.submitted):
            events.append(village.event(kind, created.case_id, device_time=at(received, 3)))
        assert {r["status"] for r in village.push(events)} == {"applied"}
        self.seeded.cases[label] = created.case_id
        self.seeded.numbers[created.case_id] = number
        return created.case_id

    def by_township(
        self, township: Any, village: Any, case_id: UUID, kind: EventKind, day: date, **payload: Any
    ) -> None:
        """A reviewer's event on a village's case."""
        event = township.event(
            kind,
            case_id,
            division=village.credential.division,
            role=Role.reviewer,
            payload=payload,
            device_time=at(day, 4),
            base_version=0,
            case_number=self.seeded.numbers[case_id],
        )
        assert township.push([event])[0]["status"] == "applied", event.kind

    def by_village(
        self, village: Any, case_id: UUID, kind: EventKind, day: date, **payload: Any
    ) -> None:
        """The agent's event on its own case."""
        event = village.event(kind, case_id, payload=payload, device_time=at(day, 5))
        assert village.push([event])[0]["status"] == "applied", event.kind

    def record(self, village: Any, day: date, what: str) -> UUID:
        """A 办不成事 record reported on ``day``."""
        number = unresolved_number(village.credential.division, day, self.serial + 1)
        self.serial += 1
        event = village.event(
            EventKind.reported,
            payload={"what": what, "why": "本站无此事项"},
            case_number=number,
            device_time=at(day),
        )
        assert village.push([event])[0]["status"] == "applied"
        return event.case_id


def _id(serial: int) -> str:
    first17 = f"6405221960{serial // 100 % 10}1{serial % 100:02d}{serial % 1000:03d}"[:17]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def seed_month(enroll: Any) -> Seeded:
    """The county's November: see the module docstring; labels name each case's fate."""
    seeded = Seeded()
    a, b, c = (
        enroll(VILLAGE_A, name="山门村站"),
        enroll(VILLAGE_B, name="红岸村站"),
        enroll(VILLAGE_C, name="李俊村站"),
    )
    town_a, town_c = (
        enroll(TOWNSHIP_A, "township", "海城镇中心"),
        enroll(TOWNSHIP_C, "township", "李俊乡中心"),
    )
    seeded.stations = {"a": a, "b": b, "c": c, "town_a": town_a, "town_c": town_c}
    w = Writer(seeded)
    nov = date(2026, 11, 1)
    # decided and rated: 5, 4, 1 in November; one rated 2 in October (outside the period)
    for label, village, item, rating in (
        ("good5", a, ITEM_2, 5),
        ("good4", a, ITEM_2, 4),
        ("bad1", b, ITEM_2, 1),
    ):
        case_id = w.case(label, village, item, nov + timedelta(days=1))
        w.by_township(town_a, village, case_id, EventKind.accepted, nov + timedelta(days=2))
        w.by_township(
            town_a,
            village,
            case_id,
            EventKind.completed,
            nov + timedelta(days=3),
            result="approved",
        )
        w.by_village(
            village, case_id, EventKind.handed_over, nov + timedelta(days=4), how="当面领取"
        )
        reason = {"reason": "等了太久"} if rating <= 2 else {}
        w.by_village(
            village, case_id, EventKind.rated, nov + timedelta(days=5), rating=rating, **reason
        )
    old = w.case("october", b, ITEM_2, date(2026, 10, 20))
    w.by_township(town_a, b, old, EventKind.accepted, date(2026, 10, 21))
    w.by_township(town_a, b, old, EventKind.completed, date(2026, 10, 22), result="approved")
    w.by_village(b, old, EventKind.handed_over, date(2026, 10, 23), how="当面领取")
    w.by_village(b, old, EventKind.rated, date(2026, 10, 26), rating=2, reason="态度不好")
    # 红黄牌 on Monday 23 November
    red = w.case("red_decision", a, ITEM_1, date(2026, 11, 2))  # accepted 2 Nov, 5 days: due 9 Nov
    w.by_township(town_a, a, red, EventKind.accepted, date(2026, 11, 2))
    yellow = w.case("yellow_decision", b, ITEM_2, date(2026, 11, 16))  # accepted 16 Nov: due 23 Nov
    w.by_township(town_a, b, yellow, EventKind.accepted, date(2026, 11, 16))
    calm = w.case("calm", c, ITEM_2, date(2026, 11, 20), promised=20)
    w.by_township(town_c, c, calm, EventKind.accepted, date(2026, 11, 20))
    w.case("yellow_acceptance", c, ITEM_2, date(2026, 11, 17))  # §32: day 4 on 23 Nov
    w.case("red_acceptance", c, ITEM_1, date(2026, 11, 16))  # §32: day 5 on 23 Nov
    # 办不成事: one in November, one in October
    seeded.cases["record_nov"] = w.record(a, date(2026, 11, 12), "办理林权证")
    seeded.cases["record_oct"] = w.record(a, date(2026, 10, 12), "办理房产证")
    return seeded
