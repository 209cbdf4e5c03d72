"""The desk's core: what every screen works with, typed and free of any UI.

The app builds one :class:`Desk` and hands it down to each screen it opens
(attributes down). Screens call its services and show what comes back; they
hold no business logic. The same core serves the village agent, the township
reviewer and the county administrator: the signed-in person's role decides the
home and the actions the desk offers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from forms.clock import china_clock, china_now
from station.config import StationSettings
from station.services import _
from station.services.auth import LoginGate, SignedIn
from station.store import StationStore
from sync.events import Role
from sync.protocol import SCOPE_DIGITS
from sync.tls import is_insecure_url

if TYPE_CHECKING:
    from forms.catalog import Catalog
    from station.services.cases import CaseService
    from station.services.centre import CentreLine

CENTRE_ROLES = frozenset({Role.admin, Role.reviewer})
"""Roles whose desk opens the person's own session at the centre at sign-in (county
administration, township 闭环 work); agents work offline and never need one."""


class NotSignedIn(RuntimeError):
    """An act was asked of the desk while nobody is signed in."""


class Home(StrEnum):
    """Which home screen a person gets after signing in."""

    today = "today"
    """今日: the village agent's day (drafts, 补正, due dates, take-in)."""
    review = "review"
    """审核台: the township reviewer's queue."""
    county = "county"
    """县级看板: the county administrator's desk."""


HOME_OF_ROLE: dict[Role, Home] = {
    Role.agent: Home.today,
    Role.reviewer: Home.review,
    Role.admin: Home.county,
}


@dataclass
class SyncState:
    """What the desk knows about sync now (kept current by the sync worker)."""

    outbox: int = 0
    """Events written here and not yet confirmed by the centre."""
    last_success: datetime | None = None
    last_bundle: datetime | None = None
    """When the centre made the newest return bundle (U 盘) taken in here."""
    reachable: bool | None = None
    """The centre answered the last probe (None: not tried yet, or not enrolled)."""
    running: bool = False
    last_error: str = ""
    insecure: bool = False
    """The centre is reached over plain HTTP beyond this machine (the status line shows it red)."""


@dataclass
class Desk:
    """The desk's shared services and session."""

    settings: StationSettings
    store: StationStore
    gate: LoginGate
    clock: Callable[[], datetime] = china_now
    """"Now" for deadlines, lock timers and paper (tests fix it); aware, in China, whatever
    clock is given (``__post_init__`` converts it)."""
    user: SignedIn | None = None
    """Who is signed in; every act carries this person."""
    station_name: str = ""
    division: str = ""
    sync_state: SyncState = field(default_factory=SyncState)
    """The last known sync state (the status line of every screen shows it)."""
    drafts_offered: bool = False
    """Unfinished drafts were offered back after this sign-in."""
    printer_hint_told: bool = False
    """Why papers are saved and not printed (no printer set), and where they go, was said:
    once a run (said after every paper, it made each notice 6–9 lines tall at 80 columns)."""
    centre_line: CentreLine | None = field(default=None, repr=False)
    """The signed-in person's own session at the centre (admin and reviewer, when online)."""
    centre_problem: str = ""
    """Why there is no centre line (shown when a screen needs one)."""
    _catalog: Catalog | None = field(default=None, repr=False)
    _scope: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        # Everything derived from the clock (today, case-number dates, times on
        # screen) is China time, whatever zone the injected clock tells.
        self.clock = china_clock(self.clock)
        self.gate.on_signed_in = self.connect_centre
        identity = self.store.identity()
        self.sync_state.insecure = identity is not None and is_insecure_url(identity.central_url)

    def scope(self) -> str:
        """The division prefix this station covers (its villages' codes start with it), or
        ``"-"`` (no code) before enrollment; read once, then held: every key of a
        search asks, and each read of the store waits its turn with the screen."""
        if not self._scope:
            identity = self.store.identity()
            if identity is None:
                return "-"
            self._scope = identity.division[: SCOPE_DIGITS[identity.role]]
        return self._scope

    def connect_centre(self, user: SignedIn, password: str) -> None:
        """Open ``user``'s own session at the centre (called by the gate at sign-in).

        Best effort: offline, the desk still opens; a screen that needs the centre
        says why it cannot (:meth:`centre`).
        """
        from station.services.centre import CentreError, open_line

        self.end_centre()
        if Role(user.role) not in CENTRE_ROLES:
            return
        identity = self.store.identity()
        if identity is None:
            self.centre_problem = _("This desk is not enrolled with a county centre.")
            return
        try:
            self.centre_line = open_line(identity, user.username, password)
            self.centre_problem = ""
        except CentreError as error:
            self.centre_problem = error.message

    def centre(self) -> CentreLine:
        """The signed-in person's line to the centre.

        Raises:
            CentreError: there is none (offline at sign-in, or not enrolled): the message
                says what to do.
        """
        from station.services.centre import CentreError

        if self.centre_line is None:
            raise CentreError(
                _(
                    "Not connected to the county centre ({problem}). When the network is back, "
                    "sign out and sign in again."
                ).format(problem=self.centre_problem or _("not signed in at the centre"))
            )
        return self.centre_line

    def end_centre(self) -> None:
        """Forget (and end at the centre, best effort) the person's centre session."""
        line, self.centre_line = self.centre_line, None
        if line is not None:
            line.close()

    def catalog(self) -> Catalog:
        """The service-item catalog: the one given to the desk, else the station's active one
        (the county's latest download, else the shipped one; cached by file time, so a
        catalog taken by a sync is used at once). Call from a worker."""
        if self._catalog is not None:
            return self._catalog
        from station.services.catalogs import active_catalog

        return active_catalog(self.store.data_dir)

    def signed_in(self) -> SignedIn:
        """The person signed in now.

        Raises:
            NotSignedIn: nobody is (the desk never acts for nobody).
        """
        if self.user is None:
            raise NotSignedIn("nobody is signed in")
        return self.user

    @property
    def role(self) -> Role | None:
        """The signed-in person's role, or None."""
        return Role(self.user.role) if self.user is not None else None

    def home(self) -> Home:
        """The home screen the signed-in person gets."""
        return HOME_OF_ROLE[self.role or Role.agent]

    def service(self) -> CaseService:
        """A ``CaseService`` acting as the signed-in person (call from a worker)."""
        from station.services.cases import Actor, CaseService

        user = self.signed_in()
        account = self.store.find_account(user.username)
        phone = account.phone if account is not None else ""
        actor = Actor(user_id=user.user_id, role=Role(user.role), name=user.name, phone=phone)
        return CaseService(self.store, self.catalog(), actor)
