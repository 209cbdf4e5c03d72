"""Small steps shared by the desk's Pilot tests."""

from __future__ import annotations

import threading

import httpx
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerFailed

from tests.station.conftest import PASSWORD


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker finished and the messages they posted were handled.

    A handled message may start another worker (take in, then print), so this
    repeats until a round starts nothing new. A worker that failed is the
    app's to report (its one handler shows a dialog, which the test reads);
    whether it was still running when this began waiting is a race, so its
    failure is not raised here either way.
    """
    for _round in range(50):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # superseded by a newer one (exclusive): wait for the rest
            continue
        except WorkerFailed:  # reported by the app's handler; wait for the rest
            await pilot.pause()  # its done callback takes it out of the manager
            continue
        await pilot.pause()
        if not any(not worker.is_finished for worker in pilot.app.workers):
            await pilot.pause()
            if not any(not worker.is_finished for worker in pilot.app.workers):
                return


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    """Focus an input and put ``text`` in it (as a paste would: one change, not one per key)."""
    widget = pilot.app.screen.query_one(selector, Input)
    widget.focus()
    widget.value = text
    await pilot.pause()


async def log_in(pilot: Pilot[None], username: str = "agent201", password: str = PASSWORD) -> None:
    """Sign in on the login screen and wait for the home screen's data."""
    await type_into(pilot, "#username", username)
    await pilot.press("enter")
    await type_into(pilot, "#password", password)
    await pilot.press("enter")
    await settle(pilot)


def screen_text(pilot: Pilot[None]) -> str:
    """What the terminal shows now, as plain text lines (wide characters once each)."""
    strips = pilot.app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def flat_text(pilot: Pilot[None]) -> str:
    """The screen's text with borders, spaces and line breaks removed (wrapped text joins up)."""
    keep = (ch for ch in screen_text(pilot) if not ch.isspace() and ch not in "│┃╭╮╰╯─━┏┓┗┛▊▎▔▁")
    return "".join(keep)


class OneAtATime(httpx.BaseTransport):
    """An in-process centre's transport (Starlette's TestClient) used by one request at a
    time. The desk's workers run in threads, and two of them (the board's read and the
    stations' list) going through the TestClient at once failed one with anyio's
    ClosedResourceError under CI's load: a fault of the test's transport, which a real
    line over HTTP does not have."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The answer, read whole before the next request may go."""
        with self.lock:
            response = self.inner.handle_request(request)
            response.read()
            return response


async def elder_on(pilot: Pilot[None]) -> None:
    """长辈模式 by its key, and its notice taken away (a snapshot is of the screen under it)."""
    await pilot.press("f2")
    await pilot.pause()
    pilot.app.clear_notifications()
