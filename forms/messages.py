"""The ``_`` of the forms package (messages in ``forms/locale``)."""

from __future__ import annotations

from forms.i18n import translator

_ = translator(__file__)
