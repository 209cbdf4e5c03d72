"""账号 (the county's accounts): one per person, roles that fit the division; new,
disable/enable, reset password — every act audited at the centre with the administrator.
"""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.screens.county_dialogs import NewAccountDialog, PasswordDialog, fill_table
from station.screens.dialogs import ConfirmDialog
from station.services.county_admin import AccountRow, CountyAdmin, DivisionChoice, role_name
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus

THEMES = Path(__file__).resolve().parent.parent / "themes"


def account_cells(row: AccountRow) -> tuple[str, ...]:
    """One line: username, name, role, division, ID number (masked), state."""
    return (
        row.username,
        row.display_name,
        role_name(row.role),
        row.division_name or row.division,
        row.id_masked or "—",
        _("in use") if row.active else _("disabled"),
    )


class AccountsScreen(DeskScreen[None]):
    """The county's accounts; a 新建, d 停用, e 启用, p 重置密码."""

    CSS_PATH = THEMES / "county_admin.tcss"
    BINDINGS = [
        Binding("a", "new_account", _("New 新建")),
        Binding("d", "set_active(False)", _("Disable 停用")),
        Binding("e", "set_active(True)", _("Enable 启用")),
        Binding("p", "password", _("Password 重置密码")),
        Binding("f5", "refresh", _("Refresh 刷新")),
        Binding("escape", "back", _("Back")),
    ]

    class Loaded(Message):
        """The accounts were read."""

        def __init__(self, rows: list[AccountRow]) -> None:
            super().__init__()
            self.rows = rows

    class Choices(Message):
        """The division table was read (for a 新建)."""

        def __init__(self, choices: list[DivisionChoice]) -> None:
            super().__init__()
            self.choices = choices

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.admin = CountyAdmin(desk)
        self.rows: list[AccountRow] = []
        self._select: str | None = None
        """The account the cursor goes to once the list is read again (one just made)."""

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield CountyStrip(4)
        yield Static(_("Accounts 账号"), classes="admin-title", id="accounts-title")
        yield DataTable[str](id="accounts-table", classes="admin-table", cursor_type="row")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("Accounts"))
        self.query_one(DataTable).focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        """Read the accounts again."""
        self._load()

    @work(thread=True, exclusive=True, group="county-accounts", exit_on_error=False)
    def _load(self) -> None:
        self.post_latest(self.Loaded(self.admin.accounts()))

    def on_accounts_screen_loaded(self, message: AccountsScreen.Loaded) -> None:
        self.rows = message.rows
        headers = [_("Username"), _("Name"), _("Role"), _("Division"), _("ID number"),
                   _("State")]  # fmt: skip
        rows = [account_cells(row) for row in self.rows]
        usernames = [r.username for r in self.rows]
        table = self.query_one(DataTable)
        fill_table(table, headers, rows, usernames)
        if self._select in usernames:  # the new account, not the row the cursor was on
            table.move_cursor(row=usernames.index(self._select))
        self._select = None
        disabled = sum(not r.active for r in self.rows)
        title = _("Accounts 账号: {count}, {disabled} disabled").format(
            count=len(self.rows), disabled=disabled
        )
        self.query_one("#accounts-title", Static).update(title)

    def highlighted(self) -> AccountRow | None:
        """The account under the cursor."""
        return self.rows[self.query_one(DataTable).cursor_row] if self.rows else None

    # a 新建 --------------------------------------------------------------

    def action_new_account(self) -> None:
        """Create an account (the division table is read first)."""
        self._choices()

    @work(thread=True, exclusive=True, group="county-divisions", exit_on_error=False)
    def _choices(self) -> None:
        self.post_message(self.Choices(self.admin.divisions()))

    def on_accounts_screen_choices(self, message: AccountsScreen.Choices) -> None:
        def created(row: AccountRow | None) -> None:
            if row is not None:
                message = _("Account {username} created ({masked}).").format(
                    username=row.username, masked=row.id_masked
                )
                self.notify(message)
                # the cursor stayed on admin: p then opened 为 admin 设置新密码 (a trial)
                self._select = row.username
                self._load()

        def create(fields: dict[str, str]) -> AccountRow:
            return self.admin.create_account(**fields)

        self.app.push_screen(NewAccountDialog(message.choices, create), created)

    # d / e / p -----------------------------------------------------------

    def action_set_active(self, active: bool) -> None:
        """Disable (after a confirmation) or enable the highlighted account."""
        row = self.highlighted()
        if row is None:
            return
        if row.active == active:  # said, not silently nothing
            done = _("{name} is enabled already.") if active else _("{name} is disabled already.")
            self.notify(done.format(name=row.display_name))
            return
        user = self.desk.user
        if not active and user is not None and user.username == row.username:
            # refused before the question (it asked, then the centre refused)
            self.notify(_("You cannot disable your own account."), severity="error")
            return
        if active:
            self._set_active(row, True)
            return
        question = _(
            "Disable {name} ({username})? They can no longer sign in, here or at their "
            "station after its next sync."
        ).format(name=row.display_name, username=row.username)

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_active(row, False)

        self.app.push_screen(ConfirmDialog(question, default=False), answered)

    @work(thread=True, exclusive=True, group="county-account", exit_on_error=False)
    def _set_active(self, row: AccountRow, active: bool) -> None:
        self.admin.set_active(row.username, active)
        done = _("{username} enabled.") if active else _("{username} disabled.")
        self.app.call_from_thread(self.notify, done.format(username=row.username))
        self.post_message(self.Loaded(self.admin.accounts()))

    def action_password(self) -> None:
        """Set a new password for the highlighted account."""
        row = self.highlighted()
        if row is None:
            return

        def typed(password: str | None) -> None:
            if password:
                self._password(row, password)

        self.app.push_screen(PasswordDialog(row.username), typed)

    @work(thread=True, exclusive=True, group="county-account", exit_on_error=False)
    def _password(self, row: AccountRow, password: str) -> None:
        self.admin.reset_password(row.username, password)
        message = _("New password set for {username}; stations get it with their next sync.")
        self.app.call_from_thread(self.notify, message.format(username=row.username))

    def action_back(self) -> None:
        """Back to where the administrator came from."""
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
