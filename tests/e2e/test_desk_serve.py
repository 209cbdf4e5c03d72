"""``daiban desk serve``: the station desk in a real headless Chromium, signed in by keyboard.

The desk runs behind textual-serve exactly as staff without a terminal would use
it: ``daiban desk serve`` as a subprocess, a browser tab on its URL, the xterm.js
terminal typed into. The terminal draws on a canvas, so the test reads what the
person sees from xterm's own buffer (its public ``buffer.active`` API), reached
through the ``terminal`` property textual-serve's page script sets.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.browser import chromium
from tests.e2e.conftest import DAIBAN, PASSWORD, VILLAGE, Central, _free_port, enrolled_station

pytestmark = pytest.mark.slow  # a real central, a served desk and a browser

WAIT_MS = 60_000
STATION_NAME = "杨郎村便民服务站"

CAPTURE_TERMINAL = """
Object.defineProperty(Object.prototype, 'terminal', {
  configurable: true,
  set(value) {
    Object.defineProperty(this, 'terminal', {value, writable: true, configurable: true});
    if (value && value.buffer && !window.deskTerminal) window.deskTerminal = value;
  },
});
"""
"""Keep the page's xterm.js Terminal in ``window.deskTerminal`` when the page assigns it."""

SCREEN_TEXT = """() => {
  const term = window.deskTerminal;
  if (!term) return '';
  const buffer = term.buffer.active;
  const lines = [];
  for (let row = 0; row < term.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    lines.push(line ? line.translateToString(true) : '');
  }
  return lines.join('\\n');
}"""
"""The terminal's visible text, row by row."""

FIELD_BACKGROUND = """(label) => {
  const term = window.deskTerminal;
  if (!term) return null;
  const buffer = term.buffer.active;
  for (let row = 0; row + 2 < term.rows; row++) {
    const text = buffer.getLine(buffer.viewportY + row).translateToString(true);
    if (!new RegExp('│ ' + label + ' +│').test(text)) continue;
    const field = buffer.getLine(buffer.viewportY + row + 2);
    const edge = field.translateToString(false).indexOf('▊');
    return edge < 0 ? null : field.getCell(edge + 1).getBgColor();
  }
  return null;
}"""
"""The background colour inside the input under ``label``: the focused one is lit."""


def _wait_for_screen(page: Page, *texts: str) -> None:
    """Wait until the terminal shows every one of ``texts``; fail with what it shows."""
    checks = " && ".join(f"screen.includes({text!r})" for text in texts)
    try:
        page.wait_for_function(
            f"() => {{ const screen = ({SCREEN_TEXT})(); return {checks}; }}", timeout=WAIT_MS
        )
    except PlaywrightTimeout:
        pytest.fail(f"the desk never showed {texts}; it shows:\n{page.evaluate(SCREEN_TEXT)}")


@pytest.fixture
def served_desk(sqlite_central: Central, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A village station enrolled at a real central, its desk served on a free port.

    The data directory has a space and a quote in its name: the command textual-serve
    runs for each browser tab must carry it quoted.

    Yields:
        The URL ``desk serve`` printed, and the signed-up account's username.
    """
    station = enrolled_station(
        sqlite_central, tmp_path / "村 station's desk", VILLAGE, STATION_NAME, "village"
    )
    port = _free_port()
    env = {**os.environ, "DAIBAN_LANG": "en"}  # --lang on the line must win
    env.pop("DAIBAN_HOME", None)
    process = subprocess.Popen(
        [str(DAIBAN), "desk", "serve", "--port", str(port), "--data-dir", str(station.data_dir)]
        + ["--lang", "zh_CN"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        match = re.search(r"http://\S+", first_line)
        assert match, f"desk serve printed no URL: {first_line!r}"
        # Drain the server's log so a full pipe can never stall it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield match.group(0), station.user
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        sqlite_central.cli("revoke", station.station_id)


def test_the_served_desk_signs_in_inside_headless_chromium(served_desk: tuple[str, str]) -> None:
    """Open the printed URL, type username ⏎ password ⏎, see the signed-in home screen."""
    url, username = served_desk
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), "served on this PC only by default"
    with chromium() as browser:
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 700})
            # The page asks Google for a font; this machine may have no way out.
            page.route("**/fonts.googleapis.com/**", lambda route: route.abort())
            page.add_init_script(CAPTURE_TERMINAL)
            page.wait_for_function(
                "async (url) => { try { await fetch(url, {mode: 'no-cors'}); return true; }"
                " catch (error) { return false; } }",
                arg=url,
                polling=100,
                timeout=WAIT_MS,
            )
            page.goto(url, wait_until="domcontentloaded")
            _sign_in(page, username)
        finally:
            browser.close()


def _sign_in(page: Page, username: str) -> None:
    _wait_for_screen(page, "用户名", "密码", STATION_NAME)
    page.locator(".xterm-helper-textarea").focus()
    # The username field lights up once the page has the keyboard (Chinese: --lang carried).
    lit = page.wait_for_function(
        f"() => {{ const lit = {FIELD_BACKGROUND};"
        " const name = lit('用户名'), word = lit('密码');"
        " return name !== null && word !== null && name !== word && name; }",
        timeout=WAIT_MS,
    ).json_value()
    page.keyboard.type(username)
    page.keyboard.press("Enter")
    # Enter moves to the password: wait until that field is the lit one, as a person would.
    page.wait_for_function(
        f"(lit) => ({FIELD_BACKGROUND})('密码') === lit", arg=lit, timeout=WAIT_MS
    )
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    _wait_for_screen(page, "今日", f"{STATION_NAME} · {username}")
    screen = page.evaluate(SCREEN_TEXT)
    assert "用户名" not in screen, "the login screen is gone"
