"""The station's HTTP client for the centre (httpx + tenacity).

- JSON request bodies are gzip-compressed (``Content-Encoding: gzip``).
- 429, 5xx and network errors are retried with exponential backoff and full
  jitter, honouring ``Retry-After`` (seconds or an HTTP date) plus a random share
  of it, so a county's stations told "come back in 2 s" do not all come back in
  the same millisecond; after the last attempt ``CentralUnreachable`` is raised.
- A 429 (the centre admits only so many pushes at once) is the centre saying
  "busy, not broken": it is waited out for up to ``busy_attempts`` attempts, more
  than the ``retries`` a failure gets.
- Any other 4xx raises ``CentralRefused`` at once.
- Waits go through an injectable ``sleep`` so tests never sleep for real.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.stop import stop_base
from tenacity.wait import wait_base, wait_random_exponential

from forms.clock import utc_now
from sync.blobs import CHUNK_BYTES, iter_chunks
from sync.errors import (
    CentralNoAnswer,
    CentralRefused,
    CentralUnreachable,
    PushGivenUp,
    SyncError,
)
from sync.events import Event
from sync.giving_up import given_up, wait_unless_given_up
from sync.protocol import (
    API_PREFIX,
    PULL_PAGE_EVENTS,
    BlobStatus,
    BundleImportResult,
    CatalogInfo,
    EnrollRequest,
    EnrollResponse,
    HelloRequest,
    HelloResponse,
    PullResponse,
    PushRequest,
    PushResponse,
    StationReport,
    SyncRequest,
    SyncResponse,
    TokenRenewRequest,
    TokenRenewResponse,
    bearer_token_hash,
    renewal_signature,
)
from sync.tls import CertificateNotPinned, pin_refused, pinned_context, system_context

PERSON_HEADER = "X-Daiban-Person"
"""The header carrying a person's session token (the centre's ``central.api.deps``)."""

MAX_RETRY_AFTER = 300.0
"""A Retry-After longer than this (seconds) is capped."""

RETRY_AFTER_JITTER = 0.5
"""Up to this share of a Retry-After is added at random (never less than asked)."""

BUSY_ATTEMPTS = 30
"""Attempts in all while the centre answers 429 (admission control at 9 a.m.)."""

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "CentralClient",
    "CentralRefused",
    "CentralUnreachable",
    "CertificateNotPinned",
    "enroll",
    "parse_retry_after",
]


def _parse(model: type[M], response: httpx.Response) -> M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as error:
        raise SyncError(f"the centre's answer was not understood: {error}") from None


def _parse_without_page(body: dict[str, Any]) -> SyncResponse:
    """A ``POST /sync`` answer whose page did not parse: its hello and results alone."""
    try:
        return SyncResponse.model_validate({**body, "page": None})
    except ValidationError as error:
        raise SyncError(f"the centre's answer was not understood: {error}") from None


_WITHOUT_SYNC: set[str] = set()
"""The centres (API base addresses) found not to offer ``POST /sync`` in this process."""


class _Retry(Exception):
    """A failure worth another attempt (429, 5xx, network)."""

    def __init__(self, message: str, retry_after: float | None, busy: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.busy = busy
        """A 429: the centre is busy (admission control), not failing."""


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or utc_now())).total_seconds()
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


class _RetryAfterOr(wait_base):
    """Wait what the centre asked for, else fall back to the backoff."""

    def __init__(self, backoff: wait_base) -> None:
        self.backoff = backoff

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, _Retry) and error.retry_after is not None:
            return with_jitter(error.retry_after)
        return float(self.backoff(retry_state))


def with_jitter(retry_after: float) -> float:
    """``Retry-After`` plus a random share of it (at least up to a second): the stations
    a busy centre turned away spread out instead of coming back together."""
    return retry_after + random.uniform(0.0, max(retry_after * RETRY_AFTER_JITTER, 1.0))


class _StopAfter(stop_base):
    """Stop after ``attempts`` attempts, or ``busy_attempts`` while the centre answers 429."""

    def __init__(self, attempts: int, busy_attempts: int) -> None:
        self.attempts, self.busy_attempts = attempts, max(attempts, busy_attempts)

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        busy = isinstance(error, _Retry) and error.busy
        if given_up() and getattr(retry_state, _BEGUN_GIVEN_UP, False):
            return True  # that attempt began after its run failed: the last (sync.giving_up)
        return retry_state.attempt_number >= (self.busy_attempts if busy else self.attempts)


_BEGUN_GIVEN_UP = "daiban_begun_given_up"
"""Set on tenacity's state before each attempt: whether its run had failed by then."""


def _note_given_up(retry_state: RetryCallState) -> None:
    setattr(retry_state, _BEGUN_GIVEN_UP, given_up())


_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
"""Transport errors before the request left: sending it again cannot repeat anything."""


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    detail = body.get("detail", body) if isinstance(body, dict) else body
    return detail if isinstance(detail, str) else str(detail)[:300]


def gzip_json(model: BaseModel) -> bytes:
    """A model as gzip-compressed JSON (mtime 0, so equal bodies are equal bytes)."""
    return gzip.compress(model.model_dump_json().encode(), compresslevel=5, mtime=0)


class CentralClient:
    """Talks to the county centre on behalf of one station."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = 30.0,
        retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        backoff: wait_base | None = None,
        person_token: str | None = None,
        pin: str | None = None,
        busy_attempts: int = BUSY_ATTEMPTS,
        at_once: bool = True,
        silence_once: bool = False,
    ) -> None:
        """Set up the client.

        Args:
            base_url: the centre's address, e.g. ``http://10.0.0.2:8000``.
            token: the station's bearer token (None only for enrollment).
            transport: an httpx transport (tests pass ``httpx.MockTransport``).
            timeout: seconds per request (or an ``httpx.Timeout``: connecting apart).
            retries: attempts in all, for retryable failures.
            sleep: how to wait between attempts (tests record instead).
            backoff: tenacity wait used when the centre gives no Retry-After.
            person_token: the signed-in person's session at the centre
                (``POST /auth/session``), for acts that need a person, not only a PC.
            pin: the SHA-256 of the centre's certificate this station enrolled with: an
                HTTPS centre showing any other is refused (:class:`CertificateNotPinned`).
                None: HTTPS is verified against the system's CAs.
            busy_attempts: attempts in all while the centre answers 429.
            at_once: False: never ``POST /sync`` (a bench's comparison; an older centre
                is found out without it).
            silence_once: every request as ``wait_once`` (see :meth:`request`): a centre
                that took a request and let the whole timeout pass is not asked again in
                this run. The desk's client: a sync a person waits on failed after three
                silences (~95 s); the next sync asks again, and what was sent is answered
                then (an event's id makes a second push of it a duplicate).
        """
        headers = {"Accept-Encoding": "gzip", "User-Agent": "daiban-station"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if person_token:
            headers[PERSON_HEADER] = person_token
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + API_PREFIX,
            headers=headers,
            transport=transport,
            timeout=timeout,
            verify=pinned_context(pin) if pin else system_context(),
        )
        self._retrying = Retrying(
            stop=_StopAfter(max(retries, 1), busy_attempts),
            wait=_RetryAfterOr(backoff or wait_random_exponential(multiplier=0.5, max=30)),
            retry=retry_if_exception_type(_Retry),
            before=_note_given_up,
            sleep=lambda seconds: wait_unless_given_up(seconds, sleep),
            reraise=True,
        )
        self._at_once = at_once
        self._silence_once = silence_once
        """False once the centre answered that it has no ``POST /sync`` (an older centre)."""

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> CentralClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def use_token(self, token: str) -> None:
        """Send ``token`` from now on (the centre rotated it; the station saved it first)."""
        self._http.headers["Authorization"] = f"Bearer {token}"

    def _once(
        self,
        method: str,
        path: str,
        kwargs: dict[str, Any],
        resend: bool = True,
        wait_once: bool = False,
    ) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            if pin_refused(error):  # never retried: another attempt meets the same impostor
                raise CertificateNotPinned() from error
            silence = wait_once and isinstance(error, httpx.ReadTimeout)
            if (not resend or silence) and not isinstance(error, _UNSENT):
                # sent, and no answer came: the centre may have done it (see ``request``)
                raise CentralNoAnswer(f"the centre did not answer: {error}") from error
            raise _Retry(f"the centre cannot be reached: {error}", None) from error
        code = response.status_code
        if not resend and code >= 500 and code != 503:
            # an error after the act may have been done (a 500 after the commit, a proxy's
            # 502 or 504 when the centre died answering): not sent again (see ``request``)
            raise CentralNoAnswer(f"the centre did not answer ({code})")
        if code == 429 or code >= 500:
            raise _Retry(
                f"the centre is not answering ({code})",
                parse_retry_after(response.headers.get("Retry-After")),
                busy=code == 429,
            )
        if code >= 400:
            raise CentralRefused(code, _detail(response))
        return response

    def request(
        self,
        method: str,
        path: str,
        *,
        resend: bool = True,
        wait_once: bool = False,
        **kwargs: Any,
    ) -> httpx.Response:
        """One request with the retry policy. Raises CentralRefused / CentralUnreachable.

        ``resend=False`` for an act that is not safe to repeat (a new account, a new
        enrollment code, a 闭环 step): sent again only when it never reached the centre (no
        connection) or the centre turned it away before doing anything (429, 503); sent
        without an answer, or answered by another 5xx, it raises :class:`CentralNoAnswer`
        instead of sending it a second time, which would repeat the act (a second code) or
        refuse it as done (用户名已被使用).

        ``wait_once``: a request the centre took and let the whole timeout pass without an
        answer is not sent again either (:class:`CentralNoAnswer`): a person at the desk
        waits once for a hung centre's silence, not once per attempt. Anything else
        (no connection, a reset, a 5xx) is retried as ``resend`` says.
        """
        wait_once = wait_once or self._silence_once
        try:
            return self._retrying.copy()(self._once, method, path, kwargs, resend, wait_once)
        except _Retry as error:
            if given_up():  # stopped because another request of the run failed
                raise PushGivenUp(str(error)) from error
            raise CentralUnreachable(str(error)) from error

    def _json(self, path: str, body: BaseModel, answer: type[M]) -> M:
        return self._post(path, gzip_json(body), answer)

    def _post(self, path: str, content: bytes, answer: type[M]) -> M:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        response = self.request("POST", path, content=content, headers=headers)
        return _parse(answer, response)

    def hello(
        self,
        *,
        software_version: str,
        schema_version: int,
        outbox_depth: int,
        report: StationReport | None = None,
    ) -> HelloResponse:
        """Introduce the station; the answer carries the centre's time and schemas.

        ``report`` (what the station holds) replaces ``outbox_depth`` when given.
        """
        held = report or StationReport(outbox_depth=outbox_depth)
        body = HelloRequest(
            software_version=software_version, schema_version=schema_version, **dict(held)
        )
        return self._json("/hello", body, HelloResponse)

    def renew_token(
        self, *, station_id: str, signing_key: str, expired_token: str
    ) -> TokenRenewResponse:
        """Ask for a new token in place of ``expired_token``, signed with ``signing_key``.

        For a station offline past its token's life (the centre answered 401 "expired").
        The caller saves the new token before it uses it (:meth:`use_token`).

        Raises:
            CentralRefused: unknown or revoked station, bad signature, clock off by more
                than a day, or a token not expired (the reason says which).
            CentralUnreachable: the centre could not be reached.
        """
        body = signed_renewal(station_id, signing_key, expired_token)
        return self._json("/token/renew", body, TokenRenewResponse)

    def push(self, events: list[Event], body: bytes | None = None) -> PushResponse:
        """Send a batch of events; one result per event comes back.

        ``body``: the batch as :meth:`encode_push` made it ahead of time (None: made now).
        """
        return self._post("/push", body or self.encode_push(events), PushResponse)

    def encode_push(self, events: list[Event]) -> bytes:
        """The body of a push of ``events`` (gzip-compressed JSON)."""
        return gzip_json(PushRequest(events=events))

    def pull(
        self, after: int, limit: int = PULL_PAGE_EVENTS, own_upto: int | None = None
    ) -> PullResponse:
        """A page of events in the station's scope after ``after``.

        Args:
            after: the station's cursor.
            limit: page size.
            own_upto: the highest ``station_seq`` of its own the station holds: its own
                events up to it come back as ``acks`` (None: every event in full).
        """
        params = {"after": after, "limit": limit}
        if own_upto is not None:
            params["own_upto"] = own_upto
        response = self.request("GET", "/pull", params=params)
        return _parse(PullResponse, response)

    def sync_at_once(self, request: SyncRequest) -> SyncResponse | None:
        """Hello, push and the first page in one request (``POST /sync``).

        Returns:
            The three answers (the page None when it could not be read: the station
            pulls it by ``GET /pull``, whose error says why, and the push's results are
            still recorded); None when the centre does not offer the route (404 or 405:
            it predates it, or a gateway in front of it does not pass it): the caller
            syncs the old way, and no client of this process asks that centre again.
        """
        base = str(self._http.base_url)
        if not self._at_once or base in _WITHOUT_SYNC:
            return None
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        try:
            response = self.request("POST", "/sync", content=gzip_json(request), headers=headers)
        except CentralRefused as refused:
            if refused.status_code not in (404, 405):  # the route itself never answers these
                raise
            _WITHOUT_SYNC.add(base)
            return None
        try:
            return SyncResponse.model_validate_json(response.content)
        except ValidationError:  # the page, most likely (a kind this station cannot read)
            body = response.json()
            if not isinstance(body, dict):
                raise SyncError("the centre's answer was not understood") from None
            return _parse_without_page(body)

    def blob_status(self, sha256: str) -> BlobStatus | None:
        """How much of a blob the centre holds, or None if it holds nothing of it."""
        try:
            response = self.request("GET", f"/blobs/{sha256}/status")
        except CentralRefused as error:
            if error.status_code == 404:
                return None
            raise
        return _parse(BlobStatus, response)

    def _put_chunk(self, sha256: str, offset: int, size: int, chunk: bytes) -> BlobStatus:
        response = self.request(
            "PUT",
            f"/blobs/{sha256}",
            params={"offset": offset, "size": size},
            content=chunk,
            headers={"Content-Type": "application/octet-stream"},
        )
        return _parse(BlobStatus, response)

    def upload_blob(
        self,
        path: Path,
        sha256: str,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> BlobStatus:
        """Upload a blob, resuming where the centre's copy ends.

        Args:
            path: the blob on disk.
            sha256: its hash.
            on_progress: called with ``(bytes the centre holds, total)``.

        Returns:
            The centre's final status of the blob.
        """
        size = path.stat().st_size
        for _ in range(3):
            status = self.blob_status(sha256)
            if status is not None and status.complete:
                return status
            offset = status.received if status is not None else 0
            try:
                for start, chunk in iter_chunks(path, offset, CHUNK_BYTES):
                    status = self._put_chunk(sha256, start, size, chunk)
                    if on_progress is not None:
                        on_progress(status.received, size)
            except CentralRefused as error:
                if error.status_code == 409:  # the centre's copy moved: ask again
                    continue
                raise
            if status is not None and status.complete:
                return status
            if size == 0 and status is None:
                return self._put_chunk(sha256, 0, 0, b"")
        raise CentralRefused(409, f"the centre did not complete blob {sha256}")

    def download_case_blob(self, case_id: str, sha256: str, dest: Path) -> Path:
        """Fetch one scan of one case (scoped: the case must be in this station's scope).

        Retried like every request; the bytes are checked against ``sha256`` and land
        in ``dest`` atomically (a partial download never looks like a scan).

        Raises:
            CentralRefused: 403 the case is out of scope, 404 no such scan for the case,
                or 422 the bytes did not match their hash.
            CentralUnreachable: the centre could not be reached.
        """
        response = self.request("GET", f"/blobs/{sha256}/case/{case_id}")
        data = response.content
        if hashlib.sha256(data).hexdigest() != sha256:
            raise CentralRefused(422, f"blob {sha256} arrived damaged")
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, dest)
        return dest

    def upload_bundle(self, data: bytes) -> BundleImportResult:
        """Hand an offline bundle to the centre (the same idempotent path as push)."""
        headers = {"Content-Type": "application/zip"}
        response = self.request("POST", "/bundles", content=data, headers=headers)
        return _parse(BundleImportResult, response)

    def catalog_info(self) -> CatalogInfo:
        """Which catalog the county publishes now (its number, version and SHA-256)."""
        return _parse(CatalogInfo, self.request("GET", "/catalog"))

    def fetch_catalog(self, number: int | None = None) -> bytes:
        """A published catalog document: the latest, or version ``number``.

        The bytes are not checked here: the station verifies the document
        (``forms.publish.read_published``) before it uses it.
        """
        params = {"number": number} if number is not None else None
        return self.request("GET", "/catalog/file", params=params).content


def signed_renewal(station_id: str, signing_key: str, expired_token: str) -> TokenRenewRequest:
    """A ``POST /token/renew`` body for ``expired_token``, written now and signed."""
    unsigned = TokenRenewRequest(
        station_id=station_id,
        issued_at=utc_now(),
        nonce=secrets.token_urlsafe(24),
        expired_token_hash=bearer_token_hash(expired_token),
        signature="0" * 64,
    )
    signature = renewal_signature(unsigned, signing_key)
    return unsigned.model_copy(update={"signature": signature})


def enroll(
    central_url: str,
    code: str,
    device_name: str,
    *,
    software_version: str = "",
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    pin: str | None = None,
    attempt: str = "",
) -> EnrollResponse:
    """Enroll this station with a one-time code from the county.

    ``pin`` is the centre's certificate fingerprint from the enrollment code's URI:
    the code is only ever sent to the centre that shows that certificate. ``attempt``
    is the station's secret for this code (``StationStore.enroll_attempt``): a request
    sent again after its answer was lost is answered again, not refused as used.

    Returns:
        The station credential (id, token, signing key, division, name, role).

    Raises:
        CentralRefused: the code is unknown, used or expired (or similar).
        CentralUnreachable: the centre could not be reached.
    """
    body = EnrollRequest(
        code=code, device_name=device_name, software_version=software_version, attempt=attempt
    )
    with CentralClient(central_url, None, transport=transport, sleep=sleep, pin=pin) as client:
        return client._json("/enroll", body, EnrollResponse)
