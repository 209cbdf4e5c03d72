"""A county centre on HTTPS (``central serve --cert --key``) and stations that pin it.

A real central on loopback with a generated certificate; a fake centre with another
certificate (a machine in the path): the station refuses it before sending anything
and keeps its outbox. Tokens rotate at a real hello and the station keeps the new one.
"""

from __future__ import annotations

import http.server
import sqlite3
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import trustme
from typer.testing import CliRunner

from central.settings import read_settings_file, write_settings_file
from daiban.cli import app
from station.store import StationStore
from sync.client import CentralClient, CertificateNotPinned
from sync.enroll_uri import parse_enroll_uri
from sync.events import Role
from sync.messages import translate_reason
from sync.tls import certificate_fingerprint, pinned_context
from tests.e2e.conftest import (
    DAIBAN,
    START_DEADLINE_S,
    VILLAGE,
    Central,
    Station,
    _free_port,
    case_line,
    county_test_catalog,
    invoke,
)

pytestmark = pytest.mark.slow  # a real central on loopback


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 from a throwaway CA (self-made, as a county's may be)."""
    folder.mkdir(parents=True, exist_ok=True)
    issued = trustme.CA().issue_cert("127.0.0.1", "localhost")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    issued.private_key_pem.write_to_path(str(key))
    return cert, key


def _wait_until_up(url: str, pin: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"central exited: {log.read_text(errors='replace')}")
        try:
            with httpx.Client(verify=pinned_context(pin), timeout=1.0) as probe:
                if probe.post(f"{url}/api/v1/hello").status_code == 401:
                    return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a subprocess with a deadline
    raise RuntimeError(f"central did not answer within {START_DEADLINE_S} s")


@pytest.fixture(scope="module")
def tls_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    """``central serve --cert --key`` on loopback; the certificate is also in central.toml."""
    data_dir = tmp_path_factory.mktemp("county")
    invoke("central", "init", "--data-dir", str(data_dir))
    cert, key = _certificate(data_dir / "tls", "central")
    values = read_settings_file(data_dir / "central")
    values |= {"tls_cert": str(cert), "tls_key": str(key)}
    values["catalog_path"] = str(county_test_catalog(data_dir / "central" / "catalog"))
    write_settings_file(data_dir / "central", values)
    port = _free_port()
    log = data_dir / "serve.log"
    command = [str(DAIBAN), "central", "serve", "--port", str(port), "--cert", str(cert)]
    command += ["--key", str(key), "--data-dir", str(data_dir)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}"
    try:
        _wait_until_up(url, certificate_fingerprint(cert), process, log)
        yield Central(url=url, data_dir=data_dir, db_args=())
    finally:
        process.terminate()
        process.wait(timeout=10)


class _FakeCentre(http.server.BaseHTTPRequestHandler):
    """Answers anything with 200 and counts what reached it."""

    requests: list[str] = []

    def _answer(self) -> None:
        self.requests.append(f"{self.command} {self.path}")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *_: object) -> None:
        return


@contextmanager
def fake_centre(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """An HTTPS server on loopback with a certificate of its own; yields its URL and requests."""
    cert, key = _certificate(tmp_path / "fake", "fake")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeCentre)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    _FakeCentre.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", _FakeCentre.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _enroll_by_uri(central: Central, data_dir: Path) -> tuple[Station, str]:
    answer = central.cli(
        "enroll", "--division", VILLAGE, "--name", "杨郎村便民服务站", "--role", "village",
        "--url", central.url,
    )  # fmt: skip
    station = Station(data_dir)
    station.station_id = station.cli("station", "enroll", "--uri", answer["uri"])["station_id"]
    station.sign_up("agent-201", Role.agent, VILLAGE, central)
    return station, answer["uri"]


def _point_at(station: Station, url: str) -> None:
    """What a machine in the path achieves: the station's address now reaches someone else."""
    store = StationStore.open(station.data_dir)
    try:
        identity = store.require_identity()
        store.save_identity(identity.model_copy(update={"central_url": url}))
    finally:
        store.close()


def _identity(station: Station) -> dict[str, str | None]:
    store = StationStore.open(station.data_dir)
    try:
        return store.require_identity().model_dump(mode="json")
    finally:
        store.close()


@pytest.fixture
def village(tls_central: Central, tmp_path: Path) -> Iterator[Station]:
    station, _uri = _enroll_by_uri(tls_central, tmp_path / "village")
    yield station
    tls_central.cli("revoke", station.station_id, "--force")


def _import(station: Station, tmp_path: Path, serial: int) -> None:
    lines = tmp_path / f"case-{serial}.jsonl"
    lines.write_text(case_line(serial) + "\n", encoding="utf-8")
    assert station.cli("case", "import", str(lines))["imported"] == 1


def test_the_code_carries_the_certificate_and_the_station_syncs_over_https(
    tls_central: Central, village: Station, tmp_path: Path
) -> None:
    cert = Path(read_settings_file(tls_central.data_dir / "central")["tls_cert"])
    assert _identity(village)["central_fingerprint"] == certificate_fingerprint(cert)
    _import(village, tmp_path, 1)
    first = village.cli("sync")
    assert (first["pushed"], first["pending"], first["error"]) == (3, 0, None)


def test_a_fake_centre_with_another_certificate_is_refused_and_the_outbox_kept(
    tls_central: Central, village: Station, tmp_path: Path
) -> None:
    _import(village, tmp_path, 2)
    with fake_centre(tmp_path) as (fake_url, reached):
        _point_at(village, fake_url)
        refused = CliRunner().invoke(app, ["sync", "--data-dir", str(village.data_dir)])
        assert refused.exit_code == 1
        assert "certificate" in refused.stderr or "证书" in refused.stderr
        assert reached == []  # not even the token reached it
        assert village.cli("station", "show")["outbox"] == 2  # taken in, kept to send

    _point_at(village, tls_central.url)
    after = village.cli("sync")
    assert (after["pushed"], after["pending"]) == (3, 0)


def test_an_enrollment_code_is_never_given_to_a_centre_with_another_certificate(
    tls_central: Central, tmp_path: Path
) -> None:
    answer = tls_central.cli(
        "enroll", "--division", "640522100299", "--name", "测试99村", "--role", "village",
        "--url", tls_central.url,
    )  # fmt: skip
    pin = parse_enroll_uri(answer["uri"]).fingerprint
    with fake_centre(tmp_path) as (fake_url, reached):
        command = ["station", "enroll", "--central", fake_url, "--code", answer["code"]]
        command += ["--fingerprint", pin or "", "--data-dir", str(tmp_path / "pc")]
        refused = CliRunner().invoke(app, command)
        assert refused.exit_code == 1 and reached == []
    taken = Station(tmp_path / "pc2").cli("station", "enroll", "--uri", answer["uri"])
    assert taken["division"] == "640522100299"  # the code is still good at the real centre
    tls_central.cli("revoke", taken["station_id"], "--force")


def test_the_station_saves_a_rotated_token_and_goes_on_with_it(
    tls_central: Central, village: Station, tmp_path: Path
) -> None:
    before = _identity(village)["token"]
    half_life_ago = datetime.now(UTC) - timedelta(days=16)
    with sqlite3.connect(tls_central.data_dir / "central" / "central.db") as db:
        db.execute(
            "UPDATE station SET token_issued_at = ? WHERE id = ?",
            (half_life_ago.isoformat(sep=" "), village.station_id),
        )
    _import(village, tmp_path, 3)
    assert village.cli("sync")["pushed"] == 3
    after = _identity(village)["token"]
    assert after and after != before
    _import(village, tmp_path, 4)
    again = village.cli("sync")
    assert (again["pushed"], again["error"]) == (3, None)
    assert _identity(village)["token"] == after  # young now: not rotated again


def test_a_revoked_station_is_refused_at_once(
    tls_central: Central, village: Station, tmp_path: Path
) -> None:
    assert village.cli("sync")["error"] is None
    tls_central.cli("revoke", village.station_id, "--force")
    _import(village, tmp_path, 5)
    refused = CliRunner().invoke(app, ["sync", "--data-dir", str(village.data_dir)])
    assert refused.exit_code == 1 and "403" in refused.stderr
    assert village.cli("station", "show")["outbox"] == 2


def test_a_refused_certificate_is_not_retried_and_says_why(tmp_path: Path) -> None:
    waits: list[float] = []
    with fake_centre(tmp_path) as (fake_url, reached):
        client = CentralClient(fake_url, "token", pin="ab" * 32, retries=5, sleep=waits.append)
        with client, pytest.raises(CertificateNotPinned) as refused:
            client.pull(0)
        fake_pin = certificate_fingerprint(tmp_path / "fake" / "fake.pem")
        with CentralClient(fake_url, "token", pin=fake_pin, retries=1) as pinned:
            assert pinned.request("GET", "/pull").status_code == 200  # its own pin: accepted
    assert waits == [] and reached == ["GET /api/v1/pull"]
    assert translate_reason(str(refused.value)).startswith("中心的证书与本站注册时的不符")


def test_enrollment_mistakes_are_said_in_words_not_the_librarys(tmp_path: Path) -> None:
    """A self-signed centre without --fingerprint said ``[SSL: CERTIFICATE_VERIFY_FAILED]
    …``, an address without http:// said ``Request URL is missing an 'http://' …``, and a
    short fingerprint blamed the code: ``无法识别此注册码：not a SHA-256 fingerprint``."""

    def enroll(*args: str) -> str:
        result = CliRunner().invoke(
            app, ["station", "enroll", *args, "--data-dir", str(tmp_path / "pc"), "--lang", "zh_CN"]
        )
        assert result.exit_code == 1, result.output
        assert "SSL" not in result.output and "Request URL" not in result.output, result.output
        return result.output

    with fake_centre(tmp_path) as (fake_url, reached):
        said = enroll("--central", fake_url, "--code", "ABCD-EFGH")
        assert "本机不信任县中心的证书" in said and "--fingerprint" in said
        assert reached == []
    said = enroll("--central", fake_url.removeprefix("https://"), "--code", "ABCD-EFGH")
    assert "县中心地址应以 http:// 或 https:// 开头" in said
    said = enroll("--central", fake_url, "--code", "ABCD-EFGH", "--fingerprint", "00112233")
    assert "--fingerprint 不是证书的 SHA-256 指纹" in said and "注册码" not in said.split("：")[0]
    said = enroll("--uri", "daiban://enroll?code=x")
    assert "无法识别此注册链接" in said and "lacks" not in said
