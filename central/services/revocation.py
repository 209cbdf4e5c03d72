"""Undoing a revocation, and delivering a revoked station's unsent work (issue 13, point 4).

Revoking a station refuses its credential; it must not lose the cases it had not yet
sent. Two ways back, both an administrator's audited act:

- within a grace period the county undoes the revocation (a PC revoked by mistake, or
  found again): the same credential works again;
- later (or for a PC that is really gone) the county imports the station's offline
  bundle, approving it explicitly although the station is revoked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session

from central.i18n import _
from central.models import Station, as_utc, utcnow
from central.services.stations import find_station
from forms.clock import format_minute
from sync.protocol import StationRole

UNREVOKE_GRACE = timedelta(days=7)
"""How long after a revocation the county may still undo it."""


class RevocationError(ValueError):
    """A revocation that cannot be undone (message in Chinese, for the administrator)."""


def unrevoke_station(
    *, session: Session, station_id: str, grace: timedelta = UNREVOKE_GRACE
) -> Station:
    """Undo a station's revocation: its credential is accepted again (the caller audits
    the act in the same transaction; committed here).

    Raises:
        StationNotFoundError: no such station.
        RevocationError: not revoked, revoked longer ago than ``grace``, or a village
            whose replacement station is already enrolled.
    """
    station = find_station(session=session, station_id=station_id)
    revoked_at = as_utc(station.revoked_at)
    if revoked_at is None:
        raise RevocationError(_("station {station} is not revoked").format(station=station.id))
    if utcnow() - revoked_at > grace:
        message = _(
            "station {station} was revoked more than {days} days ago: enroll it again, and "
            "bring its unsent work as an approved bundle"
        )
        raise RevocationError(message.format(station=station.id, days=grace.days))
    _refuse_second_active(session, station)
    station.revoked_at = None
    session.add(station)
    session.commit()
    return station


def _refuse_second_active(session: Session, station: Station) -> None:
    """A village has one active station: not the old one back beside its replacement."""
    if StationRole(station.role) is not StationRole.village:
        return
    active = session.scalars(
        select(Station).where(
            Station.division == station.division,  # type: ignore[arg-type]
            Station.role == station.role,  # type: ignore[arg-type]
            Station.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if active is not None:
        message = _(
            "village {division} already has an active station ({name}, enrolled {enrolled}): "
            "bring the old PC's unsent work as an approved bundle instead"
        )
        raise RevocationError(
            message.format(
                division=station.division,
                name=active.name,
                enrolled=format_minute(as_utc(active.enrolled_at)),
            )
        )
