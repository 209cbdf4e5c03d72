"""Helpers for the printing tests: poppler's tools read back what was printed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


def pdf_text(pdf: bytes) -> str:
    """The text a reader sees in the PDF (pdftotext, layout kept)."""
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True, timeout=30
    )
    return done.stdout.decode("utf-8")


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """pdffonts' table: one dict per font with its name and ``emb`` column."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object ID: emb is the 5th field from the end
        fonts.append({"name": parts[0], "emb": parts[-5]})
    return fonts


def pdf_info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's fields (Pages, Page size, Title...)."""
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    info = {}
    for line in done.stdout.decode("utf-8").splitlines():
        key, _sep, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height of the first page in points."""
    words = pdf_info(pdf)["Page size"].split()
    return float(words[0]), float(words[2])


def render_png(pdf: bytes, tmp_path: Path, resolution: int = 60) -> list[Path]:
    """Rasterise every page with pdftoppm; fails the test on any poppler error."""
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), str(source), str(tmp_path / "page")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    return sorted(tmp_path.glob("page*.png"))


def load_example(name: str) -> dict[str, Any]:
    """One of the example JSON files shipped beside the tests."""
    data: dict[str, Any] = json.loads((HERE / name).read_text(encoding="utf-8"))
    return data


def word_boxes(pdf: bytes) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, every word pdftotext finds with its box (xMin, yMin, xMax, yMax, text)."""
    done = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    )
    pages: list[list[tuple[float, float, float, float, str]]] = []
    for line in done.stdout.decode("utf-8").splitlines():
        line = line.strip()
        if line.startswith("<page"):
            pages.append([])
        elif line.startswith("<word"):
            attrs = dict(re.findall(r'(\w+)="([\d.]+)"', line))
            text = line[line.index(">") + 1 : line.rindex("<")]
            box = (
                float(attrs["xMin"]),
                float(attrs["yMin"]),
                float(attrs["xMax"]),
                float(attrs["yMax"]),
            )
            pages[-1].append((*box, text))
    return pages


def overlapping_words(pdf: bytes, tolerance: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap by more than ``tolerance`` points both ways."""
    found = []
    for words in word_boxes(pdf):
        for i, a in enumerate(words):
            for b in words[i + 1 :]:
                dx = min(a[2], b[2]) - max(a[0], b[0])
                dy = min(a[3], b[3]) - max(a[1], b[1])
                if dx > tolerance and dy > tolerance:
                    found.append((a[4], b[4]))
    return found


def word_sizes(pdf: bytes) -> list[tuple[float, str]]:
    """Every word with the height of its box, which is its type size in points (± 0.1)."""
    return [(y1 - y0, text) for page in word_boxes(pdf) for _x0, y0, _x1, y1, text in page]
