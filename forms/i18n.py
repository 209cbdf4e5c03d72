"""Message translation for every package (babel/gettext), zh_CN first.

Message ids are English; each package keeps its own catalog in
``<package>/locale/<lang>/LC_MESSAGES/messages.po``. The ``.po`` files are read
with babel and compiled in memory on first use, so there is no build step and
no binary ``.mo`` in the repository.

Lives in ``forms`` because it is the bottom layer every other package may
import; it has no UI or I/O beyond reading the catalogs.
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SUPPORTED_LANGUAGES = ("zh_CN", "en")
DEFAULT_LANGUAGE = "zh_CN"


def _environment_language() -> str:
    """``DAIBAN_LANG`` when daiban has a catalog for it, else Chinese.

    The command line checks the variable and says so when it is unknown
    (``daiban.cli``); a process started without it (the centre's uvicorn workers)
    must not fall back to untranslated English for ``DAIBAN_LANG=fr``."""
    wanted = os.environ.get("DAIBAN_LANG", DEFAULT_LANGUAGE)
    return wanted if wanted in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


_language: str = _environment_language()


def set_language(language: str) -> None:
    """Switch the language of every translator.

    Args:
        language: ``zh_CN`` or ``en``.

    Raises:
        ValueError: for a language daiban has no catalog for.
    """
    global _language
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {SUPPORTED_LANGUAGES}")
    _language = language


def current_language() -> str:
    """The language messages are translated into now."""
    return _language


@cache
def _catalog(locale_dir: Path, language: str) -> gettext.NullTranslations:
    po_path = locale_dir / language / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translator(package_file: str) -> Callable[[str], str]:
    """Make the ``_`` function of a package.

    Args:
        package_file: ``__file__`` of any module in the package's top folder;
            the catalog is looked up in the ``locale`` folder beside it.

    Returns:
        A function translating an English message id into the current language.
    """
    locale_dir = Path(package_file).resolve().parent / "locale"

    def _(message: str) -> str:
        return _catalog(locale_dir, _language).gettext(message)

    return _
