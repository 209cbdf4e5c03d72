"""Progress of long commands (import, export, bundles, sync): a bar on stderr after ~2 s.

A command that finishes quickly prints only its result; one that runs longer shows
a transient rich progress bar on stderr, so a person at the terminal sees it move
and a script reading stdout sees nothing extra. The bar appears once the work has
run :data:`SHOW_AFTER` seconds (a timer, or the next step past that time, whichever
comes first) and is wiped when it ends. Not on a terminal (a pipe, a log file)
nothing is drawn unless ``DAIBAN_PROGRESS=always``; ``DAIBAN_PROGRESS=never``
turns it off everywhere; ``DAIBAN_PROGRESS_AFTER`` changes the 2 seconds.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

SHOW_AFTER = 2.0
"""Seconds a command runs before its bar appears (quicker ones never show one)."""

T = TypeVar("T")


def progress_console() -> Console | None:
    """Where bars are drawn (stderr), or None where they are not wanted.

    ``DAIBAN_PROGRESS``: ``always`` draws even when stderr is not a terminal, ``never``
    never draws; otherwise bars are drawn only on a terminal.
    """
    mode = os.environ.get("DAIBAN_PROGRESS", "auto").lower()
    if mode == "never":
        return None
    if mode == "always":
        return Console(stderr=True, force_terminal=True)
    console = Console(stderr=True)
    return console if console.is_terminal else None


def show_after() -> float:
    """:data:`SHOW_AFTER`, or ``DAIBAN_PROGRESS_AFTER`` seconds when set."""
    try:
        return float(os.environ.get("DAIBAN_PROGRESS_AFTER", SHOW_AFTER))
    except ValueError:
        return SHOW_AFTER


class LazyProgress:
    """One task's progress bar that appears only when the task runs long.

    Use as a context manager; call :meth:`advance` or :meth:`update` as work is done
    (from any thread). With no console (not a terminal) every call does nothing.
    """

    def __init__(
        self,
        description: str,
        total: float | None = None,
        *,
        console: Console | None = None,
        after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Prepare the bar (nothing is drawn yet).

        Args:
            description: what is being done, in the person's language.
            total: how many steps in all (None: unknown; a spinner and the elapsed time).
            console: where to draw (default: :func:`progress_console`).
            after: seconds before the bar appears (default: :func:`show_after`).
            clock: the time source (tests pass a fake one).
        """
        self.console = console if console is not None else progress_console()
        self.after = show_after() if after is None else after
        self.clock = clock
        self.shown = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._started = 0.0
        self._progress = Progress(
            *_columns(total),
            console=self.console,
            transient=True,
            redirect_stdout=False,
            refresh_per_second=4,  # enough to see it move; less CPU than the default 10
        )
        self._task: TaskID = self._progress.add_task(description, total=total)

    def __enter__(self) -> LazyProgress:
        self._started = self.clock()
        if self.console is not None:
            if self.after <= 0:
                self._show()
            else:
                self._timer = threading.Timer(self.after, self._show)
                self._timer.daemon = True
                self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self.shown:
                self._progress.stop()
            self.console = None  # a late timer draws nothing

    def _show(self) -> None:
        with self._lock:
            if self.console is None or self.shown:
                return
            self.shown = True
            self._progress.start()

    def _check_time(self) -> None:
        if not self.shown and self.console is not None:
            if self.clock() - self._started >= self.after:
                self._show()

    def advance(self, steps: float = 1) -> None:
        """``steps`` more are done."""
        self._progress.advance(self._task, steps)
        self._check_time()

    def update(
        self,
        *,
        completed: float | None = None,
        total: float | None = None,
        description: str | None = None,
    ) -> None:
        """Set how far the task is (and, if it changed, its total or description)."""
        self._progress.update(self._task, completed=completed, total=total, description=description)
        self._check_time()

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, advancing one step after each."""
        for item in items:
            yield item
            self.advance()

    def render(self) -> str:
        """The bar as it would be drawn now (for tests and logs)."""
        with self._progress.console.capture() as capture:
            self._progress.console.print(self._progress.get_renderable())
        return capture.get()


def _columns(total: float | None) -> list[ProgressColumn | str]:
    """Spinner and text; a bar with "n/m" when the total is known; the elapsed time."""
    columns: list[ProgressColumn | str] = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    return [*columns, TimeElapsedColumn()]


def count_lines(path: os.PathLike[str] | str) -> int:
    """How many lines a text file has (a bar's total; reads bytes, fast)."""
    with open(path, "rb") as handle:
        return sum(1 for _line in handle)
