"""The desk's side of sync: is the centre reachable, run one sync, say what moved.

The app's background timer and the "sync now" key both run :func:`sync_once`
in a thread worker; it uses ``station.services.syncing.sync_now`` (the same
single-flight lock as ``daiban sync``).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from station.i18n import _
from station.services.desk import Desk, SyncState
from sync.tls import is_insecure_url

if TYPE_CHECKING:
    from sync.engine import SyncReport

PROBE_SECONDS = 2.0


def reachable(central_url: str, timeout: float = PROBE_SECONDS) -> bool:
    """Whether the centre accepts a TCP connection now (cheap; no credentials sent)."""
    parts = urlsplit(central_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class SyncOutcome:
    """What one attempt did: the new status line, and a sentence when something moved."""

    state: SyncState
    moved: str = ""
    error: str = ""
    offline: bool = False
    """The centre did not take the connection (a station often works so: the status line
    says 离线, and a background sync does not tell it again)."""
    changed: bool = False
    """Cases changed here (submitted and sent, pulled or superseded): the screen on show
    reads the store again."""


def sync_once(desk: Desk, *, manual: bool) -> SyncOutcome:
    """Probe the centre and, when it answers, push and pull once (call from a worker).

    Args:
        desk: the desk (its store and identity).
        manual: the agent asked (sync even with an empty outbox, report "nothing moved").
    """
    from station.services.bundles import last_return_made
    from station.services.syncing import default_client, sync_now
    from sync.errors import CentralUnreachable, SyncBusy, SyncError
    from sync.messages import translate_reason

    store = desk.store
    identity = store.identity()
    # the desk's state before its first sync of the session has no time yet: the store's
    last_success = desk.sync_state.last_success or store.last_success_at()
    state = SyncState(outbox=store.outbox_depth(), last_success=last_success)
    state.last_bundle = desk.sync_state.last_bundle or last_return_made(store)
    if identity is None:
        return SyncOutcome(state, error=_("This station is not enrolled."))
    state.insecure = is_insecure_url(identity.central_url)
    state.reachable = reachable(identity.central_url)
    if not state.reachable:
        return SyncOutcome(
            state, error=_("The centre cannot be reached; working offline."), offline=True
        )
    timeout = float(getattr(desk.settings, "sync_timeout_seconds", 30))
    try:
        report = sync_now(store, client_factory=partial(default_client, timeout=timeout))
    except SyncBusy:
        return SyncOutcome(state, error=_("A sync is already running."))
    except SyncError as error:
        # a centre that takes the connection but never answers is not 在线
        state.reachable = not isinstance(error, CentralUnreachable)
        state.last_error = translate_reason(str(error))
        return SyncOutcome(state, error=_("Sync failed: {error}").format(error=state.last_error))
    state.outbox = report.pending
    state.last_success = report.finished_at or desk.clock()
    moved = moved_text(report)
    something = report.pushed or report.pulled or report.superseded or report.renumbered
    something = something or bool(report.catalog_taken)
    # a push changes cases too: those taken in offline were submitted (待报送 → 已报送)
    return SyncOutcome(state, moved=moved if (something or manual) else "", changed=bool(something))


def moved_text(report: SyncReport) -> str:
    """What a finished sync says it moved, in records (条), as the header's 待同步 counts."""
    moved = _("Synced: sent {pushed}, received {pulled}.").format(
        pushed=report.pushed, pulled=report.pulled
    )
    if report.superseded:  # said in the agent's words, and only when it happened
        moved += " " + superseded_text(report.superseded)
    if report.renumbered:
        moved += " " + renumbered_text(report.renumbered)
    if report.catalog_taken:
        moved += " " + catalog_taken_text(report.catalog_taken)
    return moved


def superseded_text(count: int) -> str:
    """What a sync says of acts that did not take effect (被取代: the township or the county
    had decided the case first); the case page says which and why."""
    return _(
        "{count} act(s) did not take effect: the township or county had acted on the case"
        " first. The case page says why."
    ).format(count=count)


def catalog_taken_text(label: str) -> str:
    """What a sync that made the county's newly published catalog active says."""
    number, _sep, version = label.partition(":")
    return _("The county's catalog {version} (publication {number}) is now in use.").format(
        version=version, number=number
    )


def renumbered_text(count: int) -> str:
    """What a sync that renumbered cases says (their residents hold receipts with old numbers)."""
    return _(
        "{count} case(s) renumbered: the centre already held their numbers. Reprint their"
        " receipts (listed under 需处理)."
    ).format(count=count)
