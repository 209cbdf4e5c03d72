"""One password rule for every account (``forms.passwords``): ``daiban central user add``,
``user passwd`` and the county desk (through the admin API) refuse the same weak passwords,
each saying why in Chinese. "12345678" went through for a new account."""

from __future__ import annotations

import pytest
from typer.testing import Result

from forms.passwords import password_problem
from tests.central.test_admin_cli import SHANMEN, County, county  # noqa: F401 (the fixture)

WEAK = [
    ("12345678", "连着的一串"),
    ("abcdefgh", "连着的一串"),
    ("QWERTYUI", "连着的一串"),
    ("87654321", "连着的一串"),
    ("aaaaaaaa", "同一个字符重复"),
    ("19800101", "不能全是数字"),
    ("Mali-2026", "不能有用户名 mali"),
    ("abc", "至少需要 8 个字符"),
]


def _add(place: County, password: str) -> Result:
    return place.run(
        "user", "add", "--username", "mali", "--name", "马丽", "--role", "agent",
        "--division", SHANMEN, "--id-number", "640522198001010018", "--password", password,
        "--as", "zhaojun",
    )  # fmt: skip


@pytest.mark.parametrize(("password", "said"), WEAK)
def test_user_add_refuses_a_weak_password_saying_why(
    county: County,  # noqa: F811 (the fixture)
    password: str,
    said: str,
) -> None:
    refused = _add(county, password)
    assert refused.exit_code == 1, refused.output
    assert said in refused.output
    assert {u["username"] for u in county.ok("user", "list")["users"]} == {"zhaojun"}


def test_a_password_reset_follows_the_same_rule(county: County) -> None:  # noqa: F811
    assert _add(county, "shan-men-7").exit_code == 0
    for weak, said in (("mali1234", "不能有用户名 mali"), ("11111111", "同一个字符重复")):
        refused = county.run("user", "passwd", "mali", "--password", weak, "--as", "zhaojun")
        assert refused.exit_code == 1 and said in refused.output, refused.output
    done = county.run("user", "passwd", "mali", "--password", "hai-yuan-9", "--as", "zhaojun")
    assert done.exit_code == 0, done.output


def test_the_rule_lets_the_passwords_people_use_through() -> None:
    for password, username in (
        ("demo1234", "admin"),
        ("e2e-secret-1", "niu"),
        ("county-pass-1", "zhaojun"),
        ("hai-yuan-9", "mali"),
        ("wurst123", "wu"),  # a two-letter username is no part of the rule
    ):
        assert password_problem(password, username) is None, password
    assert password_problem("abcdefgh1") is None  # more than the run alone
    assert password_problem("1234567890") == "run"
    assert password_problem("ZhaoJun-8", "zhaojun") == "username"  # in any case
