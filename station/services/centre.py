"""The signed-in person's own line to the centre (county desk, township 闭环 work).

The station's token says which PC is asking; acts at the centre also need the
person. At sign-in the desk opens a person session with the password just typed
(:func:`open_line`); every request then carries both. The county desk works
only through this line: it never opens the centre's database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from station.services import _
from station.services.application import ActionRefused
from station.store import StationIdentity
from sync.client import CentralClient
from sync.errors import CentralNoAnswer, CentralRefused, CentralUnreachable


class CentreError(ActionRefused):
    """The centre could not do what the person asked; the message says why, in Chinese."""

    def __init__(self, message: str, *, silent: bool = False) -> None:
        super().__init__(message)
        self.silent = silent
        """The centre could not be reached or did not answer (the desk's status line then
        says 离线 until a sync goes through), not a refusal."""


DESK_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
"""A person waits on every desk request: 5 s to connect (a route that swallows the
connection), 20 s for the answer (a county's Excel export on a busy centre)."""


@dataclass(frozen=True)
class CentreSession:
    """The person's session at the centre (the token is kept in memory only)."""

    token: str
    expires_at: datetime
    username: str
    role: str


REVOKED = "this station has been revoked"
"""The centre's reason for refusing a revoked station's every request (``central.api.deps``)."""


def _refusal(error: CentralRefused) -> CentreError:
    if error.status_code == 401:
        return CentreError(
            _("The county centre no longer knows this sign-in. Sign out and sign in again.")
        )
    if error.status_code == 403 and error.detail == REVOKED:
        return CentreError(
            _(
                "The county centre has revoked this station: it can no longer reach the "
                "centre. Ask the county to undo the revocation (possible for 7 days)."
            )
        )
    if error.status_code == 403:
        return CentreError(
            _("The county centre refused: your account may not do this ({detail}).").format(
                detail=error.detail
            )
        )
    if error.status_code == 404:
        return CentreError(
            _("The county centre has no such record ({detail}).").format(detail=error.detail)
        )
    return CentreError(
        _("The county centre refused the request: {detail}").format(detail=error.detail)
    )


def _unreachable() -> CentreError:
    return CentreError(
        _(
            "The county centre cannot be reached. Check the network and try again; "
            "nothing was changed."
        ),
        silent=True,
    )


def _silent_read() -> CentreError:
    return CentreError(
        _(
            "The county centre did not answer in time (busy, or the network dropped). "
            "Nothing was changed; try again in a moment."
        ),
        silent=True,
    )


class CentreLine:
    """Requests to the centre as the station *and* the signed-in person."""

    def __init__(
        self,
        identity: StationIdentity,
        session: CentreSession,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DESK_TIMEOUT,
    ) -> None:
        """Set up the line.

        Args:
            identity: this station's enrollment (address and token).
            session: the person's session (from :func:`open_line`).
            transport: an httpx transport (tests may pass one; normally the network).
            timeout: how long a person waits (:data:`DESK_TIMEOUT`).
        """
        self.identity = identity
        self.session = session
        self._transport = transport
        self._timeout = timeout

    def _client(self) -> CentralClient:
        return CentralClient(
            self.identity.central_url,
            self.identity.token,
            person_token=self.session.token,
            transport=self._transport,
            retries=2,
            timeout=self._timeout,
            pin=self.identity.central_fingerprint,
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; refusals and an unreachable centre become :class:`CentreError`.

        An act is sent again only when it never reached the centre (no connection, or
        turned away before anything was done: 429, 503). A read is sent again after a
        failure too, but not after the centre took it and let the whole timeout pass in
        silence: a hung centre kept the person waiting twice (2 × 20 s, while the status
        line said 在线).
        """
        reading = method in ("GET", "HEAD")  # an act is never sent twice (see CentralClient)
        try:
            with self._client() as client:
                return client.request(method, path, resend=reading, wait_once=True, **kwargs)
        except CentralRefused as error:
            raise _refusal(error) from error
        except CentralNoAnswer as error:
            # sent, and no answer came (a transport failure), or an act's 5xx (it answered)
            silent = isinstance(error.__cause__, httpx.TransportError)
            if reading:  # a read ends so only in silence (a read's 5xx is retried)
                raise _silent_read() from error
            raise CentreError(
                _(
                    "The county centre did not answer in time: it may have done it. Look "
                    "(refresh) before doing it again."
                ),
                silent=silent,
            ) from error
        except CentralUnreachable as error:
            raise _unreachable() from error

    def get(self, path: str, **params: Any) -> Any:
        """GET ``path`` and return its JSON."""
        return self.request("GET", path, params=params or None).json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST JSON to ``path`` and return the JSON answer (None for an empty one)."""
        response = self.request("POST", path, json=body or {})
        return response.json() if response.content else None

    def download(self, path: str, **params: Any) -> bytes:
        """GET ``path`` as bytes (an Excel file, a QR image…)."""
        return self.request("GET", path, params=params or None).content

    def close(self) -> None:
        """End the session at the centre (best effort: signing out never fails)."""
        try:
            self.request("DELETE", "/auth/session")
        except CentreError:
            pass


def open_line(
    identity: StationIdentity,
    username: str,
    password: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> CentreLine:
    """Open the person's session at the centre (``POST /auth/session``).

    Raises:
        CentreError: wrong password at the centre, an account that does not work at
            this station, or the centre cannot be reached.
    """
    try:
        with CentralClient(
            identity.central_url,
            identity.token,
            transport=transport,
            retries=1,
            timeout=10.0,
            pin=identity.central_fingerprint,
        ) as client:
            answer = client.request(
                "POST", "/auth/session", json={"username": username, "password": password}
            ).json()
    except CentralRefused as error:
        if error.status_code == 401:
            raise CentreError(
                _("The county centre did not accept this username and password.")
            ) from error
        raise _refusal(error) from error
    except CentralUnreachable as error:
        raise _unreachable() from error
    session = CentreSession(
        token=answer["token"],
        expires_at=datetime.fromisoformat(answer["expires_at"]),
        username=answer["username"],
        role=answer["role"],
    )
    return CentreLine(identity, session, transport=transport)
