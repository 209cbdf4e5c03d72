"""``daiban central`` fails with one Chinese line, not a traceback; ``init`` checks its database first."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from central.settings import read_settings_file
from daiban.cli import app
from daiban.commands.central_ops import database_reason
from tests.pgcluster import PgCluster

DAIBAN = Path(sys.executable).parent / "daiban"


def _central(*args: str) -> Result:
    return CliRunner().invoke(app, ["central", *args])


def _one_chinese_line(result: Result) -> str:
    """The failure's only line (``daiban: ...``), checked to be Chinese and not a traceback."""
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert lines[0].startswith("daiban: ")
    return lines[0]


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_init_refuses_a_database_it_cannot_reach_and_saves_nothing(
    tmp_path: Path, closed_port: int
) -> None:
    url = f"postgres://daiban:secret@127.0.0.1:{closed_port}/county"
    line = _one_chinese_line(_central("init", "--db", url, "--data-dir", str(tmp_path)))
    assert line == "daiban: 无法使用中心端数据库：该地址和端口上没有数据库服务在应答"
    assert "secret" not in line
    assert not (tmp_path / "central" / "central.toml").exists()


@pytest.mark.parametrize("url", ["not a url", "mysql://u@localhost/db", "postgres//x"])
def test_init_refuses_a_malformed_url(tmp_path: Path, url: str) -> None:
    line = _one_chinese_line(_central("init", "--db", url, "--data-dir", str(tmp_path)))
    assert line.startswith("daiban: 数据库地址无效；请写成 postgresql://")
    assert not (tmp_path / "central" / "central.toml").exists()


@pytest.mark.postgres
def test_init_accepts_a_postgres_url(pg_cluster: PgCluster, tmp_path: Path) -> None:
    url = pg_cluster.create_database("ops_init").replace("postgresql+psycopg://", "postgres://")
    result = _central("init", "--db", url, "--data-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    saved = read_settings_file(tmp_path / "central")["db_url"]
    assert saved == url.replace("postgres://", "postgresql+psycopg://")
    listed = _central("user", "list", "--json", "--data-dir", str(tmp_path))
    assert listed.exit_code == 0, listed.output


def test_a_command_whose_database_is_down_says_so_in_one_line(
    tmp_path: Path, closed_port: int
) -> None:
    assert _central("init", "--data-dir", str(tmp_path)).exit_code == 0
    down = f"postgresql://daiban@127.0.0.1:{closed_port}/county"
    line = _one_chinese_line(_central("stations", "--db", down, "--data-dir", str(tmp_path)))
    assert line == "daiban: 无法使用中心端数据库：该地址和端口上没有数据库服务在应答"


def test_serve_on_a_port_in_use_says_so_in_one_line(tmp_path: Path, busy_port: int) -> None:
    assert _central("init", "--data-dir", str(tmp_path)).exit_code == 0
    done = subprocess.run(
        [str(DAIBAN), "central", "serve", "--port", str(busy_port), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        f"daiban: 无法在 127.0.0.1:{busy_port} 上监听：端口已被其他程序占用，请用 --port 换一个端口"
    )


def test_a_central_without_init_says_so_in_chinese(tmp_path: Path) -> None:
    line = _one_chinese_line(_central("stations", "--data-dir", str(tmp_path)))
    assert line.startswith(f"daiban: {tmp_path / 'central'} 里没有县级中心")
    assert "（daiban central init）" in line


def test_the_drivers_reasons_are_told_in_chinese() -> None:
    refused = (
        'connection failed: connection to server at "10.0.0.5", port 5432 failed: '
        'FATAL:  password authentication failed for user "daiban"'
    )
    assert database_reason(refused) == "密码（或用户名）错误"
    missing = 'connection failed: FATAL:  database "county" does not exist'
    assert database_reason(missing) == "服务器上没有这个数据库或用户"
    assert database_reason("something else") == "数据库拒绝了连接"


def test_every_command_the_deployment_guide_names_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    text = (root / "docs" / "deploy.md").read_text(encoding="utf-8")
    text += (root / "deploy" / "daiban-central.service").read_text(encoding="utf-8")
    named = set(re.findall(r"daiban ((?:central|station) [a-z]+(?: [a-z]+)?)", text))
    documented = {" ".join(n.split()[:2]) for n in named}
    assert {"central init", "central backup", "central restore", "station backup"} <= documented
    assert {"station restore", "central serve"} <= documented
    for command in sorted(named):
        words = command.split()
        result = CliRunner().invoke(app, [*words, "--help"])
        if result.exit_code != 0:  # the second word was an argument, not a subcommand
            result = CliRunner().invoke(app, [*words[:2], "--help"])
        assert result.exit_code == 0, f"daiban {command}: {result.output}"
