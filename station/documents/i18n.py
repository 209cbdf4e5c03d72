"""The ``_`` of the station's documents (messages in ``station/documents/locale``)."""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
