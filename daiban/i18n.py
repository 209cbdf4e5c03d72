"""Messages of the command line itself (its own catalog in ``daiban/locale``).

A command's domain messages come from the package that does the work (station,
central, printing); this catalog holds what only the command line says: how to
give the global options, who is signed in, and that something unexpected broke.
"""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
"""Translate an English message id of the command line into the current language."""
