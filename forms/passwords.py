"""The password rule of every account: one rule for the centre (``daiban central user add``,
the admin API's new account and password reset) and the county desk that checks it before
sending.

Here, in the bottom layer, because ``station`` and ``central`` never import each other; each
says the reason in its own words, as with ``forms.identity.IdNumberError.reason``.
"""

from __future__ import annotations

from typing import Literal

MIN_PASSWORD_LENGTH = 8
"""The shortest password an account may have."""

USERNAME_IN_PASSWORD_FROM = 3
"""A username this long or longer may not be inside the password (a two-letter username,
``wu``, would forbid every password with those letters in a row)."""

PasswordProblem = Literal["short", "same", "run", "digits", "username"]
"""Why a password is refused: shorter than :data:`MIN_PASSWORD_LENGTH`, one character
repeated (``aaaaaaaa``), a run on the alphabet, the digits or the keyboard (``abcdefgh``,
``12345678``, ``qwertyui``), digits only (``19800101``, a birthday), or the username in it."""

_RUNS = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
)
"""Sequences whose stretches are guessed first (and their reverses)."""


def password_problem(password: str, username: str = "") -> PasswordProblem | None:
    """Why ``password`` may not be an account's password, or None when it may.

    Args:
        password: the password as typed.
        username: the account's username (the password may not contain it).

    Returns:
        The first rule the password breaks, in the order of :data:`PasswordProblem`.
    """
    folded = password.casefold()
    if len(password) < MIN_PASSWORD_LENGTH:
        return "short"
    if len(set(folded)) == 1:
        return "same"
    if any(folded in run or folded in run[::-1] for run in _RUNS):
        return "run"
    if password.isdigit():
        return "digits"
    name = username.strip().casefold()
    if len(name) >= USERNAME_IN_PASSWORD_FROM and name in folded:
        return "username"
    return None
