"""``daiban central serve``: HTTPS with --cert/--key; plain HTTP only on loopback or --insecure.

``uvicorn.run`` (outside the project) is replaced by a recorder: what is checked is
what ``serve`` would hand it, and the one line it prints when it refuses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trustme
import uvicorn
from typer.testing import CliRunner, Result

from daiban.cli import app
from sync.tls import certificate_fingerprint

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An initialised central (SQLite)."""
    result = runner.invoke(app, ["central", "init", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What ``uvicorn.run`` was called with."""
    calls: list[dict[str, Any]] = []
    for name in ("DAIBAN_CENTRAL_DATA_DIR", "DAIBAN_CENTRAL_DB_URL"):  # serve sets them
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def _certificate(folder: Path) -> tuple[Path, Path]:
    issued = trustme.CA().issue_cert("county.example", "10.0.0.2")
    cert, key = folder / "central.pem", folder / "central.key"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    return cert, key


def _serve(data_dir: Path, *args: str) -> Result:
    return runner.invoke(app, ["central", "serve", *args, "--data-dir", str(data_dir)])


def test_plain_http_beyond_loopback_is_refused_in_one_line(
    data_dir: Path, served: list[dict[str, Any]]
) -> None:
    refused = _serve(data_dir, "--host", "0.0.0.0")
    assert refused.exit_code == 1 and served == []
    assert refused.stderr.strip().count("\n") == 0
    assert "不在 0.0.0.0 上提供明文 HTTP" in refused.stderr and "--insecure" in refused.stderr


@pytest.mark.parametrize(
    ("host", "flags"),
    [("127.0.0.1", ()), ("localhost", ()), ("::1", ()), ("0.0.0.0", ("--insecure",))],
)
def test_plain_http_on_loopback_or_with_insecure(
    data_dir: Path, served: list[dict[str, Any]], host: str, flags: tuple[str, ...]
) -> None:
    result = _serve(data_dir, "--host", host, *flags)
    assert result.exit_code == 0, result.output
    (call,) = served
    assert call["host"] == host and "ssl_certfile" not in call
    assert f"http://{host}" in result.stderr


def test_https_with_a_certificate_and_its_key(
    data_dir: Path, served: list[dict[str, Any]], tmp_path: Path
) -> None:
    cert, key = _certificate(tmp_path)
    result = _serve(data_dir, "--host", "0.0.0.0", "--cert", str(cert), "--key", str(key))
    assert result.exit_code == 0, result.output
    (call,) = served
    assert (call["ssl_certfile"], call["ssl_keyfile"]) == (str(cert), str(key))
    assert "https://0.0.0.0" in result.stderr
    assert certificate_fingerprint(cert) in result.stderr


def test_a_certificate_without_its_key_or_with_another_key_is_refused(
    data_dir: Path, served: list[dict[str, Any]], tmp_path: Path
) -> None:
    cert, _key = _certificate(tmp_path)
    (tmp_path / "other").mkdir()
    _other_cert, other_key = _certificate(tmp_path / "other")
    alone = _serve(data_dir, "--host", "0.0.0.0", "--cert", str(cert))
    assert alone.exit_code == 1 and "--cert 和 --key 须同时给出" in alone.stderr
    mismatched = _serve(data_dir, "--cert", str(cert), "--key", str(other_key))
    assert mismatched.exit_code == 1 and "无法使用" in mismatched.stderr
    assert "Traceback" not in mismatched.output
    assert served == []


def test_enrollment_codes_carry_the_certificate_of_the_settings(
    data_dir: Path, tmp_path: Path
) -> None:
    from central.settings import read_settings_file, write_settings_file
    from sync.enroll_uri import parse_enroll_uri

    cert, key = _certificate(tmp_path)
    values = read_settings_file(data_dir / "central")
    write_settings_file(data_dir / "central", values | {"tls_cert": str(cert), "tls_key": str(key)})
    env = {"DAIBAN_PASSWORD": "county-pass-1"}
    common = ("--data-dir", str(data_dir))
    added = runner.invoke(
        app,
        ["central", "user", "add", "--username", "zhaojun", "--name", "赵军", "--role", "admin",
         "--division", "640522000000", "--id-number", "640522197002020053",
         "--password", "county-pass-1", *common],
        env=env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    issued = runner.invoke(
        app,
        ["central", "enroll", "--division", "640522100201", "--name", "杨郎村", "--role",
         "village", "--url", "https://10.0.0.2:8765", "--as", "zhaojun", *common],
        env=env,
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    fingerprint = certificate_fingerprint(cert)
    assert f"中心证书 SHA-256：{fingerprint}" in issued.stdout
    as_json = runner.invoke(
        app,
        ["central", "enroll", "--division", "640522100000", "--name", "杨郎镇", "--role",
         "township", "--url", "https://10.0.0.2:8765", "--as", "zhaojun", "--json", *common],
        env=env,
    )  # fmt: skip
    ticket = parse_enroll_uri(json.loads(as_json.stdout)["uri"])
    assert (ticket.central, ticket.fingerprint) == ("https://10.0.0.2:8765", fingerprint)
