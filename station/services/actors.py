"""Who acts when a script (not a person at the desk) does something."""

from __future__ import annotations

from station.services import _
from station.services.application import ActionRefused, Actor
from station.store import StationStore
from sync.events import Role
from sync.protocol import StationRole

IMPORT_ACTOR_ID = "import"
"""The built-in actor of ``daiban case import`` when the station has no agent account."""

DESK_ROLE: dict[StationRole, Role] = {
    StationRole.village: Role.agent,
    StationRole.township: Role.reviewer,
    StationRole.county: Role.admin,
}
"""The role a script acts with for lifecycle commands at each kind of station."""


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


def intake_actor(store: StationStore, username: str | None = None) -> Actor:
    """Who takes cases in from a script: the named account, the first agent, or ``import``.

    Taking in (收件) is an agent's act at every level, so the built-in actor is an agent.
    """
    if username:
        return account_actor(store, username)
    for account in store.list_accounts():
        if account.role is Role.agent and account.active:
            return Actor(account.user_id, account.role, account.display_name, account.phone)
    return Actor(IMPORT_ACTOR_ID, Role.agent, _("import"))


def desk_actor(store: StationStore, username: str | None = None) -> Actor:
    """Who acts in a lifecycle command: the named account, or the station's own role."""
    if username:
        return account_actor(store, username)
    identity = store.require_identity()
    role = DESK_ROLE[identity.role]
    for account in store.list_accounts():
        if account.role is role and account.active:
            return Actor(account.user_id, account.role, account.display_name, account.phone)
    return Actor(f"{identity.station_id}:{role.value}", role, identity.name)
