"""The desk's line to the centre never sends an act twice (a new account, a code, a step)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from station.services.centre import CentreError, CentreLine, CentreSession
from station.store import StationIdentity
from sync.protocol import StationRole


def _line(handler: httpx.MockTransport) -> CentreLine:
    identity = StationIdentity(
        station_id="st-county",
        division="640522000000",
        name="县工作站",
        role=StationRole.county,
        central_url="http://centre.test",
        token="tok",
        signing_key="00" * 32,
    )
    return CentreLine(
        identity, CentreSession("p", datetime.now(UTC), "admin1", "admin"), transport=handler
    )


def test_an_act_with_no_answer_is_said_may_be_done_and_not_sent_again() -> None:
    """The centre hung after taking 新建账号: the desk sent it again and answered
    用户名已被使用 for the account the first attempt had made (or made a second code)."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json={"ok": True})

    line = _line(httpx.MockTransport(handler))
    with pytest.raises(CentreError, match="可能已经办成。请先刷新查看"):
        line.post("/admin/enrollment-codes", {"division": "640522101000"})
    assert calls == ["POST"]
    assert line.get("/admin/stations") == {"ok": True}  # a read is retried as before


def test_a_read_met_by_silence_waits_once_and_any_other_failure_is_retried() -> None:
    """A hung centre kept the county desk waiting 2 × 20 s for one read; a proxy's 502 or
    a dropped connection is still worth a second try."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/silent"):
            raise httpx.ReadTimeout("timed out", request=request)
        if len(calls) == 2:  # the first try of /busy: the proxy's answer, come back at once
            return httpx.Response(502, headers={"Retry-After": "0"})
        return httpx.Response(200, json={"ok": True})

    line = _line(httpx.MockTransport(handler))
    with pytest.raises(CentreError, match="县中心没有及时回应") as raised:
        line.get("/silent")
    assert raised.value.silent
    assert line.get("/busy") == {"ok": True}
    assert [path.rsplit("/", 1)[-1] for path in calls] == ["silent", "busy", "busy"]
