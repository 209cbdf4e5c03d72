"""The HTTP client: retry policy, gzip bodies, resumable blob upload (httpx.MockTransport)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from tenacity.wait import wait_fixed

from sync.client import CentralClient, enroll, parse_retry_after
from sync.errors import CentralNoAnswer, CentralRefused, CentralUnreachable, SyncError
from sync.events import EventKind
from sync.protocol import SyncRequest

from .factory import CaseWriter

Handler = Callable[[httpx.Request], httpx.Response]

PULL = {"events": [], "next_cursor": 7, "has_more": False}


def client(handler: Handler, waits: list[float], retries: int = 5) -> CentralClient:
    return CentralClient(
        "http://centre.test/",
        "tok",
        transport=httpx.MockTransport(handler),
        retries=retries,
        sleep=waits.append,
        backoff=wait_fixed(2),
    )


def test_a_503_is_retried_then_succeeds() -> None:
    answers = [httpx.Response(503), httpx.Response(503), httpx.Response(200, json=PULL)]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    waits: list[float] = []
    page = client(handler, waits).pull(after=3, limit=10)
    assert page.next_cursor == 7
    assert waits == [2, 2]
    assert str(seen[0].url) == "http://centre.test/api/v1/pull?after=3&limit=10"
    assert seen[0].headers["Authorization"] == "Bearer tok"


def test_retry_after_seconds_and_http_date_are_honoured() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    answers = [
        httpx.Response(429, headers={"Retry-After": "17"}),
        httpx.Response(503, headers={"Retry-After": later}),
        httpx.Response(200, json=PULL),
    ]
    waits: list[float] = []
    client(lambda r: answers.pop(0), waits).pull(0)
    assert 17 <= waits[0] <= 17 * 1.5  # never earlier than asked; jittered so stations spread
    assert 85 <= waits[1] <= 90 * 1.5


def test_a_busy_centre_is_waited_out_longer_than_a_failing_one() -> None:
    busy = [httpx.Response(429, headers={"Retry-After": "1"})] * 8
    answers = [*busy, httpx.Response(200, json=PULL)]
    waits: list[float] = []
    page = client(lambda r: answers.pop(0), waits, retries=3).pull(0)
    assert page.next_cursor == 7
    assert len(waits) == 8
    failing = [httpx.Response(503)] * 8
    with pytest.raises(CentralUnreachable):
        client(lambda r: failing.pop(0), [], retries=3).pull(0)
    assert len(failing) == 5  # three attempts, then the station gives up


def test_parse_retry_after() -> None:
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 23 Nov 2026 08:00:30 GMT", now) == 30
    assert parse_retry_after("Mon, 23 Nov 2026 07:00:00 GMT", now) == 0
    assert parse_retry_after("99999") == 300
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


@pytest.mark.parametrize("code", [400, 401, 403, 404, 409, 422])
def test_other_4xx_are_refused_at_once(code: int) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(code, json={"detail": "station revoked"})

    waits: list[float] = []
    with pytest.raises(CentralRefused) as error:
        client(handler, waits).pull(0)
    assert (error.value.status_code, error.value.detail) == (code, "station revoked")
    assert len(calls) == 1 and waits == []


def test_network_errors_are_retried_then_unreachable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    waits: list[float] = []
    with pytest.raises(CentralUnreachable, match="cannot be reached: connection refused"):
        client(handler, waits, retries=4).pull(0)
    assert waits == [2, 2, 2]


def test_persistent_500_ends_unreachable() -> None:
    waits: list[float] = []
    with pytest.raises(CentralUnreachable, match=r"not answering \(500\)"):
        client(lambda r: httpx.Response(500), waits, retries=3).pull(0)
    assert len(waits) == 2


def test_push_body_is_really_gzip() -> None:
    w = CaseWriter()
    events = [w.event(EventKind.created), w.event(EventKind.received)]
    bodies: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request)
        results = [
            {"id": str(e.id), "status": "applied", "central_seq": i}
            for i, e in enumerate(events, 1)
        ]
        return httpx.Response(200, json={"results": results})

    answer = client(handler, []).push(events)
    assert [r.central_seq for r in answer.results] == [1, 2]
    request = bodies[0]
    assert request.headers["Content-Encoding"] == "gzip"
    assert request.headers["Content-Type"] == "application/json"
    raw = request.content
    assert raw[:2] == b"\x1f\x8b"
    sent = json.loads(gzip.decompress(raw))
    assert [e["id"] for e in sent["events"]] == [str(e.id) for e in events]
    assert len(raw) < len(gzip.decompress(raw))


def test_hello_and_gzipped_answers() -> None:
    answer = {
        "server_time": "2026-11-23T08:00:00Z",
        "min_schema_version": 1,
        "max_schema_version": 1,
        "station_id": "s1",
        "division": "640522100201",
        "role": "village",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/hello"
        assert json.loads(gzip.decompress(request.content))["outbox_depth"] == 4
        body = gzip.compress(json.dumps(answer).encode())
        return httpx.Response(200, content=body, headers={"Content-Encoding": "gzip"})

    hello = client(handler, []).hello(software_version="0.1", schema_version=1, outbox_depth=4)
    assert hello.station_id == "s1"


def test_blob_upload_resumes_from_what_the_centre_holds(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # 2.2 MiB: three chunks
    path = tmp_path / "scan.jpg"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    held = bytearray(data[: 1024 * 1024])  # an earlier run sent the first chunk
    puts: list[int] = []

    def status() -> dict[str, object]:
        done = bytes(held) == data
        return {"sha256": sha, "size": len(data), "received": len(held), "complete": done}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            assert request.url.path == f"/api/v1/blobs/{sha}/status"
            return httpx.Response(200, json=status())
        offset = int(request.url.params["offset"])
        assert int(request.url.params["size"]) == len(data) and offset == len(held)
        puts.append(offset)
        held.extend(request.content)
        return httpx.Response(200, json=status())

    progress: list[tuple[int, int]] = []
    final = client(handler, []).upload_blob(path, sha, lambda a, b: progress.append((a, b)))
    assert final.complete and bytes(held) == data
    assert puts == [1024 * 1024, 2 * 1024 * 1024]
    assert progress[-1] == (len(data), len(data))


def test_blob_status_none_when_centre_has_nothing() -> None:
    assert (
        client(lambda r: httpx.Response(404, json={"detail": "no"}), []).blob_status("a" * 64)
        is None
    )


def test_enroll_sends_no_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        assert json.loads(gzip.decompress(request.content))["code"] == "ABCD-1234"
        return httpx.Response(
            200,
            json={
                "station_id": "s1",
                "token": "t",
                "signing_key": "ab" * 32,
                "division": "640522100201",
                "name": "红星村",
                "role": "village",
            },
        )

    answer = enroll(
        "http://centre.test", "ABCD-1234", "desk-1", transport=httpx.MockTransport(handler)
    )
    assert (answer.station_id, answer.name) == ("s1", "红星村")


def test_an_answer_that_is_not_ours_is_a_sync_error() -> None:
    from sync.errors import SyncError

    html = httpx.Response(200, text="<html>captive portal</html>")
    with pytest.raises(SyncError, match="answer was not understood"):
        client(lambda r: html, []).pull(0)


def test_blob_upload_restarts_when_the_centre_lost_its_partial_copy(tmp_path: Path) -> None:
    data = b"z" * (1024 * 1024 + 10)
    path = tmp_path / "scan.pdf"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    held = bytearray()
    claimed = [1024 * 1024]  # the first status claims a chunk the centre then cannot find
    puts: list[int] = []

    def status() -> dict[str, object]:
        received = claimed.pop() if claimed else len(held)
        return {
            "sha256": sha,
            "size": len(data),
            "received": received,
            "complete": bytes(held) == data,
        }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json=status())
        offset = int(request.url.params["offset"])
        puts.append(offset)
        if offset != len(held):
            return httpx.Response(409, json={"detail": "offset does not match"})
        held.extend(request.content)
        return httpx.Response(200, json=status())

    final = client(handler, []).upload_blob(path, sha)
    assert final.complete and puts == [1024 * 1024, 0, 1024 * 1024]


def test_the_system_ca_bundle_is_loaded_once_however_many_syncs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each sync makes a client; loading the CA bundle (~100 ms of CPU) must not repeat."""
    import ssl

    from sync import tls

    tls.system_context.cache_clear()
    loads: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loads.append(args or kwargs)
        load(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    for _ in range(3):
        with CentralClient("https://centre.example", "token") as client:
            assert client._http._transport._pool._ssl_context is tls.system_context()  # type: ignore[attr-defined]
    assert len(loads) == 1
    tls.system_context.cache_clear()


def _sync_request() -> SyncRequest:
    return SyncRequest(software_version="1.0", schema_version=1, outbox_depth=0, after=7)


def _at(centre: str, handler: Handler) -> CentralClient:
    """A client of its own centre: which centres lack ``POST /sync`` is remembered per
    process, by address."""
    return CentralClient(f"http://{centre}.test/", "tok", transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, {"json": {"detail": "Not Found"}}),  # an older centre: FastAPI's own
        (404, {"text": "<html>404 Not Found</html>"}),  # a gateway in front of it
        (405, {"json": {"detail": "Method Not Allowed"}}),
    ],
)
def test_a_centre_without_post_sync_is_asked_once_then_never_again(
    status: int, body: dict[str, object]
) -> None:
    """The route never answers 404 or 405 itself: either means it is not there. The
    caller syncs the old way, and no client of this process spends a request on it again
    (the desk makes a new client for every sync)."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(status, **body)  # type: ignore[arg-type]

    centre = f"old-{status}-{len(str(body))}"
    assert _at(centre, handler).sync_at_once(_sync_request()) is None
    assert _at(centre, handler).sync_at_once(_sync_request()) is None
    assert seen == ["/api/v1/sync"]


def test_any_other_refusal_of_post_sync_is_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"detail": "station revoked"})

    with pytest.raises(CentralRefused, match="station revoked"):
        _at("revoked", handler).sync_at_once(_sync_request())


HELLO = {
    "server_time": "2026-12-01T01:00:00Z",
    "min_schema_version": 1,
    "max_schema_version": 1,
    "station_id": "s1",
    "division": "640522100201",
    "role": "village",
}


def test_post_sync_goes_gzipped_and_its_answer_is_parsed() -> None:
    bodies: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Content-Encoding"] == "gzip"
        bodies.append(json.loads(gzip.decompress(request.content)))
        return httpx.Response(200, json={"hello": HELLO, "results": [], "page": PULL})

    answer = _at("new", handler).sync_at_once(_sync_request())

    assert answer is not None and answer.page is not None and answer.page.next_cursor == 7
    assert (bodies[0]["after"], bodies[0]["events"], bodies[0]["outbox_depth"]) == (7, [], 0)


def test_a_page_this_station_cannot_read_leaves_the_push_results() -> None:
    """A newer station in the scope wrote a kind this one does not know: the push's
    results are still recorded (the page is pulled again by GET /pull, which says why)."""
    result = {"id": "e1", "status": "applied", "central_seq": 8}
    page = {**PULL, "events": [{"kind": "a-kind-from-the-future"}]}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"hello": HELLO, "results": [result], "page": page})

    answer = _at("newer-kinds", handler).sync_at_once(_sync_request())

    assert answer is not None and answer.page is None
    assert [(r.id, r.central_seq) for r in answer.results] == [("e1", 8)]


def test_an_answer_without_a_hello_is_not_understood() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": [], "page": PULL})

    with pytest.raises(SyncError, match="not understood"):
        _at("broken", handler).sync_at_once(_sync_request())


def test_an_act_sent_without_an_answer_is_never_sent_again() -> None:
    """A request that is not safe to repeat (a new account, a new enrollment code) that
    reached the centre and got no answer is not resent: a retry made a second code, or
    was refused as done (用户名已被使用) for an account the first attempt had made. One
    that never left (no connection) is sent again, and a read is always retried."""

    def flaky(first: Exception) -> tuple[Handler, list[str]]:
        calls: list[str] = []

        def handler(request: httpx.Request) -> httpx.Response:
            calls.append(request.method)
            if len(calls) == 1:
                raise type(first)(str(first), request=request)  # type: ignore[call-arg]
            return httpx.Response(200, json={"ok": True})

        return handler, calls

    timed_out = httpx.ReadTimeout("timed out")
    handler, calls = flaky(timed_out)
    with pytest.raises(CentralNoAnswer, match="did not answer"):
        client(handler, []).request("POST", "/admin/accounts", resend=False, json={})
    assert calls == ["POST"]  # sent once

    handler, calls = flaky(httpx.ConnectError("refused"))
    answer = client(handler, []).request("POST", "/admin/accounts", resend=False, json={})
    assert answer.json() == {"ok": True} and calls == ["POST", "POST"]  # it never left

    handler, calls = flaky(timed_out)
    answer = client(handler, []).request("GET", "/admin/accounts")
    assert answer.json() == {"ok": True} and calls == ["GET", "GET"]  # a read: again

    for code, again in ((502, False), (500, False), (503, True), (429, True)):
        answers = [httpx.Response(code), httpx.Response(200, json={"ok": True})]
        sent: list[str] = []

        def answering(
            request: httpx.Request, sent: list[str] = sent, answers: list[httpx.Response] = answers
        ) -> httpx.Response:
            sent.append(request.method)
            return answers.pop(0)

        if again:  # turned away before anything was done: sent again
            client(answering, []).request("POST", "/admin/codes", resend=False, json={})
            assert sent == ["POST", "POST"], code
        else:  # a proxy's 502 when the centre died answering; a 500 after the commit
            with pytest.raises(CentralNoAnswer):
                client(answering, []).request("POST", "/admin/codes", resend=False, json={})
            assert sent == ["POST"], code


def test_the_desks_client_waits_for_a_silent_centre_once_and_for_a_connection_10_s() -> None:
    """A hung centre held the desk's sync ~95 s (three silences of 30 s), a line that drops
    what it is sent 90 s (three connection attempts of 30 s), before 离线 was said."""
    from station.services.syncing import CONNECT_SECONDS, default_client
    from station.store.models import StationIdentity
    from sync.protocol import StationRole

    calls: list[str] = []

    def silent(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise httpx.ReadTimeout("timed out", request=request)

    identity = StationIdentity(
        station_id="st-1",
        division="640522100201",
        name="杨郎村便民服务站",
        role=StationRole.village,
        central_url="http://centre.test",
        token="tok",
        signing_key="k",
    )
    desk = default_client(identity, httpx.MockTransport(silent), timeout=30)
    with pytest.raises(CentralNoAnswer, match="did not answer"):
        desk.pull(after=0, limit=10)  # a read, safe to send again: not in this run
    assert calls == ["/api/v1/pull"]
    timeout = desk._http.timeout
    assert (timeout.connect, timeout.read) == (CONNECT_SECONDS, 30) and CONNECT_SECONDS == 10

    calls.clear()
    other = client(silent, [], retries=3)  # any other client: a read is tried again
    with pytest.raises(CentralUnreachable):
        other.pull(after=0, limit=10)
    assert len(calls) == 3
