"""事项目录 at the county desk (同源发布): what the county published, and publishing a new
version from an edited folder — checked, compared, confirmed, numbered."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Static
from textual.worker import Worker

from station.i18n import _
from station.screens.base import DeskScreen
from station.screens.context import Desk
from station.screens.county import CountyStrip
from station.screens.dialogs import ConfirmDialog
from station.services.catalog_desk import (
    CatalogCheck,
    PublishedVersion,
    check_catalog_folder,
    publish_catalog_from_desk,
    published_versions,
)
from station.widgets.footer import DeskFooter
from station.widgets.status import DeskStatus


class CatalogAdminScreen(DeskScreen[None]):
    """Published versions; Enter (F8) checks a folder against them, F9 publishes it."""

    BINDINGS = [
        Binding("f", "focus_folder", _("Folder")),
        Binding("f8", "check", _("Check and compare")),
        Binding("f9", "publish", _("Publish")),
        Binding("f6", "refresh", _("Refresh")),
        Binding("escape", "back", _("Back")),
    ]

    class Listed(Message):
        """The published versions were read."""

        def __init__(self, versions: list[PublishedVersion]) -> None:
            super().__init__()
            self.versions = versions

    class Checked(Message):
        """A folder was checked and compared."""

        def __init__(self, check: CatalogCheck) -> None:
            super().__init__()
            self.check = check

    class Published(Message):
        """The centre numbered and stored the new version."""

        def __init__(self, answer: dict[str, Any]) -> None:
            super().__init__()
            self.answer = answer

    def __init__(self, desk: Desk) -> None:
        super().__init__()
        self.desk = desk
        self.checked: CatalogCheck | None = None

    def compose(self) -> ComposeResult:
        yield DeskStatus()
        yield CountyStrip(5)
        yield Label(_("Catalog 事项目录 (同源发布)"), classes="heading")
        yield DataTable(id="catalog-versions", cursor_type="row", zebra_stripes=True)
        yield Label(_("Edited catalog folder (catalog.toml and items/)"))
        yield Input(id="catalog-folder", placeholder=_("e.g. /home/county/catalog"))
        with VerticalScroll(id="catalog-diff"):
            yield Static(
                _("f: type the folder, then Enter to check it against what stations run now."),
                id="catalog-lines",
            )
        yield DeskFooter()

    def on_mount(self) -> None:
        self.show_status(self.desk, _("Catalog"))
        table = self.query_one("#catalog-versions", DataTable)
        table.styles.height = 5
        table.add_columns(_("No."), _("Version"), _("Published (Beijing time)"), _("By"))
        table.focus()  # not the folder box: the strip's digits must open sections (f goes there)
        self.action_refresh()

    def action_focus_folder(self) -> None:
        """To the folder box, to type where the edited catalog is."""
        self.query_one("#catalog-folder", Input).focus()

    def action_refresh(self) -> None:
        """Read the published versions again."""
        self._list()

    @work(thread=True, exclusive=True, group="catalog-list", exit_on_error=False)
    def _list(self) -> None:
        from station.services.county_admin import person_name

        named = partial(person_name, self.desk)
        self.post_message(self.Listed(published_versions(self.desk.centre(), named)))

    def on_catalog_admin_screen_listed(self, message: CatalogAdminScreen.Listed) -> None:
        table = self.query_one("#catalog-versions", DataTable)
        table.clear()
        for row in message.versions:
            table.add_row(str(row.number), row.version, row.published_at, row.published_by)
        if not message.versions:
            table.add_row("0", _("the catalog shipped with daiban"), "", "")

    def _folder(self) -> Path | None:
        text = self.query_one("#catalog-folder", Input).value.strip()
        return Path(text).expanduser() if text else None

    @on(Input.Submitted, "#catalog-folder")
    def action_check(self) -> None:
        """Check the folder and compare it with the version stations run (a worker)."""
        folder = self._folder()
        if folder is None:
            self._say(_("Catalog folder: type where the edited catalog is."))
            return
        self.checked = None
        self._say(_("Checking {folder}…").format(folder=folder))
        self._check(folder)

    @work(thread=True, exclusive=True, group="catalog-check", exit_on_error=False)
    def _check(self, folder: Path) -> None:
        self.post_message(self.Checked(check_catalog_folder(self.desk.centre(), folder)))

    def on_catalog_admin_screen_checked(self, message: CatalogAdminScreen.Checked) -> None:
        self.checked = message.check
        tail = (
            _("F9 publishes it as the next version; every station takes it on its next sync.")
            if message.check.changed
            else _("Nothing changed: there is nothing to publish.")
        )
        self._say("\n".join([*message.check.lines, "", tail]))

    def action_publish(self) -> None:
        """Publish the checked folder, after a yes."""
        check = self.checked
        if check is None or check.folder != self._folder():
            self._say(_("Check the folder first (Enter): only a checked catalog is published."))
            return
        if not check.changed:
            self._say(_("Nothing changed: there is nothing to publish."))
            return
        question = _(
            "Publish catalog {version} to every station of the county? A published version "
            "is never changed."
        ).format(version=check.version)
        self.app.push_screen(ConfirmDialog(question), self._confirmed)

    def _confirmed(self, yes: bool | None) -> None:
        if yes and self.checked is not None:
            self._say(_("Publishing…"))
            self._publish(self.checked.folder)

    @work(thread=True, exclusive=True, group="catalog-publish", exit_on_error=False)
    def _publish(self, folder: Path) -> None:
        self.post_message(self.Published(publish_catalog_from_desk(self.desk.centre(), folder)))

    def on_catalog_admin_screen_published(self, message: CatalogAdminScreen.Published) -> None:
        answer = message.answer
        if answer.get("published"):
            text = _("Published as version {number} ({version}).").format(
                number=answer.get("number"), version=answer.get("version")
            )
        else:
            text = _("This catalog was published already (version {number}).").format(
                number=answer.get("number")
            )
        self.checked = None
        self._say(text)
        self.notify(text)
        self.action_refresh()

    def worker_failed(self, worker: Worker[Any]) -> None:
        """A check or a publication failed: nothing counts as checked any more."""
        if worker.group != "catalog-list":
            self.checked = None
            self._say(_("Not done; see the message."))

    def _say(self, text: str) -> None:
        self.query_one("#catalog-lines", Static).update(text)

    def action_back(self) -> None:
        """Back."""
        self.dismiss(None)
