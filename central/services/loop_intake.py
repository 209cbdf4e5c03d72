"""闭环 intake: every 差评 and every 办不成事 report becomes one work item, where events are applied.

Why at apply time, not by a sweep: the push transaction already holds the case's
new view and is serialised at the event counter, so the item is created in the
same commit as the rating that causes it (never a rating without its item, never
an item without its rating) and the ``source_id`` UNIQUE key makes a second item
impossible. A bundle goes through the same ``apply_events``, so it is covered
without a second path. A replayed push or bundle is ``duplicate`` and never
reaches here; a corrected rating finds the existing item and changes it.

A rating corrected out of 差评 (to 基本满意 or better):

* before anyone worked on the item (still ``open``, not assigned) it is
  ``withdrawn`` — there is nothing to follow up;
* once the county assigned it, it stays and records the correction as a step:
  work already done is kept, and the county decides to close it.

A rating corrected back into 差评 reopens a withdrawn item (the same item).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import Connection, insert, select, update

from central.models import LoopItem, LoopStep, Station, utcnow
from central.services.sequence import take_one
from sync.reducer import CaseView
from sync.unresolved import UnresolvedView

LOOPS_COUNTER = "loops"
"""Stamps every change of an item: the stations' outcome cursor."""
BAD_RATING = 2
"""差评: 不满意 (2) and 非常不满意 (1)."""

ITEMS = LoopItem.__table__  # type: ignore[attr-defined]
STEPS = LoopStep.__table__  # type: ignore[attr-defined]


def is_bad(rating: int | None) -> bool:
    """Whether a rating is a 差评 (不满意 or 非常不满意)."""
    return rating is not None and rating <= BAD_RATING


def add_step(connection: Connection, item_id: int, action: str, **fields: Any) -> None:
    """Append one step (the table is append-only: steps are never changed)."""
    connection.execute(
        insert(STEPS).values(
            item_id=item_id,
            at=utcnow(),
            action=action,
            actor_username=fields.get("username", ""),
            actor_name=fields.get("name", ""),
            actor_role=fields.get("role", ""),
            detail=fields.get("detail", {}),
        )
    )


def touch(connection: Connection, item_id: int, **values: Any) -> None:
    """Change an item's columns and stamp it with the next ``loops`` number."""
    seq = take_one(connection, LOOPS_COUNTER)
    connection.execute(update(ITEMS).where(ITEMS.c.id == item_id).values(updated_seq=seq, **values))


def open_items(connection: Connection, views: Iterable[Any], station: Station) -> int:
    """Create or update the items of the given case and record views (in the push's transaction).

    Args:
        connection: the push transaction's connection.
        views: the views of the cases and records whose rating or report was applied.
        station: the station that pushed (or whose bundle was imported).

    Returns:
        How many items were created.
    """
    wanted = [v for v in views if _source(v) is not None]
    if not wanted:
        return 0
    ids = [_source(v) for v in wanted]
    held = {
        row.source_id: row
        for row in connection.execute(select(ITEMS).where(ITEMS.c.source_id.in_(ids)))
    }
    created = 0
    for view in wanted:
        row = held.get(_source(view))
        if row is None:
            created += _create(connection, view, station)
        elif isinstance(view, CaseView) and row.rating != view.rating:
            _rating_changed(connection, row, view)
    return created


def _source(view: Any) -> UUID | None:
    if isinstance(view, UnresolvedView) and view.exists:
        return view.record_id
    if isinstance(view, CaseView) and view.exists and view.rating is not None:
        return view.case_id
    return None


def _create(connection: Connection, view: CaseView | UnresolvedView, station: Station) -> int:
    if isinstance(view, CaseView):
        if not is_bad(view.rating):
            return 0
        values = {
            "source_kind": "rating",
            "source_id": view.case_id,
            "source_number": view.case_number,
            "words": view.rating_reason or "",
            "rating": view.rating,
        }
    else:
        values = {
            "source_kind": "unresolved",
            "source_id": view.record_id,
            "source_number": view.number,
            "words": f"{view.what}：{view.why}",
            "rating": None,
        }
    seq = take_one(connection, LOOPS_COUNTER)
    item_id = connection.execute(
        insert(ITEMS)
        .values(
            **values,
            division=view.division,
            station_id=view.station_id or station.id,
            station_name=view.station_name or station.name,
            created_at=utcnow(),
            state="open",
            unit_kind="",
            unit="",
            unit_name="",
            appeal="",
            updated_seq=seq,
        )
        .returning(ITEMS.c.id)
    ).scalar_one()
    add_step(connection, item_id, "created", detail={"words": values["words"]})
    return 1


def _rating_changed(connection: Connection, row: Any, view: CaseView) -> None:
    detail = {"old": row.rating, "new": view.rating, "words": view.rating_reason or ""}
    changes: dict[str, Any] = {"rating": view.rating}
    if is_bad(view.rating):
        changes["words"] = view.rating_reason or row.words
        action = "reopened" if row.state == "withdrawn" else "rating_corrected"
        if row.state == "withdrawn":
            changes["state"] = "open"
    elif row.state == "open":  # nobody worked on it yet: nothing to follow up
        action, changes["state"] = "withdrawn", "withdrawn"
    else:  # work was done: kept, the county decides to close it
        action = "rating_corrected"
    add_step(connection, row.id, action, detail=detail)
    touch(connection, row.id, **changes)
