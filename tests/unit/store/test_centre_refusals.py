"""What the desk says when the county centre refuses a person's request."""

from __future__ import annotations

from station.services.centre import _refusal
from sync.errors import CentralRefused


def test_a_revoked_station_is_told_so_in_chinese_with_what_to_do() -> None:
    said = str(_refusal(CentralRefused(403, "this station has been revoked")))
    assert (
        said == "县级中心已吊销本站，本站不能再连接中心。请联系县管理员撤销吊销（7 天内可撤销）。"
    )
    assert "revoked" not in said


def test_another_refusal_still_names_the_centre_s_reason() -> None:
    said = str(_refusal(CentralRefused(403, "only a county administrator may do this")))
    assert said.startswith("县中心拒绝了：您的账号无权做这件事（")
