"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a free port.

PostgreSQL refuses to run as root, so as root the cluster is created and
started as the ``postgres`` user (``runuser``). Where no PostgreSQL binaries
exist the fixture using this says so loudly and skips; CI always has them.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.ports import free_port


def find_pg_bin() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding initdb and pg_ctl, if any."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class PgCluster:
    """A running cluster; ``url(db)`` gives a SQLAlchemy URL."""

    bin_dir: Path
    base: Path
    port: int
    user: str
    _admin: psycopg.Connection[Any] | None = field(default=None, repr=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create a fresh database and return its URL.

        Through one kept connection, not ``createdb`` (``runuser`` and a new process and
        connection each time: 90–165 ms against 55 ms here, for the ~150 databases a test
        worker makes)."""
        if self._admin is None:
            self._admin = psycopg.connect(
                host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True
            )
        self._admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.base / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
        )
        # a worker's ~150 databases are 1–1.5 GB of files: removed in the background, as
        # the worker ends (removing them held the run's end 10–17 s)
        subprocess.Popen(
            ["rm", "-rf", str(self.base)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)


def locale_args(locale: str | None = None, icu_locale: str | None = None) -> list[str]:
    """initdb's locale options: none given is ``--no-locale`` (C); ``icu_locale`` makes ICU
    the provider (its glibc locale stays C); ``locale`` sets every category (glibc)."""
    if icu_locale:
        return ["--locale-provider=icu", f"--icu-locale={icu_locale}", "--locale=C.UTF-8"]
    if locale:
        return [f"--locale={locale}"]
    return ["--no-locale"]


def has_locale(name: str) -> bool:
    """Whether the machine has the glibc locale ``name`` (``zh_CN.UTF-8``; CI generates it)."""
    wanted = name.lower().replace("-", "")
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout
    return any(line.lower().replace("-", "") == wanted for line in listed.split())


IN_MEMORY = Path("/dev/shm")
IN_MEMORY_FREE = 4 << 30
"""A test cluster goes in memory only with this much free there (a worker's ~150 databases
are 1–1.5 GB)."""


def _memory() -> Path | None:
    """``/dev/shm`` where it has room, else None (the system's temp folder)."""
    try:
        usage = shutil.disk_usage(IN_MEMORY)
    except OSError:
        return None
    return IN_MEMORY if usage.free >= IN_MEMORY_FREE else None


def start_cluster(
    locale: str | None = None,
    icu_locale: str | None = None,
    *,
    durable: bool = False,
    in_memory: bool = False,
) -> PgCluster:
    """Create and start a cluster; raises RuntimeError with the reason if it cannot.

    Args:
        locale: the cluster's glibc locale (``zh_CN.UTF-8``); default C (``--no-locale``).
        icu_locale: an ICU locale (``zh-Hans-CN``): the cluster's default collation is ICU's.
        durable: fsync on, as in production (default off: tests need no crash safety).
        in_memory: the cluster's files in ``/dev/shm`` where it has room (tests: each makes a
            database, 7.5 MB written; not the benches, whose figures are the disk's).
    """
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries (initdb, pg_ctl) found")
    base = Path(tempfile.mkdtemp(prefix="daiban-pg-", dir=_memory() if in_memory else None))
    os.chmod(base, 0o777)
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    cluster = PgCluster(bin_dir=bin_dir, base=base, port=free_port(), user=user)
    data = base / "data"
    try:
        cluster._run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                user,
                "-A",
                "trust",
                "-E",
                "UTF8",
                *locale_args(locale, icu_locale),
                "--no-sync",
            ]
        )
        fsync = "on" if durable else "off"
        opts = f"-p {cluster.port} -k {base} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c max_connections=200"
        cluster._run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(base / "log"),
                "-w",
                "start",
            ]
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr or exc.stdout}") from exc
    return cluster
