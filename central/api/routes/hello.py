"""POST /hello: the station says who it is; the centre answers its time and schemas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from central.api.deps import BearerDep, SessionDep, SettingsDep, StationDep
from central.api.groups import apart, group_of
from central.api.routing import ReleasingRoute
from central.db import relax_commit, write_turn
from central.models import Station, utcnow
from central.services.group_commit import Queued
from central.services.station_tokens import IssuedToken, rotate_if_due, rotation_due
from central.services.stations import touch_station, touch_values, write_touch
from central.settings import CentralSettings
from sync.protocol import HelloRequest, HelloResponse, StationRole

router = APIRouter(prefix="/hello", tags=["sync"], route_class=ReleasingRoute)


@dataclass(frozen=True)
class _Touch:
    """One station's hello to record (the columns it changes)."""

    station_id: str
    values: dict[str, object]


def _write_touches(session: Session, group: Sequence[Queued[_Touch, None]]) -> None:
    """Record the hellos queued together in one transaction; if that fails (a lock
    conflict on PostgreSQL), each alone, each told its own error. What a hello records
    (last contact, reported figures) is written again by the next one, so its commit
    does not wait for the disk (``relax_commit``)."""
    with write_turn(session.get_bind().engine):  # SQLite: queue with pushes, not sleep-poll
        if len(group) > 1:
            try:
                relax_commit(session)
                for queued in sorted(group, key=lambda q: q.job.station_id):  # one lock order
                    write_touch(session, queued.job.station_id, queued.job.values)
                session.commit()
            except Exception:  # noqa: BLE001 - retried one by one below
                session.rollback()
            else:
                for queued in group:
                    queued.answer.set_result(None)
                return
        for queued in group:
            try:
                relax_commit(session)
                write_touch(session, queued.job.station_id, queued.job.values)
                session.commit()
            except Exception as error:  # noqa: BLE001 - it belongs to that hello alone
                session.rollback()
                queued.answer.set_exception(error)
            else:
                queued.answer.set_result(None)


def _hello_alone(
    session: Session, station: Station, request: HelloRequest, presented: str, lifetime: timedelta
) -> IssuedToken | None:
    """Record the hello and rotate the station's token, in this request's transaction."""
    with write_turn(session.get_bind().engine):
        touch_station(
            session=session,
            station=station,
            software_version=request.software_version,
            report=request,
        )
        return rotate_if_due(
            session=session, station=station, presented=presented, lifetime=lifetime
        )


async def record_hello(
    request: HelloRequest, station: Station, session: Session, http: Request
) -> None:
    """Record the station as seen with ``request``'s report, grouped with other hellos
    (nothing written when nothing changed and it was seen within the minute)."""
    values = touch_values(station, request.software_version, request)
    if values is not None:
        touches = group_of(http, "hello")
        await touches.submit_async(
            _Touch(station.id, values), apart(session.get_bind(), _write_touches)
        )


@router.post("", response_model=HelloResponse)
async def hello(
    request: HelloRequest,
    station: StationDep,
    session: SessionDep,
    settings: SettingsDep,
    presented: BearerDep,
    http: Request,
) -> HelloResponse:
    """Record the station as seen, with what it reports holding (its outbox, its catalog
    version, its cases); tell it the time and the schema versions accepted, and give it
    a new token when its own is past half its life.

    At 9 a.m. the hellos of many stations are recorded together, one durable commit
    for all (``central.services.group_commit``), waiting on the event loop, not in a
    request thread; a station whose token is due a rotation is answered alone.
    """
    return await greet(request, station, session, settings, presented, http)


async def greet(
    request: HelloRequest,
    station: Station,
    session: Session,
    settings: CentralSettings,
    presented: str,
    http: Request,
    *,
    record: bool = True,
) -> HelloResponse:
    """Record the hello (grouped, or alone with the token's rotation) and make its answer
    (``POST /hello``, and the first part of ``POST /sync``).

    ``record=False``: the caller records it later (:func:`record_hello`), unless the
    token's rotation recorded it already."""
    lifetime = timedelta(days=settings.station_token_days)
    fresh: IssuedToken | None = None
    if rotation_due(station=station, presented=presented, lifetime=lifetime):
        fresh = await run_in_threadpool(
            _hello_alone, session, station, request, presented, lifetime
        )
    elif record:
        await record_hello(request, station, session, http)
    return HelloResponse(
        server_time=utcnow(),
        min_schema_version=settings.min_schema_version,
        max_schema_version=settings.max_schema_version,
        station_id=station.id,
        division=station.division,
        role=StationRole(station.role),
        public_base_url=settings.public_base_url,
        token=fresh.token if fresh else None,
        token_expires_at=fresh.expires_at if fresh else None,
    )
