"""``POST /auth/session``: 5 wrong passwords in 15 minutes lock the username for 15
minutes, said in Chinese, and the lock is in the database: restarting the centre
does not lift it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from central.app import create_app
from central.models import utcnow
from central.services import sessions
from central.services.accounts import create_user
from central.settings import CentralSettings
from sync.protocol import API_PREFIX

PASSWORD = "reviewer-pass-1"


def _try(client: TestClient, station: Any, password: str) -> tuple[int, str]:
    answer = client.post(
        f"{API_PREFIX}/auth/session",
        json={"username": "wangfang", "password": password},
        headers=station.headers,
    )
    return answer.status_code, str(answer.json().get("detail", ""))


def test_five_wrong_passwords_lock_the_account_across_a_restart(
    enroll: Any, client: TestClient, session: Session, settings: CentralSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    station = enroll()
    create_user(
        session=session, username="wangfang", display_name="王芳", role="agent",
        division=station.credential.division, password=PASSWORD,
    )  # fmt: skip
    answers = [_try(client, station, "wrong-pass-1") for _ in range(5)]
    assert answers[0] == (401, "用户名或密码错误（还可以再试 4 次）")
    assert answers[4] == (401, "密码错误次数过多：该账号已锁定 15 分钟")
    assert _try(client, station, PASSWORD) == (401, "密码错误次数过多：该账号已锁定 15 分钟")

    restarted = create_app(settings)
    try:
        with TestClient(restarted) as again:
            assert _try(again, station, PASSWORD)[1].startswith("密码错误次数过多")
            later = utcnow() + timedelta(minutes=16)
            monkeypatch.setattr(sessions, "utcnow", lambda: later)
            assert _try(again, station, PASSWORD)[0] == 200
            assert _try(again, station, "wrong-pass-1")[1] == "用户名或密码错误（还可以再试 4 次）"
    finally:
        restarted.state.engine.dispose()


def test_a_success_clears_the_count_and_old_failures_fall_out_of_the_window(
    enroll: Any, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = enroll()
    create_user(
        session=session, username="wangfang", display_name="王芳", role="agent",
        division=station.credential.division, password=PASSWORD,
    )  # fmt: skip
    for _ in range(4):
        _try(client, station, "wrong-pass-1")
    assert _try(client, station, PASSWORD)[0] == 200
    assert _try(client, station, "wrong-pass-1")[1].endswith("还可以再试 4 次）")
    for _ in range(3):
        _try(client, station, "wrong-pass-1")
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert _try(client, station, "wrong-pass-1")[1].endswith("还可以再试 4 次）")
