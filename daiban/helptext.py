"""``--help`` in the person's language: our help texts and click's own words through our catalog.

Help texts are English docstrings and ``help=`` strings, fixed when the modules are
imported; the language is only known once the command line is read. So, just before
click parses, :func:`translate_commands` walks the command tree once and replaces every
help text by its translation (the catalog's ids are the English texts, whitespace
collapsed). click's own words ("Usage:", "Options", "Show this message and exit.",
"[default: …]") are not ours to translate where they are written: Typer ≥0.20 vendors
click with the English hard-coded, older clicks use ``gettext`` with no catalog. Both
pass them through the help formatter, so a formatter subclass translates them there
(:func:`translated_context_class`), and lays out Chinese by display width (a Chinese
character takes two columns; click counts one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from daiban.i18n import _

SHORT_HELP_WIDTH = 60
"""Columns a command's one-line help may take in its group's list."""

_CLICK_EXTRA = re.compile(r"\s*\[((?:default|env var|required)[^\]]*)\]\s*$")
"""The bracket click/Typer append to an option's help: ``[env var: X; default: Y; required]``."""


_USAGE_WORDS = re.compile(r"\[OPTIONS\]|\[ARGS\]\.\.\.|\bCOMMAND\b")


def usage_words(args: str) -> str:
    """click's placeholders of the usage line in the current language (用法：daiban
    [选项] 命令 [参数]...; it read [OPTIONS] COMMAND [ARGS]... under a Chinese 用法)."""
    return _USAGE_WORDS.sub(lambda found: _(found.group()), args)


def help_id(text: str) -> str:
    """The catalog id of a help text: its words, whitespace collapsed."""
    return " ".join(text.split())


def translate_help(text: str | None) -> str | None:
    """A help text in the current language (unchanged if the catalog has none)."""
    if not text:
        return text
    key = help_id(text)
    translated = _(key)
    return text if translated == key else translated


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (East Asian wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _tokens(text: str) -> Iterable[str]:
    """Words, spaces and single wide characters: the places a line may break."""
    return re.findall(
        r"\s+|[^\s\u2e80-\uffef]+[，。；：、）」]*|[\u2e80-\uffef][，。；：、）」>)]*", text
    )


def wrap(text: str, width: int) -> list[str]:
    """Break one paragraph into lines of at most ``width`` columns (Chinese by character)."""
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(text.split())):
        if line and display_width(line + token.rstrip()) > width and not token.isspace():
            lines.append(line.rstrip())
            line = ""
        if not (token.isspace() and not line):
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def short_help(text: str) -> str:
    """A command's line in its group's list: the first sentence, shortened to fit."""
    first = _first_sentence(" ".join(text.split("\n\n", 1)[0].split()))
    if display_width(first) <= SHORT_HELP_WIDTH:
        return first
    shown = ""
    for character in first:
        if display_width(shown + character) > SHORT_HELP_WIDTH - 1:
            break
        shown += character
    return shown + "…"


def _first_sentence(text: str) -> str:
    """Up to the first 。 or ； that is not inside brackets."""
    depth = 0
    for index, character in enumerate(text):
        depth += character in "（("
        depth -= character in "）)"
        if depth <= 0 and character in "。；":
            return text[:index]
    return text


def click_text(text: str) -> str:
    """click's and Typer's own words in an option's help, translated."""
    if help_id(text) == "Show this message and exit.":
        return _("Show this message and exit.")
    found = _CLICK_EXTRA.search(text)
    if found is None:
        return text
    parts = [_click_extra(part.strip()) for part in found.group(1).split(";")]
    return f"{text[: found.start()]}  [{_('; ').join(parts)}]"


def _click_extra(part: str) -> str:
    if part == "required":
        return _("required")
    name, _sep, value = part.partition(":")
    if name == "default":
        return _("default: {default}").format(default=value.strip())
    if name == "env var":
        return _("env var: {var}").format(var=value.strip())
    return part


class _TranslatedFormatter:
    """Mixed into click's ``HelpFormatter``: click's words translated, Chinese laid out by width."""

    width: int
    current_indent: int
    write: Any  # click's HelpFormatter.write (the class this is mixed into)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """The usage line, with "Usage:" in the current language."""
        label = _("Usage: ") if prefix is None else prefix
        super().write_usage(prog, usage_words(args), label)  # type: ignore[misc]

    def write_heading(self, heading: str) -> None:
        """A section heading ("Options", "Commands", "Arguments") in the current language."""
        self.write(f"{'':>{self.current_indent}}{_(heading + ':')}\n")

    def write_text(self, text: str) -> None:
        """A help text, each paragraph wrapped by display width."""
        indent = " " * self.current_indent
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        for index, paragraph in enumerate(paragraphs):
            if index:
                self.write("\n")
            for line in wrap(paragraph, max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(
        self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        """Options and commands, two columns, the second wrapped by display width."""
        rows = [(first, click_text(second or "")) for first, second in rows]
        first_col = min(max((display_width(f) for f, _s in rows), default=0), col_max)
        first_col += col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(second, max(self.width - first_col - 2 - self.current_indent, 10))
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


@cache
def translated_context_class(base: Any) -> Any:
    """``base`` (a click ``Context`` class) whose help formatter speaks the current language."""
    if issubclass(base.formatter_class, _TranslatedFormatter):
        return base
    formatter = type("DaibanHelpFormatter", (_TranslatedFormatter, base.formatter_class), {})
    return type("DaibanContext", (base,), {"formatter_class": formatter})


def translate_commands(command: Any) -> None:
    """Translate the help of ``command`` and of everything under it, in place.

    Args:
        command: a click command or group, as Typer built it for this run.
    """
    command.context_class = translated_context_class(command.context_class)
    translated = translate_help(command.help)
    if translated != command.help:
        command.help = translated
        command.short_help = short_help(translated or "")
    elif command.short_help:
        command.short_help = translate_help(command.short_help)
    for param in command.params:
        if getattr(param, "help", None):
            param.help = translate_help(param.help)
    for child in getattr(command, "commands", {}).values():
        translate_commands(child)


CLICK_ERRORS: tuple[tuple[str, str], ...] = (
    (r"No such command (?P<name>'[^']*')\.(?: Did you mean (?P<matches>.*)\?)?", "no-command"),
    (r"No such option: (?P<name>\S+)(?: \(Possible options: (?P<matches>.*)\))?", "no-option"),
    (r"Missing argument (?P<name>'[^']*')\.", "Missing argument {name}."),
    (r"Missing option (?P<name>'[^']*'(?: / '[^']*')*)\.", "Missing option {name}."),
    (r"Missing command\.", "Missing command."),
    # click 8.2 writes "argument(s)"; earlier ones "argument" or "arguments"
    (
        r"Got unexpected extra argument(?:s|\(s\))? \((?P<words>.*)\)",
        "Unexpected extra words: {words}",
    ),
    (r"Option (?P<name>'[^']*') requires an argument\.", "Option {name} needs a value."),
    (r"Invalid value for (?P<name>'[^']*'(?: / '[^']*')*): (?P<reason>.*)", "invalid"),
)
"""click's and Typer's usage errors (English in every click), and our catalog's id for each."""

_REASONS: tuple[tuple[str, str], ...] = (
    (r"(?:File|Path|Directory) (?P<name>'[^']*') does not exist\.", "{name} does not exist."),
    (r"(?:File|Path|Directory) (?P<name>'[^']*') is a directory\.", "{name} is a folder."),
    (r"(?:File|Path|Directory) (?P<name>'[^']*') is a file\.", "{name} is a file."),
    (r"(?P<name>'[^']*') is not a valid integer(?: range)?\.", "{name} is not a whole number."),
    (r"(?P<name>'[^']*') is not one of (?P<choices>.*)\.", "{name} is not one of {choices}."),
    (r"Input should be a valid integer.*", "Not a whole number."),
)
"""Why a value was refused (``Invalid value for X: <reason>``)."""


def click_error(message: str) -> str:
    """A usage error click wrote in English, in the current language (unknown ones unchanged)."""
    for pattern, message_id in CLICK_ERRORS:
        found = re.fullmatch(pattern, message.strip(), flags=re.DOTALL)
        if found is None:
            continue
        fields = {k: v for k, v in found.groupdict().items() if v is not None}
        if message_id == "no-command":
            text = _("No such command {name}.").format(name=fields["name"])
        elif message_id == "no-option":
            text = _("No such option: {name}.").format(name=fields["name"])
        elif message_id == "invalid":
            reason = _reason(fields["reason"])
            return _("Invalid value for {name}: {reason}").format(
                name=fields["name"], reason=reason
            )
        else:
            return _(message_id).format(**fields)
        if fields.get("matches"):
            text += _(" Did you mean {matches}?").format(matches=fields["matches"])
        return text
    return message


def _reason(text: str) -> str:
    for pattern, message_id in _REASONS:
        found = re.fullmatch(pattern, text.strip(), flags=re.IGNORECASE)
        if found is not None:
            return _(message_id).format(**found.groupdict())
    return text


def localize_error(error: Any) -> None:
    """Make ``error`` (a click exception) show itself in the current language, in place.

    click's ``show`` writes "Error:" and "Try '… --help' for help." in English; this one
    writes the same three lines (usage, hint, error) through our catalog.
    """
    if type(error).__name__ == "NoArgsIsHelpError":  # its message is the (translated) help
        return

    def show(file: Any = None) -> None:
        import typer

        ctx = getattr(error, "ctx", None)
        if ctx is not None:
            hint = _("Try '{command} --help' for help.").format(command=ctx.command_path)
            typer.echo(f"{ctx.get_usage()}\n{hint}\n", file=file, err=file is None)
        message = click_error(error.format_message())
        typer.echo(_("Error: {message}").format(message=message), file=file, err=file is None)

    error.show = show
