"""The rules that need a case's data, not only its state, as the desk says them.

The reducer applies the same rules at every end (``sync.reducer``): these only
say them first, translated, before anything is written.
"""

from __future__ import annotations

from typing import Any

from station.services import _
from station.services.application import ActionRefused
from sync.events import EventKind
from sync.reducer import BAD_RATING, CaseView, correctable


def check_rating(rating: int | None, reason: str | None) -> None:
    """Refuse a rating with no level chosen, out of 1-5, or 1-2 without a reason."""
    if rating is None:
        raise ActionRefused(_("Choose the resident's rating first."))
    if not 1 <= rating <= 5:
        raise ActionRefused(_("A rating is from 1 to 5."))
    if rating <= 2 and not (reason or "").strip():
        raise ActionRefused(_("A rating of 2 or less needs a reason."))


def data_refusal(view: CaseView | None, kind: EventKind, data: dict[str, Any]) -> str | None:
    """Why the case's data forbids the action (the reducer's rules, translated); None if not."""
    if view is None:
        return None
    if kind is EventKind.rated and view.rating is not None:
        return _("This case is already rated; a change is a rating correction.")
    if kind is EventKind.handed_over and view.delivered_at is not None:
        return _("This case was already handed over (已送达).")
    if kind is EventKind.rating_corrected:
        if view.rating is None:
            return _("This case has no rating to correct.")
        if data.get("old") != view.rating:
            return _("The rating changed meanwhile; open the case again.")
        if view.rating <= BAD_RATING < int(data.get("new") or 0):
            return _(
                "A 差评 cannot be changed to a better rating here: the county follows it up."
                " If it was entered by mistake, the township asks the county to review it"
                " (申诉复核)."
            )
    if kind is EventKind.corrected:
        for path in data.get("changes") or {}:
            if not correctable(view, path):
                return _("{field} was not named for correction.").format(field=path)
    return None
