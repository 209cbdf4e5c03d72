"""Sending a PDF to the printer, and keeping it whatever the printer does.

The PDF is always written first (``<data_dir>/documents/``), so a printer that
is off, jammed or not installed never loses a receipt: the clerk is told
where the file is and can print it later (a reprint is marked 补打).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from printing.i18n import _

PRINT_TIMEOUT = 60


@dataclass(frozen=True)
class PrintResult:
    """What happened when a document was sent to a printer."""

    ok: bool
    message: str
    path: Path
    """Where the PDF is kept, printed or not."""


def documents_dir(data_dir: Path) -> Path:
    """The folder where every generated document is kept: ``<data_dir>/documents``."""
    folder = data_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def keep_pdf(pdf: bytes, path: Path) -> Path:
    """Write ``pdf`` to ``path`` durably (temp file, fsync, rename): never half a file.

    Returns:
        The path written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".print-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def print_command(path: Path, printer: str | None, platform: str = sys.platform) -> list[str]:
    """The command that prints ``path``: CUPS ``lp`` on Linux/macOS, the shell on Windows.

    Args:
        path: the PDF.
        printer: a printer name, or None for the system's default printer.
        platform: ``sys.platform`` (a parameter so both branches can be tested).
    """
    if platform == "win32":
        quoted = str(path).replace("'", "''")  # PowerShell single-quoted string
        name = (printer or "").replace("'", "''")
        verb = f"-Verb PrintTo -ArgumentList '\"{name}\"'" if printer else "-Verb Print"
        script = f"Start-Process -FilePath '{quoted}' {verb} -WindowStyle Hidden"
        return ["powershell", "-NoProfile", "-NonInteractive", "-Command", script]
    command = ["lp"]
    if printer:
        command += ["-d", printer]
    return [*command, "--", str(path)]


def print_pdf(
    path: Path, printer: str | None = None, *, command: Sequence[str] | None = None
) -> PrintResult:
    """Send a kept PDF to a printer; failures are reported, never raised.

    Args:
        path: the PDF, already written with :func:`keep_pdf`.
        printer: the configured printer, or None for the default printer.
        command: a different print command (the path is appended); for tests and
            unusual setups.

    Returns:
        ``ok`` and a message the clerk can read; ``path`` always says where the PDF is.
    """
    argv = [*command, str(path)] if command else print_command(path, printer)
    if shutil.which(argv[0]) is None:
        message = _("No print command ({command}) on this computer; the PDF is kept at {path}")
        return PrintResult(False, message.format(command=argv[0], path=path), path)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PRINT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        message = _("Printing failed ({error}); the PDF is kept at {path}")
        return PrintResult(False, message.format(error=exc, path=path), path)
    if done.returncode != 0:
        error = (done.stderr or done.stdout).strip() or f"exit {done.returncode}"
        message = _("Printing failed ({error}); the PDF is kept at {path}")
        return PrintResult(False, message.format(error=said(error, printer), path=path), path)
    target = printer or _("the default printer")
    return PrintResult(True, _("Sent to {printer}: {path}").format(printer=target, path=path), path)


PRINT_ERRORS: tuple[tuple[str, str], ...] = (
    ("does not exist", "there is no printer {printer} on this computer"),
    ("invalid destination", "there is no printer {printer} on this computer"),
    ("no default destination", "this computer has no default printer"),
    ("not accepting jobs", "the printer {printer} is not accepting jobs"),
    ("unable to connect", "the print service (CUPS) is not running"),
    ("scheduler is not running", "the print service (CUPS) is not running"),
)
"""CUPS's English answers the clerk sees most, and what each means (lp's own words stay
only for an answer not listed here)."""


def said(error: str, printer: str | None) -> str:
    """The print command's error as the clerk can read it (lp answers in English)."""
    lowered = error.lower()
    for words, meaning in PRINT_ERRORS:
        if words in lowered:
            return _(meaning).format(printer=printer or _("the default printer"))
    return error


def printer_problem(printer: str) -> str:
    """Why ``printer`` cannot be printed to on this computer ("" when it can, or when this
    computer cannot tell: no ``lpstat``, as on Windows). Asked of CUPS: ``lpstat -p NAME``."""
    if shutil.which("lpstat") is None:
        return ""
    try:
        done = subprocess.run(
            ["lpstat", "-p", printer], capture_output=True, text=True, timeout=PRINT_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    error = (done.stderr or done.stdout).strip().lower()
    if done.returncode == 0 or not any(words in error for words in UNKNOWN_PRINTER):
        return ""  # there, or not known yet (CUPS not running): not refused for that
    return _("there is no printer {printer} on this computer").format(printer=printer)


UNKNOWN_PRINTER = ("does not exist", "invalid destination", "unknown destination")
"""How CUPS says a printer name is none of its printers (lp, lpstat)."""
