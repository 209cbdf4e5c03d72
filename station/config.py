"""Station settings: ``<data_dir>/station.toml``, overridden by ``DAIBAN_...`` variables.

Precedence (lowest first): defaults, the file, the environment, then whatever the
caller passes (command-line flags).
"""

from __future__ import annotations

import json
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SETTINGS_FILE = "station.toml"

_toml_file: ContextVar[Path | None] = ContextVar("_toml_file", default=None)
"""The file ``load_settings`` is reading (pydantic-settings builds sources per class)."""


class StationSettings(BaseSettings):
    """How this station's desk behaves; the station's identity lives in the store, not here."""

    model_config = SettingsConfigDict(env_prefix="DAIBAN_", extra="ignore")

    data_dir: Path
    """Where station.db, blobs, backups and this file live."""
    language: str = "zh_CN"
    """User-interface language: ``zh_CN`` or ``en``."""
    elder_mode: bool = False
    """长辈模式: large type and high contrast."""
    printer: str | None = None
    """Printer name (CUPS); None writes PDF files instead."""
    paper_format: str = "a4"
    """``a4``, ``a4-large`` (大字版, for elderly residents) or ``80mm`` (receipt printer)."""
    scan_folder: Path | None = None
    """Folder the scanner drops files into."""
    bundle_drop_folder: Path | None = None
    """Folder watched for offline bundles (the USB stick)."""
    idle_lock_minutes: int = Field(default=10, ge=1)
    """Lock the desk after this many idle minutes."""
    sync_interval_seconds: int = Field(default=30, ge=5)
    """How often the background worker tries to sync."""
    sync_timeout_seconds: float = Field(default=30, gt=0)
    """How long the desk waits for one answer of the centre (it tries 3 times in all)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init) over environment over the TOML file."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = _toml_file.get()
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)


def settings_path(data_dir: Path) -> Path:
    """The settings file of a data directory."""
    return data_dir / SETTINGS_FILE


def load_settings(data_dir: Path, **overrides: Any) -> StationSettings:
    """Read ``station.toml`` of ``data_dir`` (if any) with environment overrides.

    Args:
        data_dir: the station's data directory.
        **overrides: values from command-line flags; they win over everything.

    Returns:
        The settings, ``data_dir`` always the given one.
    """
    path = settings_path(data_dir)
    token = _toml_file.set(path if path.exists() else None)
    try:
        return StationSettings(data_dir=data_dir, **overrides)
    finally:
        _toml_file.reset(token)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # JSON string escaping is valid TOML basic-string escaping for what we write.
    return json.dumps(str(value), ensure_ascii=False)


def save_settings(settings: StationSettings) -> None:
    """Write ``station.toml`` (atomically: a temp file renamed over the old one).

    Args:
        settings: the settings to keep; ``data_dir`` itself is not written.
    """
    lines = ["# daiban station settings (站点设置)"]
    for name, value in settings.model_dump().items():
        if name == "data_dir" or value is None:
            continue
        lines.append(f"{name} = {_toml_value(value)}")
    path = settings_path(settings.data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
