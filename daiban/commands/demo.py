"""``daiban demo``: a central on SQLite, a county, a township and two villages, the desk.

Everything runs from one command: the central is a ``daiban central serve``
subprocess with its own data directory under the demo directory, shared by every
demo window open at once and stopped when the last one closes (no orphan). Setting up is idempotent: a
second ``daiban demo`` reuses what the first one enrolled.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from daiban.context import config, fail, home
from daiban.i18n import _
from daiban.selfrun import daiban_argv

COUNTY = ("640522000000", "海原县政务服务中心", "county")
TOWNSHIP = ("640522100000", "海城镇便民服务中心", "township")
VILLAGES = (
    ("640522100201", "海城镇山门村便民服务站", "village"),
    ("640522100202", "海城镇武塬村便民服务站", "village"),
)
DESK_VILLAGE = VILLAGES[0][0]
"""The village whose desk the demo opens."""


class DemoDesk(StrEnum):
    """Whose desk ``daiban demo --desk`` opens."""

    village = "village"
    township = "township"
    county = "county"


DESK_DIVISIONS = {
    DemoDesk.village: DESK_VILLAGE,
    DemoDesk.township: TOWNSHIP[0],
    DemoDesk.county: COUNTY[0],
}


@dataclass(frozen=True)
class DemoUser:
    """A demo account: username, display name, role, division and its (simple) password."""

    username: str
    name: str
    role: str
    division: str
    password: str
    id_number: str = ""
    """A made-up resident ID number (valid check character): one account per person."""
    phone: str = ""
    """A made-up mobile number: the receipts and notices give it to the resident to call."""


DEMO_USERS = (
    DemoUser(
        "agent201", "马丽", "agent", "640522100201", "demo1234", "640522198001010018", "13995140201"
    ),
    DemoUser(
        "agent202", "李强", "agent", "640522100202", "demo1234", "640522198505050021", "13995140202"
    ),
    DemoUser(
        "reviewer",
        "王芳",
        "reviewer",
        "640522100000",
        "demo1234",
        "640522199009090037",
        "13995140100",
    ),
    DemoUser(
        "admin", "赵军", "admin", "640522000000", "demo1234", "640522197511110049", "13995140000"
    ),
)
DEMO_ADMIN = DEMO_USERS[-1]
"""The county administrator the demo's central commands act as (``--as``)."""


@contextmanager
def _as_demo_admin() -> Iterator[tuple[str, str]]:
    """``--as admin`` with its password in DAIBAN_PASSWORD, for the central's commands."""
    before = os.environ.get("DAIBAN_PASSWORD")
    os.environ["DAIBAN_PASSWORD"] = DEMO_ADMIN.password
    try:
        yield ("--as", DEMO_ADMIN.username)
    finally:
        if before is None:
            os.environ.pop("DAIBAN_PASSWORD", None)
        else:
            os.environ["DAIBAN_PASSWORD"] = before


def _daiban(*args: str, data: Path, json_out: bool = False) -> Any:
    """Run a ``daiban`` command in this process (imports are paid once), JSON answer parsed."""
    import io
    from contextlib import redirect_stdout

    from typer.main import get_command

    from daiban.cli import app

    argv = [*args, "--data-dir", str(data), *(["--json"] if json_out else [])]
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            # standalone: click shows its own usage errors (on stderr) and exits
            get_command(app).main(argv, prog_name="daiban", standalone_mode=True)
        code: Any = 0
    except SystemExit as error:
        code = error.code
    if code not in (None, 0):
        message = _("`daiban {command}` failed (exit {code}): {output}")
        fail(message.format(command=" ".join(args), code=code, output=out.getvalue().strip()))
    return json.loads(out.getvalue()) if json_out else out.getvalue()


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(_("The demo's centre stopped with code {code}.").format(code=process.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    fail(_("The demo's centre did not start in time."))


@contextmanager
def running_central(central_dir: Path, port: int) -> Iterator[str]:
    """The demo's ``daiban central serve`` on ``port``, shared by every demo open on
    ``central_dir`` and stopped (and reaped) when the last of them closes.

    A trainer opens the village desk in one window and the township's in another: both
    use one centre. Before, the second found the port taken, quietly used the first
    one's centre, and lost it (every sync "centre unreachable") when the first window
    closed. Each demo registers under ``demo-users/`` (its process id and a random
    part); the one that finds no live centre starts it (its pid in ``demo-central.pid``);
    the last one out stops it, whichever started it. A lock file orders the decisions.

    Yields:
        The central's base URL.
    """
    me = _join_demo(central_dir, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        _leave_demo(central_dir, me)


_STARTED: dict[int, subprocess.Popen[bytes]] = {}
"""The centres this process started, by pid (reaped here when stopped)."""


@contextmanager
def _demo_lock(central_dir: Path) -> Iterator[None]:
    import fcntl

    with (central_dir / "demo.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def _users(central_dir: Path) -> Path:
    users = central_dir / "demo-users"
    users.mkdir(exist_ok=True)
    for entry in users.iterdir():  # a demo killed without closing leaves its file
        if not _alive(int(entry.name.partition("-")[0])):
            entry.unlink(missing_ok=True)
    return users


def _our_centre(central_dir: Path) -> int | None:
    """The pid of this demo directory's running centre, if one runs (checked by its
    command line, so a reused pid is never taken for it)."""
    try:
        pid = int((central_dir / "demo-central.pid").read_text(encoding="utf-8"))
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    serving = b"serve" in argv and str(central_dir).encode() in argv
    return pid if serving and _alive(pid) else None


def _join_demo(central_dir: Path, port: int) -> Path:
    import secrets

    with _demo_lock(central_dir):
        users = _users(central_dir)
        if _our_centre(central_dir) is None:
            _start_centre(central_dir, port)
        me = users / f"{os.getpid()}-{secrets.token_hex(4)}"
        me.touch()
    return me


def _start_centre(central_dir: Path, port: int) -> None:
    log = (central_dir / "central.log").open("ab")
    command = [*daiban_argv(), "central", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(central_dir)]
    env = {**os.environ, "DAIBAN_HOME": str(central_dir)}
    process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    log.close()
    try:
        _wait_listening(port, process)
    except BaseException:
        _stop(process.pid)
        raise
    _STARTED[process.pid] = process
    (central_dir / "demo-central.pid").write_text(f"{process.pid}\n", encoding="utf-8")


def _leave_demo(central_dir: Path, me: Path) -> None:
    with _demo_lock(central_dir):
        me.unlink(missing_ok=True)
        if any(_users(central_dir).iterdir()):
            return  # another demo window still uses the centre: it stops it
        pid = _our_centre(central_dir)
        if pid is not None:
            _stop(pid)
        (central_dir / "demo-central.pid").unlink(missing_ok=True)


def demo_centre_shared(central_dir: Path) -> bool:
    """Whether another demo still uses this demo directory's centre (it was left running)."""
    with _demo_lock(central_dir):
        return any(_users(central_dir).iterdir())


def _stop(pid: int) -> None:
    """Stop a centre (SIGTERM, then SIGKILL after 10 s) and reap it if it is our child."""
    import signal

    process = _STARTED.pop(pid, None)
    if process is not None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def demo_port(base: Path, wanted: int = 0) -> int:
    """The demo central's port: the one its stations were enrolled with, if any (they keep the URL)."""
    remembered = base / "central" / "demo-port"
    if remembered.exists() and not wanted:
        return int(remembered.read_text(encoding="utf-8").strip())
    port = wanted or free_port()
    remembered.write_text(f"{port}\n", encoding="utf-8")
    return port


def set_up_central(central_dir: Path) -> None:
    """``central init`` and the demo accounts (once; a marker file remembers)."""
    marker = central_dir / "demo-initialised"
    if marker.exists():
        return
    _daiban("central", "init", data=central_dir)
    for user in (DEMO_ADMIN, *DEMO_USERS[:-1]):  # the administrator first: the others name them
        with _as_demo_admin() as acting:
            _daiban(
                "central", "user", "add",
                "--username", user.username, "--name", user.name, "--role", user.role,
                "--division", user.division, "--password", user.password,
                "--id-number", user.id_number, "--phone", user.phone,
                *(acting if user is not DEMO_ADMIN else ()),
                data=central_dir,
            )  # fmt: skip
    marker.write_text("ok\n", encoding="utf-8")


def enroll_station(central_dir: Path, station_dir: Path, url: str, division: str) -> None:
    """Enroll a station data dir at the central (issue a code, present it), once."""
    if (station_dir / "demo-enrolled").exists():
        return
    name, role = next((n, r) for d, n, r in (COUNTY, TOWNSHIP, *VILLAGES) if d == division)
    with _as_demo_admin() as acting:
        issued = _daiban(
            "central", "enroll", "--division", division, "--name", name, "--role", role,
            *acting, data=central_dir, json_out=True,
        )  # fmt: skip
    _daiban("station", "enroll", "--central", url, "--code", issued["code"], data=station_dir)
    (station_dir / "demo-enrolled").write_text("ok\n", encoding="utf-8")


def seed_accounts(station_dir: Path) -> None:
    """Bring the station's accounts down (a sync pull), so agents can log in offline."""
    _daiban("sync", data=station_dir, json_out=True)


def set_up(base: Path, url: str) -> Path:
    """Enroll the stations at the running central; returns the desk's data dir."""
    central_dir = base / "central"
    desk_dir = base / f"station-{DESK_VILLAGE}"
    for division in (COUNTY[0], TOWNSHIP[0], *(v[0] for v in VILLAGES)):
        station_dir = base / f"station-{division}"
        station_dir.mkdir(parents=True, exist_ok=True)
        set_up_before = (station_dir / "demo-enrolled").exists()
        enroll_station(central_dir, station_dir, url, division)
        # every station pulls its accounts, so its people can sign in offline
        try:
            seed_accounts(station_dir)
        except typer.Exit:
            if not set_up_before:
                raise
            # a demo station the county desk revoked (吊销) stopped every later demo start:
            # its sync is refused; its desk still opens, and says so when it syncs
            said = _(
                "The demo station {path} could not sync (above); the demo goes on without it."
                " To start the demo afresh, remove {base}."
            )
            typer.echo(said.format(path=station_dir, base=base), err=True)
    return desk_dir


def seed_month(base: Path) -> None:
    """A county's month of work in the demo (once): see ``daiban.commands.demo_seed``."""
    from daiban.commands.demo_seed import seed

    seed(
        base,
        seed_accounts,
        {
            "village": base / f"station-{DESK_VILLAGE}",
            "village2": base / f"station-{VILLAGES[1][0]}",
            "township": base / f"station-{TOWNSHIP[0]}",
            "county": base / f"station-{COUNTY[0]}",
        },
    )


def _short_place(name: str) -> str:
    """ "海城镇武塬村便民服务站" → "武塬村" (the login screen has little room)."""
    for suffix in ("便民服务站", "便民服务中心", "政务服务中心"):
        name = name.removesuffix(suffix)
    return name.removeprefix(TOWNSHIP[1][:3]) if name != TOWNSHIP[1][:3] else name


def demo_accounts_for(division: str, base: Path | None = None) -> list[Any]:
    """The demo accounts to show on the login screen of the station at ``division``.

    The desk's own accounts first (they sign in here); then, when ``base`` (the
    demo directory) is given, every other demo account with the data dir it works
    from, so the login screen can say how to use it (township reviewer and county
    administrator from the command line, the other village at its own desk).
    """
    from station.services.auth import DemoAccount

    places = {d: _short_place(n) for d, n, _r in (COUNTY, TOWNSHIP, *VILLAGES)}
    here = [u for u in DEMO_USERS if u.division == division]
    others = [u for u in DEMO_USERS if u.division != division] if base else []
    accounts = [DemoAccount(u.username, u.name, u.role, u.password) for u in here]
    for user in others:
        assert base is not None
        where = base / f"station-{user.division}"
        place = places.get(user.division, user.division)
        accounts.append(
            DemoAccount(user.username, user.name, user.role, user.password, str(where), place)
        )
    return accounts


def demo(
    port: Annotated[int, typer.Option("--port", help="Port of the demo central (0: any).")] = 0,
    setup_only: Annotated[
        bool, typer.Option("--setup-only", help="Set up and exit without opening the desk.")
    ] = False,
    desk: Annotated[
        DemoDesk,
        typer.Option(
            "--desk",
            help="Whose desk to open: the village agent's, the township's or the county's.",
        ),
    ] = DemoDesk.village,
) -> None:
    """Start a central on SQLite, enroll a county, township and villages, open the desk."""
    from daiban.commands.desk import open_desk

    base = home() / "demo"
    (base / "central").mkdir(parents=True, exist_ok=True)
    set_up_central(base / "central")
    with running_central(base / "central", demo_port(base, port)) as url:
        desk_dir = set_up(base, url)
        seed_month(base)
        if setup_only:  # the centre stops with this command: say how to start it again
            listening = url.rsplit(":", 1)[-1]
            serve = f"daiban --data-dir {base / 'central'} central serve --port {listening}"
            said = _(
                "Demo set up: desk data dir {path}. Its centre ({url}) stops now; "
                "start it with: {serve}"
            )
            typer.echo(said.format(path=desk_dir, url=url, serve=serve))
            return
        division = DESK_DIVISIONS[desk]
        open_desk(
            base / f"station-{division}", demo_accounts_for(division, base), config().language
        )
    from station.i18n import _ as desk_  # after open_desk chose the language

    accounts = " ".join(u.username for u in DEMO_USERS)
    if demo_centre_shared(base / "central"):
        said = desk_(
            "The demo's centre keeps running for the other demo window. "
            "Accounts (password demo1234): {accounts}"
        )
    else:
        said = desk_("The demo's centre is stopped. Accounts (password demo1234): {accounts}")
    typer.echo(said.format(accounts=accounts))
