"""The ``_`` of the county intake API (messages in ``central/locale``)."""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
