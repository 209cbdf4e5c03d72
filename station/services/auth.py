"""Signing in at the desk: cached accounts, argon2, a lock after repeated failures.

Pure logic (no Textual): the login screen runs :meth:`LoginGate.attempt` in a
worker because argon2 is deliberately slow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from forms.clock import utc_now
from station.i18n import _

MAX_FAILURES = 5
"""Failed attempts in a row after which a username is locked."""
LOCK_MINUTES = 5
"""How long a username stays locked after too many failures."""

_HASHER = PasswordHasher()


class AccountLookup(Protocol):
    """What the gate needs from the store: the cached account of a username."""

    def find_account(self, username: str) -> Any:
        """The cached ``AccountRecord`` of ``username``, or None."""


@dataclass(frozen=True)
class DemoAccount:
    """An account shown on the demo login screen (never in a real station)."""

    username: str
    name: str
    role: str
    """``agent`` | ``reviewer`` | ``admin``."""
    password: str
    data_dir: str = ""
    """Where this account works from the command line; empty: at this desk."""
    place: str = ""
    """The station or centre the account belongs to (shown beside it)."""

    @property
    def here(self) -> bool:
        """Whether this account signs in at this desk (else: another desk or the CLI)."""
        return not self.data_dir


@dataclass(frozen=True)
class SignedIn:
    """The person working at the desk now."""

    user_id: str
    username: str
    name: str
    role: str
    division: str


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: a user, or a message in the desk's language."""

    user: SignedIn | None = None
    error: str = ""


def hash_password(password: str) -> str:
    """An argon2 hash of ``password`` (for seeding demo and test accounts)."""
    return _HASHER.hash(password)


def role_label(role: str) -> str:
    """The role's name as a person at the desk calls it."""
    labels = {"agent": _("Village agent"), "reviewer": _("Township reviewer")}
    return labels.get(role, _("County administrator"))


@dataclass
class LoginGate:
    """Checks passwords against cached accounts and locks after repeated failures."""

    accounts: AccountLookup
    clock: Callable[[], datetime] = utc_now
    failures: dict[str, int] = field(default_factory=dict)
    locked_until: dict[str, datetime] = field(default_factory=dict)
    on_signed_in: Callable[[SignedIn, str], None] | None = None
    """Called (in the checking worker) after a successful sign-in with the password just
    typed: the desk opens the person's own session at the centre with it."""

    def attempt(self, username: str, password: str) -> LoginResult:
        """Try to sign ``username`` in.

        Args:
            username: as typed (surrounding spaces ignored).
            password: as typed.

        Returns:
            The signed-in user, or why not (wrong password, locked, disabled).
        """
        username = username.strip()
        if not username or not password:
            return LoginResult(error=_("Enter your username and password."))
        until = self.locked_until.get(username)
        if until is not None and self.clock() < until:
            return LoginResult(error=self._locked_message())
        account = self.accounts.find_account(username)
        if account is None and not self._any_account():  # not a wrong password: not counted
            return LoginResult(
                error=_(
                    "No account has reached this PC yet (it has not synced since it was"
                    " enrolled): sync first (daiban sync), then sign in."
                )
            )
        if account is not None and account.active and not account.password_hash:
            return LoginResult(error=_("This account signs in at its own station, not here."))
        if account is None or not account.active or not _verify(account.password_hash, password):
            return self._failed(username)
        self.failures.pop(username, None)
        self.locked_until.pop(username, None)
        user = _signed_in(account)
        if self.on_signed_in is not None:
            self.on_signed_in(user, password)
        return LoginResult(user=user)

    def _any_account(self) -> bool:
        """Whether the store holds any account (a lookup that cannot say: assume it does)."""
        has_accounts = getattr(self.accounts, "has_accounts", None)
        return True if has_accounts is None else bool(has_accounts())

    def check_password(self, user: SignedIn, password: str) -> bool:
        """Whether ``password`` is ``user``'s (to unlock an idle-locked desk)."""
        return self.attempt(user.username, password).user is not None

    def _failed(self, username: str) -> LoginResult:
        count = self.failures.get(username, 0) + 1
        self.failures[username] = count
        if count >= MAX_FAILURES:
            self.failures.pop(username, None)
            self.locked_until[username] = self.clock() + timedelta(minutes=LOCK_MINUTES)
            return LoginResult(error=self._locked_message())
        left = MAX_FAILURES - count
        return LoginResult(
            error=_("Wrong username or password. {left} attempts left.").format(left=left)
        )

    @staticmethod
    def _locked_message() -> str:
        return _("Too many failed attempts: locked for {minutes} minutes.").format(
            minutes=LOCK_MINUTES
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _signed_in(account: Any) -> SignedIn:
    return SignedIn(
        user_id=str(account.user_id),
        username=account.username,
        name=account.display_name,
        role=str(getattr(account.role, "value", account.role)),
        division=account.division,
    )
