"""Syncing this station: enrollment, one sync run, offline bundles.

The desk's background worker and ``daiban sync`` call the same functions, so
both take the single-flight lock and submit what was taken in the same way.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable
from datetime import datetime
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import httpx

from forms.clock import to_utc, utc_now
from station.services import _
from station.services.application import ActionRefused
from station.services.catalogs import CatalogRefused, active_catalog_version, refresh_catalog
from station.services.loops import fetch_outcomes
from station.store import NewEvent, StationIdentity, StationStore
from station.store.outcomes import loop_cursor
from sync.client import CentralClient, enroll
from sync.collector import collector_paused
from sync.engine import ProgressCallback, SyncReport, run_sync
from sync.errors import CentralRefused, SyncError
from sync.events import SCHEMA_VERSION, EventKind, Role
from sync.lock import sync_lock
from sync.protocol import TOKEN_EXPIRED_PREFIX, HelloResponse, StationReport

log = logging.getLogger(__name__)

ClientFactory = Callable[[StationIdentity], CentralClient]


@cache
def software_version() -> str:
    """This software's version (reported in hello): read from the installed package's
    metadata once per process (parsing it cost about a millisecond, every sync)."""
    try:
        return version("daiban")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0.0.0"


def enroll_station(
    store: StationStore,
    central_url: str,
    code: str,
    device_name: str | None = None,
    fingerprint: str | None = None,
) -> StationIdentity:
    """Enroll with a one-time code and keep the credential in the store.

    ``fingerprint`` (from the code's URI) is the centre's certificate: pinned with the
    identity, every later connection refuses a centre showing another.

    Raises:
        sync.errors.SyncError: the code was refused or the centre is unreachable.
        ActionRefused: the station is enrolled and still holds unsent events
            (a new identity would strand them).
    """
    if store.identity() is not None and store.outbox_depth():
        raise ActionRefused(
            _(
                "This station still holds {count} unsent events; sync them before enrolling"
                " again. If the county revoked this station, it cannot sync: write them to a"
                " bundle (daiban bundle export) for the county to import"
                " (daiban central bundle import-revoked), then enroll."
            ).format(count=store.outbox_depth())
        )
    answer = enroll(
        central_url,
        code,
        device_name or platform.node(),
        software_version=software_version(),
        pin=fingerprint,
        attempt=store.enroll_attempt(code),
    )
    identity = StationIdentity(
        station_id=answer.station_id,
        division=answer.division,
        name=answer.name,
        role=answer.role,
        central_url=central_url,
        token=answer.token,
        signing_key=answer.signing_key,
        central_fingerprint=fingerprint,
    )
    store.save_identity(identity, answer.case_numbers, answer.record_numbers)
    return identity


def waiting_submission(store: StationStore, station_id: str | None = None) -> dict[str, str]:
    """The cases taken in here and not yet submitted (报送): case number → the agent who
    took it in (``station_id``: this station's, when the caller has it at hand)."""
    return store.waiting_submission(station_id or store.require_identity().station_id)


def submit_received(store: StationStore, station_id: str | None = None) -> int:
    """Submit (报送) every case taken in here and not yet submitted, in one transaction.

    A taken-in case goes with the next sync (the agent need not press a key);
    the submission is recorded as the agent who took it in.

    Returns:
        How many cases were submitted.
    """
    waiting = waiting_submission(store, station_id)
    items = [
        (number, [NewEvent(EventKind.submitted, agent, Role.agent)])
        for number, agent in waiting.items()
    ]
    store.append_many(items)
    return len(items)


def default_client(
    identity: StationIdentity,
    transport: httpx.BaseTransport | None = None,
    *,
    timeout: float = 30.0,
) -> CentralClient:
    """A client for the centre with short retries (a person is waiting); ``transport``:
    httpx's own unless given (``bench.storm`` counts the answers on it); ``timeout``:
    seconds per answer (the desk's ``sync_timeout_seconds``).

    A connection is given :data:`CONNECT_SECONDS` at most (a line that drops what it is
    sent, as a weak 4G one does, held each of the three attempts 30 s before 离线 was
    said), and a centre that takes a request and says nothing is waited for once
    (``silence_once``), not three times."""
    return CentralClient(
        identity.central_url,
        identity.token,
        retries=3,
        pin=identity.central_fingerprint,
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_SECONDS)),
        silence_once=True,
    )


CONNECT_SECONDS = 10.0
"""How long the desk waits for the centre to take a connection: a county's intranet or a
mobile line makes one in well under a second, a slow one in a few."""


def sync_now(
    store: StationStore,
    *,
    client_factory: ClientFactory = default_client,
    on_progress: ProgressCallback | None = None,
) -> SyncReport:
    """One sync run under the station's single-flight lock.

    In the usual case this is one request (``POST /sync``: hello, push, first page), as
    the desk's sync every 30 s is: a hello goes first on its own only when cases wait
    to be submitted (they are submitted once the centre has answered, so that 已报送
    means sent); the catalog and the 闭环 outcomes are asked for only when the pull's
    page says they moved. A token that expired while the station was offline is renewed
    once and the run made again.

    Raises:
        sync.errors.SyncBusy: another sync of this station is running.
        sync.errors.SyncError: the run stopped (what moved is kept).
    """
    # The cycle collector is paused for all but the blobs' upload (run_sync pauses its
    # push and pull, and its reports): the hello, the cases submitted, the catalog and
    # the outcomes are a desk's 9 a.m. sync too, and a collection in them walks the
    # desk's whole heap (a fifth of the instructions of a sync of 3 cases).
    with sync_lock(store.data_dir):
        identity = store.require_identity()
        own = identity.station_id
        with client_factory(identity) as client:
            with collector_paused():
                waiting = bool(waiting_submission(store, own))
                if waiting:
                    _reach(store, client, own)
                    # only once the centre answers: then it really goes (read again:
                    # the agent may have withdrawn a case while the hello waited)
                    submit_received(store, own)
            report = _run(store, client, on_progress, own, renew=not waiting)
            with collector_paused():
                _take_catalog(store, client, report)
                if report.error is None and _outcomes_moved(store, report):
                    fetch_outcomes(store, client)  # 闭环: best effort, never fails the sync
            return report


def _run(
    store: StationStore,
    client: CentralClient,
    on_progress: ProgressCallback | None,
    own: str,
    *,
    renew: bool,
) -> SyncReport:
    """``run_sync`` with what the station ``own`` holds reported and a rotated token kept;
    with ``renew``, once more after renewing a token the centre found expired (the first
    run is recorded as failed: nothing moved in it)."""

    def run() -> SyncReport:
        return run_sync(
            store,
            client,
            software_version=software_version(),
            on_progress=on_progress,
            describe=lambda: station_report(store, own),
            on_hello=lambda answer: _keep_token(store, client, answer),
        )

    if not renew:
        return run()
    try:
        return run()
    except CentralRefused as refused:
        if not token_expired(refused):
            raise
    try:
        renew_expired_token(store, client)
    except SyncError as error:  # recorded as the run's own failure (why, not "expired")
        _record_failure(store, error)
        raise
    return run()


def _keep_token(store: StationStore, client: CentralClient, answer: HelloResponse) -> None:
    if answer.token:
        keep_rotated_token(store, client, answer.token)


def _outcomes_moved(store: StationStore, report: SyncReport) -> bool:
    """Whether 闭环 outcomes may have changed since the last fetch (the centre's newest
    change stamp is past this station's cursor, or it did not say)."""
    return report.loops_seq is None or loop_cursor(store) < report.loops_seq


def _take_catalog(store: StationStore, client: CentralClient, report: SyncReport) -> None:
    """After the pull: download the county's catalog if it is not the one active here
    (the one the pull's page announced; asked of the centre when it did not say), and
    tell the centre so at once: the county's station list showed the old catalog until
    the next sync, its hello having gone before the download.

    A refused download (damaged, not the announced one) or a centre that stops
    answering is recorded as the run's error and raised; the old catalog stays.
    """
    try:
        taken = refresh_catalog(store.data_dir, client, announced=report.catalog)
    except (CatalogRefused, SyncError) as error:
        report.error = str(error)
        store.record_sync(report)
        raise SyncError(str(error)) from error
    if taken is None:
        return
    report.catalog_taken = taken.label
    try:  # one more hello, only when the catalog changed (best effort: the next sync says it)
        answer = _hello(store, client, store.require_identity().station_id)
    except SyncError as error:
        log.warning("the new catalog %s was not reported to the centre: %s", taken.label, error)
        return
    if answer.token:
        keep_rotated_token(store, client, answer.token)


def station_catalog_version(store: StationStore) -> str:
    """The catalog this station runs, ``<number>:<version>`` (reported in hello): the
    county's downloaded one, or ``0:…`` for the one shipped with daiban."""
    return active_catalog_version(store.data_dir)


def station_report(store: StationStore, station_id: str | None = None) -> StationReport:
    """What this station holds, told to the centre at every hello (the county's station
    list and reconciliation show it): unsent events, the oldest of them, the catalog
    version, the cases held (read in one transaction; ``station_id``: this station's, when
    the caller has it at hand)."""
    own = station_id or store.require_identity().station_id
    depth, oldest, cases = store.holdings(own)
    return StationReport(
        outbox_depth=depth,
        oldest_unsent=to_utc(datetime.fromisoformat(oldest)) if oldest else None,
        catalog_version=station_catalog_version(store),
        cases_held=cases,
    )


def _reach(store: StationStore, client: CentralClient, own: str) -> None:
    """Say hello before anything is submitted; a failure is recorded like a failed run.

    A token that expired while the station was offline is renewed once (signed with
    the station's signing key), saved, and the hello said again with the new one.
    """
    try:
        try:
            answer = _hello(store, client, own)
        except CentralRefused as refused:
            if not token_expired(refused):
                raise
            renew_expired_token(store, client)
            answer = _hello(store, client, own)
    except SyncError as error:
        _record_failure(store, error)
        raise
    if answer.token:
        keep_rotated_token(store, client, answer.token)


def _record_failure(store: StationStore, error: SyncError) -> None:
    failed = SyncReport(error=str(error), pending=store.outbox_depth())
    failed.finished_at = utc_now()
    store.record_sync(failed)


def _hello(store: StationStore, client: CentralClient, own: str) -> HelloResponse:
    report = station_report(store, own)
    return client.hello(
        software_version=software_version(),
        schema_version=SCHEMA_VERSION,
        outbox_depth=report.outbox_depth,
        report=report,
    )


def token_expired(refused: CentralRefused) -> bool:
    """The centre refused the station's token because it expired (not unknown, not revoked)."""
    return refused.status_code == 401 and refused.detail.startswith(TOKEN_EXPIRED_PREFIX)


def renew_expired_token(store: StationStore, client: CentralClient) -> None:
    """Ask the centre for a new token in place of the expired one, save it, use it.

    Raises:
        sync.errors.CentralRefused: the centre refused (revoked, unknown, clock off…);
            nothing is changed here and the outbox stays as it is.
        sync.errors.CentralUnreachable: the centre stopped answering.
    """
    identity = store.require_identity()
    answer = client.renew_token(
        station_id=identity.station_id,
        signing_key=identity.signing_key,
        expired_token=identity.token,
    )
    keep_rotated_token(store, client, answer.token)


def keep_rotated_token(store: StationStore, client: CentralClient, token: str) -> None:
    """The centre rotated this station's token: save it (one transaction), then use it.

    Saved first: a crash in between leaves the old token, which the centre still accepts
    until it expires (and answers with yet another new one).
    """
    identity = store.require_identity()
    store.save_identity(identity.model_copy(update={"token": token}))
    client.use_token(token)
