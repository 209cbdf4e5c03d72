"""What can go wrong while syncing. Messages are English msgids; callers translate."""

from __future__ import annotations


class SyncError(Exception):
    """Base of every sync failure; ``str(error)`` is a one-line English reason."""


class CentralRefused(SyncError):
    """The centre answered with a status that retrying will not change (4xx but 429)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(f"the centre refused the request ({status_code}): {detail}")
        self.status_code = status_code
        self.detail = detail


class CentralUnreachable(SyncError):
    """The centre could not be reached (network, 429 or 5xx) after every retry."""


class PushGivenUp(CentralUnreachable):
    """A push that stopped retrying because another request of its run failed for good
    (``sync.giving_up``): not why the run failed; its events go with the next run."""


class CentralNoAnswer(CentralUnreachable):
    """A request that is not sent twice reached the centre and no answer came back: it
    may have been done there (``CentralClient.request(..., resend=False)``)."""


class SyncBusy(SyncError):
    """Another sync of this station is running (single flight)."""


class BlobTooLarge(SyncError):
    """An attachment is larger than the centre accepts."""

    def __init__(self, size: int, limit: int) -> None:
        mb = 1024 * 1024
        super().__init__(
            f"the file is {size / mb:.1f} MB; attachments may be at most {limit / mb:.0f} MB"
        )
        self.size = size
        self.limit = limit


class BundleError(SyncError):
    """An offline bundle was refused whole; ``reason`` says why (English msgid)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        """A fixed English msgid (translate it as it is)."""
        self.detail = detail
        """Technical detail for logs (member name, parse error); not translated."""


class BundleWriteError(SyncError, OSError):
    """A bundle could not be written where it was asked to go; ``reason`` says why
    (English msgid, see ``sync.bundle.check_writable``). An ``OSError`` too, with the
    system's errno and words, for callers that handle any file error."""

    def __init__(self, path: str, reason: str, code: int = 0, strerror: str = "") -> None:
        OSError.__init__(self, code, strerror or reason, path)
        self.path = path
        """The file asked for."""
        self.reason = reason
        """A fixed English msgid (translate it as it is)."""
