"""What a station PC scans to enroll: the centre's address and the code, extensible."""

from __future__ import annotations

import pytest

from sync.enroll_uri import enroll_uri, parse_enroll_uri


def test_the_uri_carries_the_centre_and_the_code_and_reads_back() -> None:
    uri = enroll_uri("https://county.example:8765", "K7MQ-4XRP")
    assert uri == "daiban://enroll?central=https%3A%2F%2Fcounty.example%3A8765&code=K7MQ-4XRP"
    ticket = parse_enroll_uri(uri)
    assert (ticket.central, ticket.code, ticket.extra) == (
        "https://county.example:8765",
        "K7MQ-4XRP",
        {},
    )


def test_a_later_parameter_is_kept_and_an_older_reader_still_finds_centre_and_code() -> None:
    uri = enroll_uri("http://10.0.0.5:8765", "ABCD-EFGH", site="north")
    ticket = parse_enroll_uri(uri)
    assert ticket.code == "ABCD-EFGH" and ticket.extra == {"site": "north"}
    assert ticket.fingerprint is None


FINGERPRINT = "0123456789abcdef" * 4


def test_the_certificate_fingerprint_reads_back_normalised() -> None:
    colons = ":".join(FINGERPRINT[i : i + 2] for i in range(0, 64, 2)).upper()  # as openssl prints
    uri = enroll_uri("https://10.0.0.5:8765", "ABCD-EFGH", fingerprint=colons)
    assert parse_enroll_uri(uri).fingerprint == FINGERPRINT
    assert "fingerprint" not in enroll_uri("http://127.0.0.1:8765", "ABCD-EFGH", fingerprint="")


def test_a_fingerprint_that_is_not_a_sha256_is_refused() -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        parse_enroll_uri(enroll_uri("https://c", "ABCD-EFGH", fingerprint="sha256:ab12"))


@pytest.mark.parametrize(
    "uri", ["https://county.example", "daiban://enroll?code=X", "daiban://other?central=a&code=b"]
)
def test_anything_else_is_refused(uri: str) -> None:
    with pytest.raises(ValueError):
        parse_enroll_uri(uri)
