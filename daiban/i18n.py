"""Messages of the command line itself (its own catalog in ``daiban/locale``).

A command's domain messages come from the package that does the work (station,
central, printing); this catalog holds what only the command line says: how to
give the global options, who is signed in, that something unexpected broke, the
help texts of every command and click's own words ("Usage:", "Options").
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from forms.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, translator

_ = translator(__file__)
"""Translate an English message id of the command line into the current language."""


def language_on_the_line(args: Sequence[str]) -> str | None:
    """The value of ``--lang`` wherever it is written on the command line, else None."""
    found = None
    for index, word in enumerate(args):
        if word == "--":
            break
        if word.startswith("--lang="):
            found = word.split("=", 1)[1]
        elif word == "--lang" and index + 1 < len(args):
            found = args[index + 1]
    return found


def environment_language() -> tuple[str | None, str | None]:
    """``DAIBAN_LANG`` as a supported language, and a warning if it names another one.

    Returns:
        ``(language, warning)``: ``(None, None)`` when unset; the default language and a
        one-line warning (in that language) when it is set to one daiban has no catalog for.
    """
    wanted = os.environ.get("DAIBAN_LANG") or None
    if wanted is None or wanted in SUPPORTED_LANGUAGES:
        return wanted, None
    from forms.i18n import set_language

    set_language(DEFAULT_LANGUAGE)
    warning = _("DAIBAN_LANG={language} is not a language daiban speaks; using {default}.")
    return DEFAULT_LANGUAGE, warning.format(language=wanted, default=DEFAULT_LANGUAGE)
