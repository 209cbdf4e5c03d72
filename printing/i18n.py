"""The translator of the printing package (messages to the user, not the paper itself)."""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
