"""The ``_`` of the station desk (messages in ``station/locale``)."""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
