"""Find, register and check the CJK font every document is set in.

An embedded TrueType font is the only way a printer without Chinese fonts
prints the page right, so the search order is: the configured path, then the
usual system fonts, then what fontconfig knows, then the WenQuanYi Micro Hei
that ships with the program (``printing/bundled``, Apache-2.0). reportlab's
built-in ``STSong-Light`` is a last resort (the bundled file removed): it is not
embedded, and it is used only with a warning.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from printing.i18n import _

log = logging.getLogger(__name__)

FALLBACK_FONT = "STSong-Light"

_UNIX_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSerifSC-Regular.ttf",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
)
_WINDOWS_NAMES = ("simsun.ttc", "simhei.ttf", "msyh.ttc", "msyh.ttf", "simfang.ttf")
BUNDLED_FONT = Path(__file__).resolve().parent / "bundled" / "wqy-microhei.ttc"
"""The CJK font shipped with the program: used when the machine has none."""


@dataclass(frozen=True)
class CjkFont:
    """A registered font: its reportlab name, where it came from, what it covers."""

    name: str
    path: Path | None
    embedded: bool
    codepoints: frozenset[int] = field(default=frozenset(), repr=False)
    warning: str = ""

    @property
    def label(self) -> str:
        """The font as a clerk knows it: the file name, or the built-in font's name."""
        return self.path.name if self.path else self.name

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` the font has no glyph for.

        For the built-in STSong-Light there is no cmap to read; it maps the Basic
        Multilingual Plane only (UniGB-UCS2-H), so anything beyond it (CJK
        Extension B and later, where rare name characters live) is missing.
        """
        if not self.codepoints:
            return sorted({ch for ch in text if ord(ch) > 0xFFFF})
        return sorted({ch for ch in text if ord(ch) > 0x7F and ord(ch) not in self.codepoints})

    def has(self, char: str) -> bool:
        """Whether the font can draw ``char``."""
        return not self.missing(char)


def candidate_paths(configured: Path | None = None) -> list[Path]:
    """Where to look for a CJK TrueType font, best first."""
    paths: list[Path] = []
    if configured is not None:
        paths.append(Path(configured))
    env = os.environ.get("DAIBAN_FONT")
    if env:
        paths.append(Path(env))
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
        paths.extend(windir / name for name in _WINDOWS_NAMES)
    paths.extend(Path(p) for p in _UNIX_CANDIDATES)
    known = set(paths)
    paths.extend(p for p in fontconfig_chinese_fonts() if p not in known)
    if BUNDLED_FONT not in paths:
        paths.append(BUNDLED_FONT)
    return paths


def fontconfig_chinese_fonts() -> list[Path]:
    """TrueType files fontconfig says cover Chinese (``fc-list :lang=zh``); none without it.

    This finds a CJK font installed anywhere, under any name, after the usual
    places have been tried. CFF-outline ``.otf`` files are left out: reportlab
    cannot embed them.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        done = subprocess.run(
            [fc_list, ":lang=zh", "--format", "%{file}\\n"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    files = {line.strip() for line in done.stdout.splitlines() if line.strip()}
    return sorted(Path(f) for f in files if f.lower().endswith((".ttf", ".ttc")))


def _load_truetype(path: Path, name: str) -> TTFont | None:
    try:
        return TTFont(name, str(path), subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError, AssertionError) as exc:
        # A CFF .otf or a damaged file: say why, then try the next candidate.
        log.warning("font %s unusable: %s", path, exc)
        return None


def _covers_chinese(font: TTFont) -> bool:
    """Whether a TrueType font draws common Chinese (a Latin-only font is no use here)."""
    return all(ord(ch) in font.face.charToGlyph for ch in "帮代办收件回执中华人民共和国")


@cache
def find_cjk_font(configured: Path | None = None) -> CjkFont:
    """Find and register a CJK font to embed, falling back to STSong-Light.

    Args:
        configured: a font file the station configured (TrueType ``.ttf``/``.ttc``).

    Returns:
        The registered font; ``warning`` is set when it is not an embedded TrueType
        font or when the configured file could not be used.
    """
    notes: list[str] = []
    explicit = {p for p in (configured, os.environ.get("DAIBAN_FONT")) if p}
    for index, path in enumerate(candidate_paths(configured)):
        # Only a font someone chose is worth a warning; system candidates fail quietly.
        chosen = path in {Path(p) for p in explicit}
        if not path.is_file():
            if chosen:
                notes.append(_("Configured font not found: {path}").format(path=path))
            continue
        font = _load_truetype(path, f"DaibanCJK{index}")
        if font is None or not _covers_chinese(font):
            if chosen:
                notes.append(
                    _("Font cannot be used (not TrueType, or no Chinese): {path}").format(path=path)
                )
            continue
        pdfmetrics.registerFont(font)
        codepoints = frozenset(font.face.charToGlyph)
        return CjkFont(font.fontName, path, True, codepoints, "; ".join(notes))
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    notes.append(
        _(
            "No Chinese TrueType font found; using the built-in STSong-Light, which is not "
            "embedded: install fonts-wqy-microhei or configure a font"
        )
    )
    return CjkFont(FALLBACK_FONT, None, False, frozenset(), "; ".join(notes))
