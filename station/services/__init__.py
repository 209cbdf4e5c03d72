"""What a station does with cases, the same for the desk and the command line.

The messages of this package live in ``station/services/locale`` (its own
catalog, so the desk's catalog stays the desk's).
"""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
"""Translate an English message id of this package into the current language."""
