"""登录: the first screen of the desk, keyboard first, demo accounts shown when given."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Static

from station.i18n import _
from station.screens.base import DeskModal, DeskScreen
from station.services.auth import DemoAccount, LoginGate, LoginResult, SignedIn, role_label
from station.widgets.footer import DeskFooter


def demo_how_to(account: DemoAccount) -> str:
    """How to use a demo account that does not sign in at this desk (commands to type)."""
    # quoted for the shell: a folder with a space is one word
    folder = shlex.quote(account.data_dir)
    values = {"name": account.name, "username": account.username, "dir": folder}
    if account.role in ("reviewer", "admin"):
        # the demo's own data directory (<home>/demo/station-…): without it, the command
        # opened another demo in the default folder
        home = Path(account.data_dir).parent.parent
        return _(
            "{name} ({username}) works at the {place} desk. Quit this desk (Ctrl+Q) and run\n"
            "  daiban --data-dir {home} demo --desk {desk}\n"
            "or, while this demo runs, open it in a second terminal:\n"
            "  daiban --data-dir {dir}"
        ).format(
            **values,
            home=shlex.quote(str(home)),
            place=account.place,
            desk="township" if account.role == "reviewer" else "county",
        )
    return _(
        "Agent {name} ({username}) works at another village's desk; while this demo runs,\n"
        "open it in a second terminal:\n"
        "  daiban --data-dir {dir}"
    ).format(**values)


class DemoHelp(DeskModal[None]):
    """The whole screen: how to use the demo accounts that do not sign in here."""

    BINDINGS = [Binding("escape,enter,f1", "close", _("Close"))]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="demo-help"):
            yield Label(_("Demo accounts: how to use them"), classes="heading")
            yield Static(self.text)
        yield DeskFooter()

    def action_close(self) -> None:
        self.dismiss(None)


class LoginScreen(DeskScreen[None]):
    """Username and password against the accounts cached at this station."""

    BINDINGS = [
        Binding("escape", "clear", _("Clear")),
        Binding("f5", "focus_demo", _("Demo accounts")),
        Binding("f1", "demo_help", _("Demo help")),
    ]

    class LoggedIn(Message):
        """Someone signed in; the app opens their desk."""

        def __init__(self, user: SignedIn) -> None:
            super().__init__()
            self.user = user
            """Who signed in."""

    class Checked(Message):
        """The password check (a worker) finished."""

        def __init__(self, result: LoginResult) -> None:
            super().__init__()
            self.result = result
            """A user or an error message."""

    def __init__(
        self, gate: LoginGate, station_name: str, demo_accounts: Sequence[DemoAccount] = ()
    ) -> None:
        super().__init__()
        self.gate = gate
        self.station_name = station_name
        self.demo_accounts = list(demo_accounts)

    def compose(self) -> ComposeResult:
        yield Static(_("daiban · service desk 帮代办") + "  " + self.station_name, id="login-title")
        with Horizontal(id="login-body"):
            with Vertical(id="login-form"):
                yield Label(_("Sign in"), classes="heading")
                yield Static(
                    _("Type your name for the desk, press Enter, then your password."),
                    classes="plain-hint",
                )
                yield Label(_("Username"))
                yield Input(id="username", placeholder=_("username"))
                yield Label(_("Password"))
                yield Input(id="password", password=True, placeholder=_("password"))
                yield Button(_("Sign in (Enter)"), id="sign-in", variant="primary")
                yield Static("", id="login-message")
            if self.demo_accounts:
                with Vertical(id="demo-accounts"):
                    yield Label(_("Demo accounts (password demo1234)"), classes="heading")
                    yield DataTable(id="demo-table", cursor_type="row", zebra_stripes=True)
                    yield Static(
                        ""
                        if all(a.here for a in self.demo_accounts)
                        else _(
                            "Enter on the first line fills in this desk's own account. "
                            "The others work elsewhere: F1 shows how."
                        ),
                        id="demo-note",
                        classes="muted",
                    )
        yield DeskFooter()

    def on_mount(self) -> None:
        if self.demo_accounts:
            table = self.query_one("#demo-table", DataTable)
            table.add_columns(_("Username"), _("Name"), _("Role · where"))
            for account in self.demo_accounts:
                where = _("this desk") if account.here else account.place
                table.add_row(
                    account.username, account.name, f"{role_label(account.role)} · {where}"
                )
        self.query_one("#username", Input).focus()

    @on(Input.Submitted, "#username")
    def _next_field(self, event: Input.Submitted) -> None:
        if self._username_missing(event.value):  # as it was at Enter, not after later keys
            return
        self.query_one("#password", Input).focus()

    def _username_missing(self, typed: str | None = None) -> bool:
        """Said, the cursor kept in 用户名, when it is empty: Enter on an empty username went
        on to the password, and the username typed next became the password. ``typed``: the
        username when Enter was pressed (keys typed right after it are in the box already)."""
        username = self.query_one("#username", Input)
        if (username.value if typed is None else typed).strip():
            return False
        self._show(_("Type your username first."), error=True)
        username.focus()
        return True

    @on(Input.Submitted, "#password")
    @on(Button.Pressed, "#sign-in")
    def _submit(self) -> None:
        if self._username_missing():
            return
        username = self.query_one("#username", Input).value
        password = self.query_one("#password", Input).value
        self._show(_("Checking…"), error=False)
        self._check(username, password)

    @on(DataTable.RowSelected, "#demo-table")
    def _use_demo_account(self, event: DataTable.RowSelected) -> None:
        account = self.demo_accounts[event.cursor_row]
        if not account.here:
            self.app.push_screen(DemoHelp(demo_how_to(account)))
            return
        self.query_one("#username", Input).value = account.username
        password = self.query_one("#password", Input)
        password.value = account.password
        password.focus()

    @work(thread=True, exclusive=True, group="login", exit_on_error=False)
    def _check(self, username: str, password: str) -> None:
        self.post_message(self.Checked(self.gate.attempt(username, password)))

    def on_login_screen_checked(self, message: LoginScreen.Checked) -> None:
        if message.result.user is None:
            self._show(message.result.error, error=True)
            password = self.query_one("#password", Input)
            password.value = ""
            password.focus()
            return
        self._show("", error=False)
        self.post_message(self.LoggedIn(message.result.user))

    def action_clear(self) -> None:
        for field in self.query(Input):
            field.value = ""
        self._show("", error=False)
        self.query_one("#username", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The demo-accounts key only where demo accounts are shown."""
        if action == "focus_demo":
            return bool(self.demo_accounts)
        if action == "demo_help":
            return any(not a.here for a in self.demo_accounts)
        return True

    def action_demo_help(self) -> None:
        """How to use the demo accounts that do not sign in at this desk."""
        parts = [demo_how_to(a) for a in self.demo_accounts if not a.here]
        self.app.push_screen(DemoHelp("\n\n".join(parts)))

    def action_focus_demo(self) -> None:
        for table in self.query("#demo-table"):
            table.focus()

    def _show(self, text: str, *, error: bool) -> None:
        message = self.query_one("#login-message", Static)
        message.update(text)
        message.set_class(error, "error")
