"""``--as USER`` and the password: who a lifecycle or import command acts as.

The password is asked on a terminal (hidden) or read from ``DAIBAN_PASSWORD``
for scripts; it is checked by the desk's own gate (:mod:`station.services.signin`).
There is no default person: without ``--as`` the command refuses.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from daiban.context import fail
from daiban.i18n import _

if TYPE_CHECKING:
    from station.services.application import Actor
    from station.store import StationStore

PASSWORD_ENV = "DAIBAN_PASSWORD"
"""The password of ``--as`` for scripts (a person at a terminal is asked instead)."""

AsUser = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this account (username); its password is asked, or read from DAIBAN_PASSWORD.",
        show_default=False,
    ),
]
"""Use as ``as_user: AsUser = None`` on every command that acts on cases."""


def require_user(as_user: str | None) -> str:
    """The ``--as`` username, or a refusal saying to give it (no silent default)."""
    if as_user is None or not as_user.strip():
        fail(
            _(
                "Say who is acting: add --as USERNAME (the password is asked, "
                "or read from DAIBAN_PASSWORD in scripts)."
            )
        )
    return as_user.strip()


def on_terminal() -> bool:
    """Whether a person can be asked for the password (standard input is a terminal)."""
    return sys.stdin.isatty()


def password_for(username: str) -> str:
    """``DAIBAN_PASSWORD``, or the password asked (hidden) at a terminal."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not on_terminal():
        fail(
            _(
                "No password for {username}: run the command at a terminal to be asked, "
                "or set DAIBAN_PASSWORD."
            ).format(username=username)
        )
    answer: str = typer.prompt(
        _("Password of {username}").format(username=username), hide_input=True
    )
    return answer


def signed_in_actor(store: StationStore, as_user: str | None) -> Actor:
    """The person named by ``--as``, signed in with their password, as an actor.

    Refuses (one line, exit 1) without ``--as``, without a password, or when the
    station's gate refuses the password (wrong, locked, disabled account).
    """
    from station.services.application import ActionRefused
    from station.services.signin import sign_in

    username = require_user(as_user)
    store.require_identity()  # an unenrolled station says so (open_store), not "no account"
    try:
        return sign_in(store, username, password_for(username))
    except ActionRefused as refused:
        fail(refused.message)
