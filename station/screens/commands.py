"""The command palette (Ctrl+P) and the keys help (F1): the desk's own commands, in Chinese.

Textual's palette matches letters of the display text, so Chinese commands cannot be
found by typing; this provider also matches pinyin and pinyin initials (``bd`` finds
补打, ``tb`` finds 同步), with ``forms.search.text_score``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen

from station.i18n import _

TEXTUAL_OWN = frozenset({"screen.copy_text", "copy_text", "app.copy_text"})
"""Keys Textual binds on every app (English only, not the desk's): left out of the lists."""


@dataclass(frozen=True)
class DeskCommand:
    """One thing the person can do on the screen now: its key, its name, how to run it."""

    key: str
    name: str
    run: Callable[[], Any]


def screen_commands(screen: Screen[Any]) -> Iterator[DeskCommand]:
    """Every action bound on the screen (and the app) now, once each, with its key."""
    seen: set[str] = {"command_palette"}
    grouped: set[str] = set()  # actions a range of keys stands for (``1-6``): listed once
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.action in seen:
            continue
        base = binding.action.partition("(")[0]
        if base in grouped:
            continue
        if binding.action in TEXTUAL_OWN or binding.action not in desk_actions(active.node):
            continue  # Textual's own widget keys (page up, copy...) are English and not ours
        if active.node.check_action(binding.action, ()) is False:
            continue  # not offered now (e.g. 授权委托书 when the resident came in person)
        seen.add(binding.action)
        if binding.key_display and "-" in binding.key_display.strip("-"):
            grouped.add(base)
        label = binding.key_display or key_label(key)  # the footer's own (``/``, ``1-6``)
        yield DeskCommand(label, binding.description, _runner(active.node, binding.action))


def desk_actions(node: Any) -> set[str]:
    """The actions bound by the desk's own classes of ``node`` (not inherited from Textual's)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if not cls.__module__.startswith("station."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            actions.add(binding.action if isinstance(binding, Binding) else binding[1])
    return actions


def key_label(key: str) -> str:
    """A key as the person presses it: ``F8``, ``Ctrl+D``, ``Esc``, ``/``; a letter as it is
    bound (``b``, and ``Shift+A`` for ``A``: help said ``B`` for a key that is ``b``)."""
    if key == "space":
        return _("Space")
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if len(key) == 1:
        return f"Shift+{key}" if key.isupper() else key
    parts = key.split("+")
    return "+".join(
        _KEY_NAMES.get(p)
        or (p.upper() if (len(p) <= 3 and p.startswith("f")) or len(p) == 1 else p.capitalize())
        for p in parts
    )


_KEY_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "slash": "/",
    "question_mark": "?",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "delete": "Del",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}
"""Keys by their printed names (Textual's names are words: ``slash``, ``pagedown``)."""


def _runner(node: Any, action: str) -> Callable[[], Any]:
    async def run() -> None:
        await node.run_action(action)

    return run


class DeskCommands(Provider):
    """The palette's entries: the current screen's commands, found by Chinese or pinyin."""

    def _commands(self) -> list[DeskCommand]:
        return list(screen_commands(self.screen))

    async def discover(self) -> Hits:
        """Everything there is to do, before anything is typed."""
        for command in self._commands():
            yield DiscoveryHit(
                command.name, command.run, help=_("Key: {key}").format(key=command.key)
            )

    async def search(self, query: str) -> Hits:
        """Commands whose name matches ``query`` (Chinese, pinyin or initials)."""
        from forms.search import text_score

        found = False
        for command in self._commands():
            score = text_score(query, command.name)
            if score > 0:
                found = True
                yield Hit(
                    score / 1000,
                    command.name,
                    command.run,
                    help=_("Key: {key}").format(key=command.key),
                )
        if not found and query.strip():  # said here: the palette's own line is English
            yield Hit(0.0, _("No command matches; try other words"), _nothing)


async def _nothing() -> None:
    """What choosing the no-match line does."""
