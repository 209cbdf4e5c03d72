"""Finding the CJK font: configured first, system next, STSong-Light last and loudly."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from printing import fonts
from printing.documents import render_receipt
from printing.fonts import find_cjk_font
from printing.model import Party
from printing.sample import sample_case
from tests.unit.printing.conftest import pdf_fonts, pdf_text

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@pytest.fixture(autouse=True)
def _fresh_font_cache() -> Iterator[None]:
    find_cjk_font.cache_clear()
    yield
    find_cjk_font.cache_clear()


def test_the_system_truetype_font_is_found_and_covers_common_names() -> None:
    font = find_cjk_font(None)
    assert font.embedded and font.path is not None and font.warning == ""
    assert font.missing("马占福李秀兰海原县") == []
    assert font.missing("马𠮷福") == ["𠮷"]


def test_a_configured_font_comes_first(tmp_path: Path) -> None:
    copy = tmp_path / "station-font.ttc"
    copy.write_bytes(WQY.read_bytes())
    font = find_cjk_font(copy)
    assert font.path == copy and font.embedded


def test_a_missing_or_unusable_configured_font_is_reported_and_skipped(tmp_path: Path) -> None:
    missing = find_cjk_font(tmp_path / "nope.ttf")
    assert missing.embedded and "nope.ttf" in missing.warning
    junk = tmp_path / "junk.ttf"
    junk.write_bytes(b"not a font at all")
    font = find_cjk_font(junk)
    assert font.embedded and font.path != junk
    assert str(junk) in font.warning


def test_no_truetype_font_falls_back_to_stsong_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "candidate_paths", lambda configured=None: [])
    font = find_cjk_font(None)
    assert font.name == "STSong-Light" and not font.embedded
    assert "STSong-Light" in font.warning
    result = render_receipt(sample_case(), "a4")
    assert any("STSong-Light" in w for w in result.warnings)
    assert "帮代办收件回执" in pdf_text(result.pdf)
    assert any(f["emb"] == "no" for f in pdf_fonts(result.pdf, tmp_path))
    rare = dataclasses.replace(sample_case(), principal=Party("马𠮷福", "640522194302080011"))
    assert any("U+20BB7" in w for w in render_receipt(rare, "80mm").warnings)


def test_the_configured_font_is_embedded_in_the_document(tmp_path: Path) -> None:
    copy = tmp_path / "station-font.ttc"
    copy.write_bytes(WQY.read_bytes())
    case = dataclasses.replace(sample_case(), reprinted_on=None)
    result = render_receipt(case, "80mm", font=copy)
    names = [f["name"] for f in pdf_fonts(result.pdf, tmp_path)]
    assert names and all("WenQuanYi" in n for n in names)


def test_a_latin_only_configured_font_is_refused() -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    font = find_cjk_font(dejavu)
    assert font.path != dejavu and font.embedded
    assert "DejaVuSans.ttf" in font.warning


def test_fontconfig_finds_installed_chinese_fonts() -> None:
    found = fonts.fontconfig_chinese_fonts()
    assert WQY in found
    assert all(p.suffix.lower() in (".ttf", ".ttc") for p in found)


def test_system_candidates_that_fail_stay_quiet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "NotoSansCJK-Regular.ttc"
    broken.write_bytes(b"OTTO not really")
    monkeypatch.setattr(fonts, "candidate_paths", lambda configured=None: [broken, WQY])
    font = find_cjk_font(None)
    assert font.path == WQY and font.warning == ""


def test_a_machine_without_chinese_fonts_embeds_the_bundled_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # no configured font, none of the usual files, no fontconfig at all
    monkeypatch.delenv("DAIBAN_FONT", raising=False)
    monkeypatch.setattr(fonts, "_UNIX_CANDIDATES", ())
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    font = find_cjk_font(None)
    assert font.path == fonts.BUNDLED_FONT and font.embedded and font.warning == ""
    result = render_receipt(dataclasses.replace(sample_case(), reprinted_on=None), "a4")
    assert not any("STSong" in w for w in result.warnings)
    embedded = pdf_fonts(result.pdf, tmp_path)
    assert embedded and all(f["emb"] == "yes" and "WenQuanYi" in f["name"] for f in embedded)


def test_fontconfig_finding_nothing_still_leaves_the_bundled_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "fontconfig_chinese_fonts", lambda: [])
    monkeypatch.setattr(fonts, "_UNIX_CANDIDATES", ())
    assert fonts.candidate_paths()[-1] == fonts.BUNDLED_FONT
    assert fonts.BUNDLED_FONT.is_file()
