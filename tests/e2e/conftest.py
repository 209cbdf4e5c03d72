"""A real central on loopback and real stations in temporary data directories.

The central runs as ``daiban central serve`` in a subprocess (SQLite, and
PostgreSQL where a cluster can be started). Station commands run through the
real CLI: in-process (``CliRunner``) where nothing is killed, as a subprocess
where the test kills it with SIGKILL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import forms.catalog
from central.settings import read_settings_file, write_settings_file
from daiban.cli import app
from station.services.auth import hash_password
from station.store import StationStore
from sync.events import Role
from sync.protocol import AccountRecord
from tests.ports import free_port as _free_port

DAIBAN = Path(sys.executable).parent / "daiban"
START_DEADLINE_S = 60.0
VILLAGE = "640522100201"
TOWNSHIP = "640522100000"
PASSWORD = "e2e-secret-1"
"""The password of every station's own account (given as DAIBAN_PASSWORD)."""
ACTING = frozenset(
    (
        "import",
        "submit",
        "accept",
        "return",
        "reject",
        "forward",
        "complete",
        "handover",
        "withdraw",
        "pause",
        "resume",
    )
)
"""``daiban case`` commands that act as a signed-in person (``--as``)."""


def invoke(*args: str) -> Any:
    """Run a ``daiban`` command in-process; fail the test if it fails."""
    env = {"DAIBAN_PASSWORD": PASSWORD}
    result = CliRunner().invoke(app, list(args), catch_exceptions=False, env=env)
    assert result.exit_code == 0, f"daiban {' '.join(args)}: {result.output}"
    return result


def invoke_json(*args: str) -> Any:
    """Run a ``daiban ... --json`` command in-process and parse what it printed."""
    return json.loads(invoke(*args, "--json").stdout)


@dataclass
class Central:
    """A central running on loopback."""

    url: str
    data_dir: Path
    db_args: tuple[str, ...]
    admin_ready: bool = False

    def cli(self, *args: str) -> Any:
        """``daiban central ... --json`` against this central's database; a command that
        changes the county acts as the county's administrator (created the first time)."""
        acting = ("--as", COUNTY_ADMIN) if _acting(args) else ()
        if acting:
            self.ensure_admin()
        return invoke_json(
            "central", *args, *acting, "--data-dir", str(self.data_dir), *self.db_args
        )

    def ensure_admin(self) -> None:
        """The county's first administrator (``user add`` without ``--as``), once."""
        if self.admin_ready:
            return
        self.admin_ready = True
        users = invoke_json(
            "central", "user", "list", "--data-dir", str(self.data_dir), *self.db_args
        )["users"]
        if any(u["username"] == COUNTY_ADMIN for u in users):
            return
        invoke_json(
            "central", "user", "add", "--username", COUNTY_ADMIN, "--name", "赵军",
            "--role", "admin", "--division", "640522000000", "--id-number", COUNTY_ADMIN_ID,
            "--password", PASSWORD, "--data-dir", str(self.data_dir), *self.db_args,
        )  # fmt: skip

    def account(self, username: str, role: Role, division: str) -> str:
        """The id of the county's account ``username`` (``user add`` the first time).

        The centre refuses events by anyone who is not one of its accounts, so a
        station's people are made here, as the county's administrator does.
        """
        users = self.cli("user", "list")["users"]
        held = [u["user_id"] for u in users if u["username"] == username]
        if held:
            return str(held[0])
        person = resident_id(5000 + len(users))  # one account per person: a new person
        added = self.cli(
            "user", "add", "--username", username, "--name", username, "--role", role.value,
            "--division", division, "--id-number", person, "--password", PASSWORD,
        )  # fmt: skip
        return str(added["user_id"])

    def enroll_code(self, division: str, name: str, role: str) -> str:
        """A one-time enrollment code for a new station."""
        answer = self.cli("enroll", "--division", division, "--name", name, "--role", role)
        return str(answer["code"])

    def reconcile(self) -> dict[str, dict[str, Any]]:
        """``central report reconcile``, by station id."""
        return {s["station"]: s for s in self.cli("report", "reconcile")["stations"]}


@dataclass
class Station:
    """A station in its own data directory, driven through the CLI."""

    data_dir: Path
    station_id: str = ""
    user: str = ""
    """The station's own account: commands that act on cases sign in as it."""
    user_id: str = ""
    """That account's id (the centre's, when the account was made there)."""

    def cli(self, *args: str) -> Any:
        """A station command (in-process), its JSON output parsed; acting ones ``--as`` ``user``."""
        return invoke_json(*args, *self._as(args), "--data-dir", str(self.data_dir))

    def _as(self, args: tuple[str, ...]) -> tuple[str, ...]:
        acting = len(args) > 1 and args[0] == "case" and args[1] in ACTING
        return ("--as", self.user) if acting and "--as" not in args else ()

    def sign_up(
        self, username: str, role: Role, division: str, central: Central | None = None
    ) -> None:
        """Cache an account at the station, as a pull from the centre would.

        With ``central``, the account is the county's (made there if new), so the
        station's events by it are accepted; without, a local one (never pushed).
        """
        user_id = central.account(username, role, division) if central else f"u-{username}"
        store = StationStore.open(self.data_dir)
        try:
            store.upsert_accounts(
                [
                    AccountRecord(
                        user_id=user_id,
                        username=username,
                        display_name=username,
                        role=role,
                        division=division,
                        password_hash=hash_password(PASSWORD),
                        updated_at=datetime.now(UTC),
                    )
                ]
            )
        finally:
            store.close()
        self.user, self.user_id = username, user_id

    def run(self, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
        """A station command in a subprocess, optionally with a test-only fault point."""
        env = {**os.environ, "DAIBAN_HOME": str(self.data_dir), "DAIBAN_PASSWORD": PASSWORD}
        env.pop("DAIBAN_FAULT", None)
        if fault:
            env["DAIBAN_FAULT"] = fault
        return subprocess.run(
            [str(DAIBAN), *args, *self._as(args), "--data-dir", str(self.data_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )


COUNTY_ADMIN = "county-admin"
"""The county administrator every ``Central.cli`` act names (``--as``)."""
COUNTY_ADMIN_ID = "640522197002020053"
_ACTING_CENTRAL = {("enroll",), ("revoke",), ("codes", "cancel"), ("user", "add")}
_ACTING_CENTRAL |= {("catalog", "publish")}
_ACTING_CENTRAL |= {("user", verb) for verb in ("disable", "enable", "passwd")}


def _acting(args: tuple[str, ...]) -> bool:
    return "--as" not in args and (args[:1] in _ACTING_CENTRAL or args[:2] in _ACTING_CENTRAL)


TEST_VILLAGES = range(203, 300)
"""Villages 6405221002NN of 海城镇 the tests enroll (one active station per village, and
a module's central is shared): the test centre's division table lists them."""


def county_test_catalog(folder: Path) -> Path:
    """The shipped catalog with the test villages added to its division table."""
    shipped = Path(forms.catalog.__file__).parent
    shutil.copytree(shipped, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    villages = "".join(
        f'\n[[divisions]]\ncode = "6405221002{n % 100:02d}"\nlevel = "village"\n'
        f'name = "测试{n % 100:02d}村"\n'
        for n in TEST_VILLAGES
    )
    with (folder / "divisions.toml").open("a", encoding="utf-8") as table:
        table.write(villages)
    return folder


def _use_test_catalog(data_dir: Path) -> None:
    """Point the central at :func:`county_test_catalog` (in its ``central.toml``)."""
    values = read_settings_file(data_dir)
    values["catalog_path"] = str(county_test_catalog(data_dir / "catalog"))
    write_settings_file(data_dir, values)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"central exited: {log.read_text(errors='replace')}")
        try:
            # Without a token the centre answers 401: it is up and routing.
            if httpx.post(f"{url}/api/v1/hello", timeout=1.0).status_code == 401:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a subprocess with a deadline
    raise RuntimeError(f"central did not answer within {START_DEADLINE_S} s")


@contextmanager
def running_central(data_dir: Path, db_args: tuple[str, ...]) -> Iterator[Central]:
    """``daiban central init`` then ``serve`` on a free loopback port, stopped afterwards."""
    invoke("central", "init", "--data-dir", str(data_dir), *db_args)
    _use_test_catalog(data_dir / "central")
    port = _free_port()
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(DAIBAN),
                "central",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                *db_args,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield Central(url=url, data_dir=data_dir, db_args=db_args)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def central(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Central]:
    """A central per test module (its tests use their own stations), on SQLite or PostgreSQL."""
    db_args: tuple[str, ...] = ()
    if request.param == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        db_args = ("--db", cluster.create_database(f"e2e_{uuid.uuid4().hex[:12]}"))
    with running_central(tmp_path_factory.mktemp("county"), db_args) as running:
        yield running


@pytest.fixture(scope="module")
def sqlite_central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    """A central on SQLite only (for tests whose central side PostgreSQL adds nothing to)."""
    with running_central(tmp_path_factory.mktemp("county"), ()) as running:
        yield running


def own_account(store: StationStore, role: Role = Role.agent) -> str:
    """The id of the station's own account of ``role`` (cached by ``enrolled_station``)."""
    return next(a.user_id for a in store.list_accounts() if Role(a.role) is role)


def enrolled_station(
    central: Central, data_dir: Path, division: str, name: str, role: str
) -> Station:
    """A station enrolled with ``central`` through ``daiban station enroll``, with its account.

    A village's account is an agent, a township's a reviewer.
    """
    station = Station(data_dir)
    code = central.enroll_code(division, name, role)
    station.station_id = station.cli("station", "enroll", "--central", central.url, "--code", code)[
        "station_id"
    ]
    person = Role.agent if role == "village" else Role.reviewer
    county = central if role != "county" else None  # no 审核员 at a county: a local one
    place = division[-3:] if role == "village" else division[6:9]  # a township: its 3 digits
    station.sign_up(f"{person.value}-{place}", person, division, county)
    return station


@pytest.fixture
def village(central: Central, tmp_path: Path) -> Iterator[Station]:
    """The village station of this test; retired (revoked) after it, as an old PC is.

    A village has one active station at a time, and the central is shared by the
    tests of a module, so the next test's village PC is a replacement.
    """
    station = enrolled_station(
        central, tmp_path / "village", VILLAGE, "杨郎村便民服务站", "village"
    )
    yield station
    central.cli("revoke", station.station_id, "--force")  # the test is over: retire the PC


@pytest.fixture
def township(central: Central, tmp_path: Path) -> Station:
    return enrolled_station(
        central, tmp_path / "township", TOWNSHIP, "杨郎镇便民服务中心", "township"
    )


def id_number(first17: str) -> str:
    """A resident ID number with a valid GB 11643 check character."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def resident_id(serial: int) -> str:
    """A distinct valid ID number per serial (birthdays from 1950-01-01 on)."""
    born = date(1950, 1, 1) + timedelta(days=serial // 900)
    return id_number(f"640522{born:%Y%m%d}{serial % 900 + 100:03d}")


def case_line(serial: int, name: str = "张三丰") -> str:
    """One ``daiban case import`` line: a medical-insurance enrollment."""
    return json.dumps(
        {
            "item": "640522-YB-001",
            "applicant": {
                "name": name,
                "id_number": resident_id(serial),
                "phone": "13800000000",
            },
            "relation": "self",
            "fields": {"hukou_address": "杨郎村一组", "category": "普通居民", "insured_year": 2027},
            "materials": {"id_card": "provided"},
            "receive": True,
        },
        ensure_ascii=False,
    )


def write_cases(path: Path, count: int, first: int = 1) -> Path:
    """A JSON lines file of ``count`` valid cases, residents ``first``, ``first + 1``...
    (an import skips a resident's second open case of an item: 重复申请)."""
    lines = (case_line(serial) for serial in range(first, first + count))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
