"""The centre's certificate, pinned: a station trusts the one it enrolled with, nothing else.

The enrollment code's URI carries the SHA-256 of the centre's certificate
(``fingerprint=…``). Every HTTPS connection of the station then checks, right after
the TLS handshake, that the centre showed exactly that certificate; a self-signed one
is fine, any other (a machine in the path, a fake centre) is refused before a byte
of the request is sent. Without a pin, HTTPS is verified against the system's CAs
(a county behind a reverse proxy with a public certificate).
"""

from __future__ import annotations

import functools
import hashlib
import re
import ssl
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from sync.errors import SyncError

_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----", re.MULTILINE)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class CertificateNotPinned(SyncError):
    """The centre showed another certificate than the one this station enrolled with."""

    def __init__(self) -> None:
        super().__init__(
            "the centre's certificate is not the one this station enrolled with: "
            "connection refused (a wrong address, or someone in between)"
        )


class _PinMismatch(ssl.SSLCertVerificationError):
    """Raised inside the handshake; the client turns it into :class:`CertificateNotPinned`."""


def normalise_fingerprint(value: str) -> str:
    """A SHA-256 fingerprint as 64 lower-case hex digits (``AB:CD:…`` as openssl prints it too).

    Raises:
        ValueError: not 32 bytes of hex.
    """
    digits = re.sub(r"[\s:]", "", value).lower()
    if not _HEX64.match(digits):
        raise ValueError(f"not a SHA-256 fingerprint: {value!r}")
    return digits


def der_fingerprint(der: bytes) -> str:
    """The SHA-256 of a certificate in DER form (hex)."""
    return hashlib.sha256(der).hexdigest()


def certificate_fingerprint(pem_file: Path) -> str:
    """The SHA-256 of the first certificate in a PEM file (the server's own, before its chain).

    Raises:
        ValueError: the file holds no PEM certificate.
    """
    found = _PEM_BLOCK.search(pem_file.read_text(encoding="ascii", errors="replace"))
    if found is None:
        raise ValueError(f"no PEM certificate in {pem_file}")
    return der_fingerprint(ssl.PEM_cert_to_DER_cert(found.group(0)))


def _check_peer(context: ssl.SSLContext, der: bytes | None) -> None:
    pin = getattr(context, "pin", None)
    if pin is not None and (der is None or der_fingerprint(der) != pin):
        raise _PinMismatch("certificate does not match the pinned fingerprint")


class _PinnedSocket(ssl.SSLSocket):
    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        _check_peer(self.context, self.getpeercert(binary_form=True))


class _PinnedObject(ssl.SSLObject):
    def do_handshake(self) -> None:
        super().do_handshake()
        _check_peer(self.context, self.getpeercert(binary_form=True))


class _PinnedContext(ssl.SSLContext):
    sslsocket_class = _PinnedSocket
    sslobject_class = _PinnedObject
    pin: str


def pinned_context(fingerprint: str) -> ssl.SSLContext:
    """A client TLS context that accepts exactly the certificate with this SHA-256.

    The chain and the host name are not checked (the county's certificate may be
    self-signed and reached by IP address): the pin is the whole of the trust.
    """
    context = _PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.pin = normalise_fingerprint(fingerprint)
    return context


@functools.cache
def system_context() -> ssl.SSLContext:
    """The context that checks a centre against the system's CAs, built once per process.

    It is httpx's default (certifi's bundle, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``);
    loading the bundle costs about 100 ms of CPU, which every sync paid when each
    client built its own. A context is safe to share between connections and threads.
    """
    return httpx.create_ssl_context()


def pin_refused(error: BaseException) -> bool:
    """Whether a transport error was this station refusing the centre's certificate."""
    seen: BaseException | None = error
    for _ in range(16):  # a chain of causes, never a cycle followed for ever
        if seen is None:
            return False
        if isinstance(seen, _PinMismatch):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback(host: str) -> bool:
    """Whether a host name or address is this machine (plain HTTP is fine there)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_insecure_url(url: str) -> bool:
    """Whether talking to ``url`` is plain HTTP to another machine (the desk shows it red)."""
    parts = urlsplit(url)
    return parts.scheme != "https" and not is_loopback(parts.hostname or "")
