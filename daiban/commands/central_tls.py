"""HTTPS for ``daiban central serve``: the certificate, its fingerprint, and the plain-HTTP rule.

Plain HTTP is served only on a loopback address (a reverse proxy in front does TLS)
or with an explicit ``--insecure``; anywhere else the centre refuses to start.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from central.i18n import _
from central.settings import CentralSettings
from daiban.context import fail
from sync.tls import certificate_fingerprint, is_loopback


@dataclass(frozen=True)
class ServerTLS:
    """The certificate and key ``serve`` hands to uvicorn, and the certificate's SHA-256."""

    cert: Path
    key: Path
    fingerprint: str

    def uvicorn_options(self) -> dict[str, Any]:
        """``ssl_certfile`` / ``ssl_keyfile`` for ``uvicorn.run``."""
        return {"ssl_certfile": str(self.cert), "ssl_keyfile": str(self.key)}


def server_tls(
    settings: CentralSettings, host: str, cert: Path | None, key: Path | None, insecure: bool
) -> ServerTLS | None:
    """What ``serve`` runs: HTTPS with the flags' (or the settings') certificate, else HTTP.

    Fails with one line when only one of certificate and key is given, when they cannot
    be read or do not belong together, or for plain HTTP beyond loopback without
    ``--insecure``.
    """
    cert = cert or settings.tls_cert
    key = key or settings.tls_key
    if cert is None and key is None:
        if not insecure and not is_loopback(host):
            fail(
                _(
                    "refusing plain HTTP on {host}: give --cert and --key (HTTPS), "
                    "or --insecure on a network you trust"
                ).format(host=host)
            )
        return None
    if cert is None or key is None:
        fail(_("--cert and --key go together: the certificate and its private key"))
    return ServerTLS(cert, key, _checked_fingerprint(cert, key))


def _checked_fingerprint(cert: Path, key: Path) -> str:
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
        return certificate_fingerprint(cert)
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        fail(
            _("the certificate {cert} and key {key} cannot be used: {error}").format(
                cert=cert, key=key, error=error
            )
        )


def settings_fingerprint(settings: CentralSettings) -> str:
    """The SHA-256 of the centre's certificate named in its settings ("" when none is).

    Enrollment codes carry it: stations pin it and refuse any other certificate.
    """
    if settings.tls_cert is None:
        return ""
    try:
        return certificate_fingerprint(settings.tls_cert)
    except (OSError, ValueError) as error:
        fail(
            _("the certificate {cert} cannot be read: {error}").format(
                cert=settings.tls_cert, error=error
            )
        )
