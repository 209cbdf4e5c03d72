"""A county's month for ``daiban demo``: cases at both villages, decisions, a 差评, a 办不成事.

So every desk of the demo has something to show on its first opening: the village
its cases, the township its queue, the county its dashboard, its 闭环 list (a 差评
and a 办不成事 report) and a duplicate application across two villages. Done once
(a marker file), in this process, through the same services and sync as the desks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

RESIDENTS = (
    ("马秀兰", date(1948, 3, 12), 102, "山门村一组"),
    ("田万福", date(1951, 7, 2), 101, "山门村二组"),
    ("李桂芳", date(1956, 11, 20), 104, "山门村三组"),
    ("杨志强", date(1962, 5, 8), 103, "山门村一组"),
    ("海玉梅", date(1939, 9, 30), 106, "山门村四组"),
    ("马占林", date(1947, 1, 16), 105, "武塬村一组"),
    ("苏兰英", date(1953, 6, 25), 108, "武塬村二组"),
    ("田国华", date(1960, 12, 3), 107, "武塬村三组"),
)
"""Demo residents: name, birthday, serial (ID digits 15-17: the 17th odd for a man, even for a
woman, as the desk reads the sex from it), where the 户口 is."""


def _id_number(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def _line(name: str, born: date, serial: int, place: str) -> str:
    """A 医保参保 application as a ``case import`` line."""
    return json.dumps(
        {
            "item": "640522-YB-001",
            "applicant": {
                "name": name,
                "id_number": _id_number(f"640522{born:%Y%m%d}{serial:03d}"),
                "phone": f"139{serial:08d}",
            },
            "relation": "self",
            "fields": {"hukou_address": place, "category": "普通居民", "insured_year": 2027},
            "materials": {"id_card": "provided"},
            "receive": True,
        },
        ensure_ascii=False,
    )


@contextmanager
def _service(data_dir: Path, username: str) -> Iterator[Any]:
    """The case service of ``username`` at the station in ``data_dir``."""
    from forms.catalog import load_catalog
    from station.services.application import Actor
    from station.services.cases import CaseService
    from station.store import StationStore
    from sync.events import Role

    store = StationStore.open(data_dir)
    try:
        account = store.find_account(username)
        if account is None:
            raise RuntimeError(f"the demo account {username} is not at {data_dir}")
        actor = Actor(
            user_id=str(account.user_id),
            role=Role(account.role),
            name=account.display_name,
            phone=account.phone,
        )
        yield CaseService(store, load_catalog(), actor)
    finally:
        store.close()


def _take_in(data_dir: Path, username: str, lines: list[str]) -> list[str]:
    from station.services.importer import import_lines

    with _service(data_dir, username) as service:
        report = import_lines(service, lines)
    return list(report.case_numbers)


def seed(base: Path, sync: Any, dirs: dict[str, Path]) -> None:
    """Fill the demo with a month's work, once.

    Args:
        base: the demo directory (the marker file lives there).
        sync: ``sync(data_dir)`` runs one sync of a station (the demo's ``daiban sync``).
        dirs: the data dirs by role: ``village``, ``village2``, ``township``, ``county``.
    """
    marker = base / "demo-seeded"
    if marker.exists():
        return
    village, village2 = dirs["village"], dirs["village2"]
    township, county = dirs["township"], dirs["county"]
    first = [_line(*person) for person in RESIDENTS[:5]]
    second = [_line(*person) for person in RESIDENTS[5:8]] + [first[0]]  # one applies twice
    mine = _take_in(village, "agent201", first)
    theirs = _take_in(village2, "agent202", second)
    with _service(village, "agent201") as service:
        service.record_unresolved(
            what="为在银川住院的母亲补办出生医学证明",
            why="出生医学证明由出生医院签发，本站和乡镇都不能代办，群众跑了两趟",
            contact="马秀兰 13995110021",
        )
    for station in (village, village2, township):
        sync(station)
    with _service(township, "reviewer") as service:
        for number in [*mine, *theirs[:2]]:
            service.act(number, _kind("accepted"))
        service.act(
            theirs[2],
            _kind("returned"),
            reason="户口簿复印件不清楚，请重新复印户主页和本人页",
            payload={"missing": ["hukou"], "fields": [], "allow_more": False},
        )
    sync(township)
    sync(county)
    with _service(county, "admin") as service:
        for number in mine[:4]:
            service.act(number, _kind("completed"), payload={"result": "approved", "note": None})
    sync(county)
    sync(village)
    with _service(village, "agent201") as service:
        for number in mine[:3]:
            service.hand_over(number, how="当面送达", signed_by="本人")
        service.rate(mine[0], 5)
        service.rate(mine[1], 4)
        service.rate(mine[2], 1, "等了二十多天没人通知，跑了三趟才拿到")
    for station in (village, township, county):
        sync(station)  # every desk opens on the month as the centre has it
    marker.write_text("ok\n", encoding="utf-8")


def _kind(name: str) -> Any:
    from sync.events import EventKind

    return EventKind(name)
