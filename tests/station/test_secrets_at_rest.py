"""Secrets and personal data at rest: owner-only folders (0700) and files (0600) at the
station and the centre, whatever the umask; passwords of at least 8 characters."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from station.store import StationStore
from station.store.models import StationIdentity
from sync.blobs import blob_path, store_blob
from sync.protocol import StationRole


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def careless_umask() -> Iterator[None]:
    """The most permissive umask: nothing may rely on the process's umask."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_stations_token_and_signing_key_are_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "station"
    store = StationStore.open(data_dir)
    identity = StationIdentity(
        station_id="s-1", division="640522100201", name="村", role=StationRole.village,
        central_url="https://county.example", token="tok-secret", signing_key="key-secret",
    )  # fmt: skip
    store.save_identity(identity)
    assert _mode(data_dir) == 0o700
    database = data_dir / "station.db"
    assert b"tok-secret" in b"".join(p.read_bytes() for p in data_dir.glob("station.db*"))
    for path in data_dir.glob("station.db*"):  # the database, its -wal and -shm
        assert _mode(path) == 0o600, path
    assert database.exists()
    store.engine.dispose()


def test_scans_are_owner_only(tmp_path: Path) -> None:
    source = tmp_path / "scan.jpg"
    source.write_bytes(b"\xff\xd8 a scan")
    blob_dir = tmp_path / "station" / "blobs"
    ref = store_blob(blob_dir, source)
    stored = blob_path(blob_dir, ref.sha256)
    assert _mode(stored) == 0o600
    assert _mode(blob_dir) == 0o700 and _mode(stored.parent) == 0o700


def test_the_centres_files_are_owner_only(tmp_path: Path) -> None:
    from central.app import create_app
    from central.settings import CentralSettings, ensure_secret

    data_dir = tmp_path / "central"
    ensure_secret(data_dir)
    settings = CentralSettings(data_dir=data_dir, audit_check_seconds=0)
    app = create_app(settings)
    app.state.engine.dispose()
    assert _mode(data_dir) == 0o700
    for name in ("central.toml", "central.db", "audit.key"):
        assert _mode(data_dir / name) == 0o600, name


def test_a_password_under_8_characters_is_refused_in_chinese(tmp_path: Path) -> None:
    from sqlmodel import Session

    from central.db import make_engine
    from central.migrate import upgrade
    from central.services.accounts import AccountError, create_user

    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    upgrade(engine)
    with Session(engine) as session, pytest.raises(AccountError) as refused:
        create_user(
            session=session, username="ma", display_name="马", role="agent",
            division="640522100201", password="1234567",
        )  # fmt: skip
    assert "至少需要 8 个字符" in str(refused.value)
    engine.dispose()
