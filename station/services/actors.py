"""Who acts when a command (not the desk) does something: a named, signed-in account.

There is no built-in or default actor: a command acts as the person who signed
in with ``--as`` and a password (:mod:`station.services.signin`).
"""

from __future__ import annotations

from station.services import _
from station.services.application import ActionRefused, Actor
from station.store import StationStore


def account_actor(store: StationStore, username: str) -> Actor:
    """The actor of a cached account.

    Raises:
        ActionRefused: no such account, or it is disabled.
    """
    account = store.find_account(username)
    if account is None or not account.active:
        raise ActionRefused(
            _("No active account {username} at this station.").format(username=username)
        )
    return Actor(account.user_id, account.role, account.display_name, account.phone)
