"""The county administrator's stations and accounts, over the person's own line to the centre.

Every call goes through :meth:`Desk.centre` (``/admin/...`` routes, audited there with the
person); nothing here opens the centre's database. Call from a worker: each call is a
request over the network and raises :class:`~station.services.centre.CentreError` with a
Chinese message when the centre refuses or cannot be reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from forms.clock import format_short, to_utc
from station.services import _, names
from station.services.desk import Desk
from sync.enroll_uri import enroll_uri
from sync.events import Role


def _moment(value: Any) -> datetime | None:
    return to_utc(datetime.fromisoformat(value)) if value else None


@dataclass(frozen=True)
class DivisionChoice:
    """A division of the county's table, to pick by name."""

    code: str
    level: str
    name: str
    office: str = ""

    @property
    def label(self) -> str:
        """``山门村 640522100201（村）``."""
        return f"{self.name} {self.code}（{level_name(self.level)}）"


@dataclass(frozen=True)
class StationRow:
    """A station as the county sees it: what it last reported, revoked or not."""

    id: str
    name: str
    division: str
    division_name: str
    role: str
    software_version: str
    catalog_version: str
    last_seen: datetime | None
    outbox_depth: int | None
    oldest_unsent: datetime | None
    cases_held: int | None
    reported_at: datetime | None
    revoked: bool

    def unsent_warning(self) -> str | None:
        """Why revoking loses work (the unsent events last reported), or None."""
        if not self.outbox_depth:
            return None
        since = (
            _(" (the oldest from {when})").format(when=format_short(self.oldest_unsent))
            if self.oldest_unsent
            else ""
        )
        message = _(
            "Note: at its last report ({when}) it still held {count} unsent events{since}; "
            "once revoked they can never reach the centre."
        )
        when = format_short(self.reported_at or self.last_seen) or "—"
        return message.format(count=self.outbox_depth, since=since, when=when)


@dataclass(frozen=True)
class CodeRow:
    """An enrollment code: outstanding (listed), or just issued (with the code and its URI)."""

    ref: str
    division: str
    division_name: str
    name: str
    role: str
    expires_at: datetime
    issued_by: str
    code: str = ""
    uri: str = ""
    replaced: tuple[str, ...] = ()
    """Just issued: the village's earlier codes it made void (by reference)."""


@dataclass(frozen=True)
class AccountRow:
    """An account as the county desk lists it (the ID number masked)."""

    username: str
    display_name: str
    role: str
    division: str
    division_name: str
    active: bool
    id_masked: str
    phone: str


def person_name(desk: Desk, username: str) -> str:
    """The person an account's username stands for, as the desk names people elsewhere
    (赵军, where the 目录 and the codes said admin); the username when not cached here."""
    account = desk.store.find_account(username) if username else None
    return account.display_name if account is not None and account.display_name else username


def level_name(level: str) -> str:
    """村 / 乡镇 / 县."""
    names = {"village": _("village"), "township": _("township"), "county": _("county")}
    return names.get(level, level)


def role_name(role: str) -> str:
    """村代办员 / 乡镇审核员 / 县级管理员: as the case timelines and ``daiban central account``
    name them (the accounts list said 审核员 where the rest of daiban says 乡镇审核员); an
    unknown role as it is."""
    return names.role_name(role) if role in _ROLES else role


_ROLES = frozenset(role.value for role in Role)


class CountyAdmin:
    """Stations and accounts of the county, through the signed-in administrator's line."""

    def __init__(self, desk: Desk) -> None:
        """Work for the administrator signed in at ``desk``."""
        self.desk = desk
        self._names: dict[str, str] | None = None

    def divisions(self) -> list[DivisionChoice]:
        """The county's division table (villages, townships, the county)."""
        rows = self.desk.centre().get("/admin/divisions")
        choices = [
            DivisionChoice(r["code"], r["level"], r["name"], r.get("office", "")) for r in rows
        ]
        self._names = {choice.code: choice.name for choice in choices}
        return choices

    def division_names(self) -> dict[str, str]:
        """Division code → name (read once)."""
        if self._names is None:
            self.divisions()
        assert self._names is not None
        return self._names

    def stations(self) -> list[StationRow]:
        """Every station of the county, by division (a village's old PCs beside the new)."""
        names = self.division_names()
        return [_station(row, names) for row in self.desk.centre().get("/admin/stations")]

    def issue_code(self, division: str, name: str, role: str) -> CodeRow:
        """A one-time code for a station; its URI (for the QR) names this desk's centre."""
        answer = self.desk.centre().post(
            "/admin/enrollment-codes", {"division": division, "name": name, "role": role}
        )
        identity = self.desk.store.require_identity()
        row = _code(answer)
        uri = enroll_uri(
            identity.central_url, row.code, fingerprint=identity.central_fingerprint or ""
        )
        return CodeRow(**{**row.__dict__, "uri": uri})

    def codes(self) -> list[CodeRow]:
        """Codes issued and not yet used, cancelled or expired (who issued each by name)."""
        rows = [_code(row) for row in self.desk.centre().get("/admin/enrollment-codes")]
        return [replace(row, issued_by=person_name(self.desk, row.issued_by)) for row in rows]

    def cancel_code(self, ref: str) -> None:
        """Cancel an outstanding code."""
        self.desk.centre().post(f"/admin/enrollment-codes/{ref}/cancel")

    def revoke(self, station_id: str, *, force: bool = False) -> None:
        """Revoke a station (``force`` when it last reported unsent events and was confirmed)."""
        self.desk.centre().post(f"/admin/stations/{station_id}/revoke", {"force": force})

    def unrevoke(self, station_id: str) -> None:
        """Undo a revocation (within 7 days; the centre says why when it cannot)."""
        self.desk.centre().post(f"/admin/stations/{station_id}/unrevoke", {})

    def accounts(self) -> list[AccountRow]:
        """Every account of the county, by division."""
        names = self.division_names()
        return [_account(row, names) for row in self.desk.centre().get("/admin/users")]

    def create_account(self, **fields: str) -> AccountRow:
        """Create an account: username, display_name, role, division, id_number, password,
        phone. The centre refuses a second account for the same person, or a role that
        does not fit the division."""
        answer = self.desk.centre().post("/admin/users", fields)
        return _account(answer, self.division_names())

    def set_active(self, username: str, active: bool) -> None:
        """Disable or enable an account."""
        verb = "enable" if active else "disable"
        self.desk.centre().post(f"/admin/users/{username}/{verb}")

    def reset_password(self, username: str, password: str) -> None:
        """Set a new password for an account."""
        self.desk.centre().post(f"/admin/users/{username}/password", {"password": password})


def _station(row: dict[str, Any], names: dict[str, str]) -> StationRow:
    return StationRow(
        id=row["id"],
        name=row["name"],
        division=row["division"],
        division_name=names.get(row["division"], ""),
        role=row["role"],
        software_version=row.get("software_version") or "",
        catalog_version=row.get("catalog_version") or "",
        last_seen=_moment(row.get("last_seen")),
        outbox_depth=row.get("outbox_depth"),
        oldest_unsent=_moment(row.get("oldest_unsent")),
        cases_held=row.get("cases_held"),
        reported_at=_moment(row.get("reported_at")),
        revoked=row.get("revoked_at") is not None,
    )


def _code(row: dict[str, Any]) -> CodeRow:
    return CodeRow(
        ref=row["ref"],
        division=row["division"],
        division_name=row.get("division_name", ""),
        name=row["name"],
        role=row["role"],
        expires_at=to_utc(datetime.fromisoformat(row["expires_at"])),
        issued_by=row.get("issued_by", ""),
        code=row.get("code", ""),
        replaced=tuple(row.get("replaced", ())),
    )


def _account(row: dict[str, Any], names: dict[str, str]) -> AccountRow:
    return AccountRow(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        division=row["division"],
        division_name=names.get(row["division"], ""),
        active=bool(row.get("active", True)),
        id_masked=row.get("id_masked", ""),
        phone=row.get("phone", ""),
    )


def qr_segments(text: str) -> list[str]:
    """``text`` as the QR's segments, each in the densest mode its characters allow
    (segno picks it): a certificate fingerprint in it (64 hex digits after
    ``fingerprint=``) upper-cased, so alphanumeric (5.5 bits a character, not 8); the rest
    bytes. A centre's address with a domain name (``https://zwfw.haiyuan.gov.cn:8765``)
    and its fingerprint made a QR of 51 modules, 26 lines at two modules a line: more than
    a 24-line screen; so, 47 (24 lines). Readers take the fingerprint in either case
    (``sync.tls.normalise_fingerprint``)."""
    found = re.search(r"(?<=[?&]fingerprint=)[0-9a-fA-F]{64}(?=&|$)", text)
    if found is None:
        return [text]
    parts = [text[: found.start()], found.group().upper(), text[found.end() :]]
    return [part for part in parts if part]


def qr_lines(text: str, border: int = 2) -> list[str]:
    """``text`` as a QR code in half-block characters, two module rows per line
    (:func:`qr_segments`: what it holds reads back as ``text``, the fingerprint's letters
    upper-cased).

    Dark modules are drawn (``▀ ▄ █``), light ones left blank: show it dark on light.
    """
    import segno

    # segno takes a list of segments (``encoder.prepare_data``); its hints say str only
    symbol = segno.make(qr_segments(text), error="l")  # type: ignore[arg-type]
    rows = [list(row) for row in symbol.matrix_iter(border=border)]
    if len(rows) % 2:
        rows.append([0] * len(rows[0]))
    glyphs = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return [
        "".join(glyphs[(bool(top), bool(bottom))] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[::2], rows[1::2], strict=True)
    ]
