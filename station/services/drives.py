"""Where a 离线包 can go: the USB sticks plugged in now, named as the agent sees them.

Written by hand: the dependencies have nothing that lists removable drives (watchdog
watches folders; psutil, not a dependency, lists every mount without saying which is a
stick). The rules are the desktops' own: on Linux the automounter mounts a stick under
``/media/USER`` or ``/run/media/USER``; on Windows a stick is a drive of type
``DRIVE_REMOVABLE``; on macOS it is a volume under ``/Volumes``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

MEDIA_ROOTS = ("/media/", "/run/media/")
"""Where Linux desktops (udisks) mount removable media."""
DRIVE_REMOVABLE = 2
"""``GetDriveTypeW``'s answer for a USB stick or a card."""


@dataclass(frozen=True)
class Drive:
    """A removable drive: its name (the volume label) and where it is mounted."""

    label: str
    path: Path


def _unescape(field: str) -> str:
    r"""``/proc/mounts`` writes a space in a path as ``\040`` (and tab, newline, backslash)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def linux_drives(mounts: str) -> list[Drive]:
    """The removable drives in a ``/proc/mounts`` text, in mount order."""
    found = []
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        where = _unescape(parts[1])
        if where.startswith(MEDIA_ROOTS) and where.count("/") >= 3:
            found.append(Drive(Path(where).name, Path(where)))
    return found


def _windows_drives() -> list[Drive]:
    import ctypes
    import string

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel.GetLogicalDrives()
    found = []
    for index, letter in enumerate(string.ascii_uppercase):
        root = f"{letter}:\\"
        if mask >> index & 1 and kernel.GetDriveTypeW(root) == DRIVE_REMOVABLE:
            name = ctypes.create_unicode_buffer(261)
            kernel.GetVolumeInformationW(root, name, 261, None, None, None, None, 0)
            found.append(Drive(name.value or f"{letter}:", Path(root)))
    return found


def removable_drives() -> list[Drive]:
    """The removable drives plugged in now (none when they cannot be listed)."""
    try:
        if sys.platform.startswith("win"):
            return _windows_drives()
        if sys.platform == "darwin":
            volumes = Path("/Volumes")
            return [Drive(p.name, p) for p in sorted(volumes.iterdir()) if not p.is_symlink()]
        return linux_drives(Path("/proc/mounts").read_text(encoding="utf-8"))
    except (OSError, AttributeError, ValueError):
        return []
