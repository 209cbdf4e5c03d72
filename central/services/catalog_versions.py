"""Numbered, immutable catalog versions (同源发布): publish, list, serve.

The county publishes a catalog as version 1, 2, 3 …; each is stored once, as the
document stations download, and never changed. Until the first publication the
centre serves the catalog it is configured with (``settings.catalog_path``, the
shipped one by default) as version 0.

Publishing checks the catalog, compares it with the version served now, keeps
the item versions it replaces (cases filed under them still find them) and
refuses an item whose content changed under the same item version.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from central.i18n import _
from central.models import CatalogVersion, Station, User, as_utc, utcnow
from central.services.admin_audit import record_action
from central.services.sessions import Person
from forms.catalog.diff import CatalogDiff, diff_catalogs
from forms.catalog.loader import load_catalog
from forms.catalog.model import Catalog
from forms.publish import catalog_checksum, publish, read_published, supersede


class PublishRefused(ValueError):
    """The catalog cannot be published (the message says why, translated)."""


@dataclass(frozen=True)
class ServedCatalog:
    """The catalog stations should run: its number (0: unpublished), version and hash."""

    number: int
    version: str
    sha256: str


@dataclass(frozen=True)
class PublishOutcome:
    """What a publication did."""

    number: int
    version: str
    sha256: str
    created: bool
    """False: the same catalog was already published (nothing stored)."""
    diff: CatalogDiff


_unpublished: dict[int, tuple[Catalog, bytes]] = {}
"""Version 0's document by catalog object (the loader hands out one object until a file changes)."""

_checked: dict[Path | None, tuple[float, tuple[Catalog, bytes]]] = {}
"""Version 0 by configured path, with when its files were last looked at (monotonic)."""

RECHECK_S = 1.0
"""How long version 0 is served without looking at its files again. Looking (a stat of
every item file) cost a pull ~0.3 ms, a third of an empty pull in a county that has not
published yet; a catalog edited on disk is now served at most a second later."""


_clock = time.monotonic
"""The clock of ``RECHECK_S`` (a test moves it)."""


def _version_zero(path: Path | None) -> tuple[Catalog, bytes]:
    now = _clock()
    checked = _checked.get(path)
    if checked is not None and 0 <= now - checked[0] < RECHECK_S:
        return checked[1]
    catalog = load_catalog(path)
    cached = _unpublished.get(id(catalog))
    if cached is None or cached[0] is not catalog:
        _unpublished.clear()
        cached = _unpublished[id(catalog)] = (catalog, publish(catalog))
    if len(_checked) > 8:  # a few configured paths per process (tests make many)
        _checked.clear()
    _checked[path] = (now, cached)
    return cached


def _latest_row(session: Session) -> CatalogVersion | None:
    query = select(CatalogVersion).order_by(col(CatalogVersion.number).desc()).limit(1)
    return session.exec(query).first()


_LATEST = (
    select(CatalogVersion.number, CatalogVersion.version, CatalogVersion.sha256)
    .order_by(col(CatalogVersion.number).desc())
    .limit(1)
)
"""The latest published version's number, version and hash: every pull announces it, so
the statement is built once."""


def served_catalog(*, session: Session, path: Path | None) -> ServedCatalog:
    """The latest published catalog's number, version and hash (version 0 when none is).

    Args:
        session: the centre's session.
        path: the configured catalog (``settings.catalog_path``), served as version 0.

    Raises:
        CatalogError: nothing is published and the configured catalog has errors.
    """
    return served_from(session.connection().execute(_LATEST).first(), path)


LATEST_COLUMNS = tuple(
    select(column).order_by(col(CatalogVersion.number).desc()).limit(1).scalar_subquery()
    for column in (CatalogVersion.number, CatalogVersion.version, CatalogVersion.sha256)
)
"""``_LATEST``'s three columns as subqueries, for a statement that reads more besides
(``central.services.pull.page_status``): NULL each when nothing is published."""


def served_from(row: Sequence[Any] | None, path: Path | None) -> ServedCatalog:
    """``served_catalog`` from the latest published version's number, version and hash
    as read (``_LATEST``, ``LATEST_COLUMNS``): None, or a NULL number, when none is.

    Raises:
        CatalogError: nothing is published and the configured catalog has errors.
    """
    if row is not None and row[0] is not None:
        return ServedCatalog(row[0], row[1], row[2])
    catalog, _document = _version_zero(path)
    return ServedCatalog(0, catalog.version, _checksum(catalog))


_checksums: dict[int, tuple[Catalog, str]] = {}
"""The configured catalog's checksum, kept while ``load_catalog`` returns the same object:
every pull announces the served version, and hashing the catalog costs ~10 ms."""


def _checksum(catalog: Catalog) -> str:
    cached = _checksums.get(id(catalog))
    if cached is None or cached[0] is not catalog:
        _checksums.clear()
        cached = _checksums[id(catalog)] = (catalog, catalog_checksum(catalog))
    return cached[1]


def served_document(*, session: Session, path: Path | None, number: int | None = None) -> bytes:
    """A published document: the latest (None) or version ``number`` (0: the configured one).

    Raises:
        LookupError: no such version.
        CatalogError: version 0 asked for and the configured catalog has errors.
    """
    if number is None:
        row = _latest_row(session)
    elif number == 0:
        row = None
    else:
        row = session.get(CatalogVersion, number)
        if row is None:
            raise LookupError(_("There is no catalog version {number}.").format(number=number))
    if row is not None:
        return row.document.encode("utf-8")
    return _version_zero(path)[1]


def catalog_versions(*, session: Session) -> list[CatalogVersion]:
    """Every published version, oldest first."""
    return list(session.exec(select(CatalogVersion).order_by(col(CatalogVersion.number))))


_current: dict[str, Catalog] = {}
"""The latest published catalog, by its hash (one entry: a new publication replaces it)."""


def current_catalog(*, session: Session, path: Path | None) -> Catalog:
    """The catalog the county runs now: the latest published version, else the configured one.

    What the centre checks a case against (the handling path: who accepts, who decides), so
    a newly published item is checked like a shipped one. One indexed read per call; the
    document is parsed once per publication.
    """
    query = select(CatalogVersion.number, CatalogVersion.sha256)
    row = session.exec(query.order_by(col(CatalogVersion.number).desc()).limit(1)).first()
    if row is None:
        return _version_zero(path)[0]
    number, sha256 = row
    catalog = _current.get(sha256)
    if catalog is None:
        stored = session.get_one(CatalogVersion, number)
        catalog = read_published(stored.document.encode("utf-8")).catalog
        _current.clear()
        _current[sha256] = catalog
    return catalog


def _served_catalog_object(session: Session, path: Path | None) -> Catalog:
    row = _latest_row(session)
    if row is None:
        return _version_zero(path)[0]
    return read_published(row.document.encode("utf-8")).catalog


def prepare_publication(
    *, session: Session, path: Path | None, catalog: Catalog
) -> tuple[Catalog, CatalogDiff]:
    """The catalog as it would be published (older item versions kept), and its diff.

    Args:
        session: the centre's session.
        path: the configured catalog (version 0).
        catalog: the county's new catalog (already validated).

    Returns:
        The catalog to store and what it changes against the one served now.

    Raises:
        PublishRefused: an item changed without a new item version, or the
            county is another county's.
    """
    previous = _served_catalog_object(session, path)
    if previous.division and catalog.division and previous.division[:6] != catalog.division[:6]:
        message = _("This catalog is for division {new}, the centre serves {old}.")
        raise PublishRefused(message.format(new=catalog.division, old=previous.division))
    _refuse_going_back(previous, catalog)
    _refuse_removing_divisions_in_use(session, previous, catalog)
    try:
        merged = supersede(previous, catalog)
    except ValueError as error:
        raise PublishRefused(
            _("Raise the version of every changed item before publishing: {reason}").format(
                reason=error
            )
        ) from None
    return merged, diff_catalogs(previous, merged)


def _version_key(version: str) -> tuple[int, ...] | None:
    """``2026.11.3`` as (2026, 11, 3); None for a version of another form (not ordered)."""
    parts = version.strip().split(".")
    return tuple(int(part) for part in parts) if all(p.isdigit() for p in parts) else None


def _refuse_going_back(previous: Catalog, catalog: Catalog) -> None:
    """A catalog or an item version lower than the one served: a folder copied from an
    older release (or the shipped one) would take every station back to older content;
    cases filed under the later versions would meet the older rules. Content that has to
    come back is published under a new, higher version."""
    old, new = _version_key(previous.version), _version_key(catalog.version)
    if old is not None and new is not None and new < old:
        message = _(
            "Catalog version {new} is lower than the version stations run now ({old}):"
            " is this an older copy of the catalog? Raise the version in catalog.toml."
        )
        raise PublishRefused(message.format(new=catalog.version, old=previous.version))
    highest: dict[str, int] = {}
    for item in [*previous.retired, *previous.items]:
        highest[item.code] = max(highest.get(item.code, 0), item.version)
    lower = [
        f"{item.code} {item.name}（{item.version} < {highest[item.code]}）"
        for item in catalog.items
        if item.version < highest.get(item.code, 0)
    ]
    if lower:
        message = _(
            "These items' versions are lower than the published ones: {items}. A published"
            " version is never taken back: give the content a new, higher version."
        )
        raise PublishRefused(message.format(items="；".join(lower)))


def _refuse_removing_divisions_in_use(
    session: Session, previous: Catalog, catalog: Catalog
) -> None:
    """A village (or township) taken out of the division table while a station works
    there or an account belongs to it: its cases, its station and its people would hang
    on a division the county no longer has. Revoke the station and disable the accounts
    first (or keep the division)."""
    kept = {entry.code for entry in catalog.divisions}
    removed = {entry.code: entry.name for entry in previous.divisions if entry.code not in kept}
    if not removed:
        return
    stations = session.exec(
        select(Station.division, Station.name).where(
            col(Station.division).in_(list(removed)), col(Station.revoked_at).is_(None)
        )
    ).all()
    accounts = session.exec(
        select(User.division, User.display_name).where(
            col(User.division).in_(list(removed)), col(User.disabled_at).is_(None)
        )
    ).all()
    if not stations and not accounts:
        return
    users: dict[str, list[str]] = {}
    for code, name in [*stations, *accounts]:
        users.setdefault(code, []).append(name)
    in_use = "；".join(
        f"{code}「{removed[code]}」：{'、'.join(names)}" for code, names in sorted(users.items())
    )
    message = _(
        "The division table no longer has divisions that are in use: {in_use}. Revoke their"
        " stations and disable their accounts first, or keep the divisions."
    )
    raise PublishRefused(message.format(in_use=in_use))


def publish_catalog(
    *,
    session: Session,
    path: Path | None,
    catalog: Catalog,
    published_by: str,
    person: Person | User | None = None,
) -> PublishOutcome:
    """Store ``catalog`` as the next numbered version (a no-op when it is already served).

    Args:
        session: the centre's session; committed here.
        path: the configured catalog (version 0, the base of the first publication).
        catalog: the county's new catalog (already validated).
        published_by: the county administrator's username.
        person: the administrator who publishes (signed in over the API, or named by
            ``--as`` at the server): audited with them, in the same transaction.

    Returns:
        The version's number and hash, whether it was stored, and its diff.

    Raises:
        PublishRefused: an item changed under the same item version, or the
            catalog's version string is already published with other content.
    """
    merged, diff = prepare_publication(session=session, path=path, catalog=catalog)
    sha256 = catalog_checksum(merged)
    held = published_as(session=session, path=path, merged=merged)
    if held is not None:
        return PublishOutcome(held, merged.version, sha256, False, diff)
    number = (session.exec(select(func.max(CatalogVersion.number))).one() or 0) + 1
    row = CatalogVersion(
        number=number,
        version=merged.version,
        sha256=sha256,
        document=publish(merged, number).decode("utf-8"),
        published_at=utcnow(),
        published_by=published_by,
    )
    session.add(row)
    if person is not None:
        detail = {"version": merged.version, "sha256": sha256}
        record_action(session, person, "catalog.publish", str(number), detail)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise PublishRefused(_("Another publication came first; look and publish again.")) from None
    return PublishOutcome(number, merged.version, sha256, True, diff)


def published_as(*, session: Session, path: Path | None, merged: Catalog) -> int | None:
    """The number this very catalog is published under (None: it is new). A new catalog
    under a version string published already is refused, in a dry run too: the desk's
    check (F8) said 按 F9 发布 and F9 was then refused for it.

    Raises:
        PublishRefused: the catalog's version string is published with other content.
    """
    sha256 = catalog_checksum(merged)
    served = served_catalog(session=session, path=path)
    same = session.exec(select(CatalogVersion).where(CatalogVersion.sha256 == sha256)).first()
    if served.sha256 == sha256 or same is not None:
        return same.number if same is not None else served.number
    _refuse_reused_version(session, served, merged.version)
    return None


def _refuse_reused_version(session: Session, served: ServedCatalog, version: str) -> None:
    """A published version string names one content for ever (raise it for new content)."""
    taken = session.exec(select(CatalogVersion).where(CatalogVersion.version == version)).first()
    if taken is not None or served.version == version:
        number = taken.number if taken is not None else served.number
        message = _(
            "Catalog version {version} is already published (number {number}) with other "
            "content; raise the version in catalog.toml."
        )
        raise PublishRefused(message.format(version=version, number=number))


def publish_document(
    *,
    session: Session,
    path: Path | None,
    data: bytes,
    published_by: str,
    person: Person | None = None,
) -> PublishOutcome:
    """Publish a catalog sent as a published document (the county desk posts one).

    The document's own number is ignored: the centre numbers versions.

    Raises:
        ValueError: the document is damaged or its catalog has errors.
        PublishRefused: as :func:`publish_catalog`.
    """
    catalog = read_published(data).catalog
    return publish_catalog(
        session=session, path=path, catalog=catalog, published_by=published_by, person=person
    )


def published_when(row: CatalogVersion) -> str:
    """A version's publication time, ISO 8601 UTC."""
    moment = as_utc(row.published_at)
    return moment.isoformat() if moment is not None else ""
