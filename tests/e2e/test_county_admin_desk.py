"""The county desk's 服务站 and 账号 screens against a real central on loopback: codes with
their QR, a dead village PC replaced (its history stays with the village), accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static

from central.services.admin_audit import list_actions, verify_actions
from station.app import DaibanApp, make_app
from station.config import load_settings
from station.screens.accounts_admin import AccountsScreen
from station.screens.county_dialogs import CodeDialog, CodesDialog, NewAccountDialog, NewCodeDialog
from station.screens.dialogs import ConfirmDialog, MessageDialog
from station.screens.stations_admin import StationsScreen
from station.services.syncing import station_report
from station.store import StationStore
from sync.client import CentralClient
from sync.enroll_uri import parse_enroll_uri
from sync.events import SCHEMA_VERSION
from tests.e2e.conftest import PASSWORD, Central, Station, enrolled_station, write_cases
from tests.station.helpers import flat_text, log_in, settle, type_into

pytestmark = pytest.mark.slow  # a real central on loopback

COUNTY = "640522000000"
WUYUAN = "640522100202"


ADMIN_IDS = {
    "xu": "640522199009090037",
    "ma": "640522198505050021",
    "niu": "640522197511110049",
    "qi": "640522198002020031",
    "zhou": "640522198303030049",
    "qin": "640522198606060050",
}
"""One ID number per administrator: one account per person."""


def _county_app(central: Central, tmp_path: Path, username: str) -> DaibanApp:
    station = enrolled_station(central, tmp_path / "county", COUNTY, "海原县政务服务中心", "county")
    central.cli(
        "user", "add", "--username", username, "--name", "徐县管", "--role", "admin",
        "--division", COUNTY, "--password", PASSWORD, "--id-number", ADMIN_IDS[username],
    )  # fmt: skip
    station.cli("sync")  # the account comes down, as at a real county workstation
    store = StationStore.open(station.data_dir)
    return make_app(load_settings(station.data_dir), store=store)


async def _stations(pilot: Pilot[None]) -> StationsScreen:
    app = pilot.app
    assert isinstance(app, DaibanApp)
    screen = StationsScreen(app.desk)
    app.push_screen(screen)
    await settle(pilot)
    return screen


def _row(screen: StationsScreen, name: str, revoked: bool = False) -> int:
    return next(i for i, r in enumerate(screen.rows) if r.name == name and r.revoked == revoked)


async def _issue(pilot: Pilot[None], search: str) -> CodeDialog:
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, NewCodeDialog)
    await type_into(pilot, "#division-search", search)
    await pilot.press("enter")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, CodeDialog)
    return dialog


def _said_and_closed(pilot: Pilot[None]) -> str:
    """What the message over the code dialog says (the slip's print)."""
    screen = pilot.app.screen
    assert isinstance(screen, MessageDialog)
    return str(screen.text)


def _died_with_unsent(central: Central, station: Station, tmp_path: Path) -> None:
    """The village PC takes in one more case and says hello, then dies before pushing it."""
    station.cli("case", "import", str(write_cases(tmp_path / "last.jsonl", 1, first=3)))
    store = StationStore.open(station.data_dir)
    identity = store.require_identity()
    with CentralClient(central.url, identity.token) as client:
        client.hello(
            software_version="0.9.1",
            schema_version=SCHEMA_VERSION,
            outbox_depth=store.outbox_depth(),
            report=station_report(store),
        )
    store.close()


async def test_a_dead_village_pc_is_replaced_and_its_cases_stay_with_the_village(
    sqlite_central: Central, tmp_path: Path
) -> None:
    central = sqlite_central
    old = enrolled_station(central, tmp_path / "old-pc", WUYUAN, "武塬村旧电脑", "village")
    old.cli("case", "import", str(write_cases(tmp_path / "two.jsonl", 2)))
    old.cli("sync")
    _died_with_unsent(central, old, tmp_path)

    app = _county_app(central, tmp_path, "xu")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "xu", PASSWORD)
        screen = await _stations(pilot)
        text = flat_text(pilot)
        assert (
            "武塬村旧电脑" in text and "武塬村" in text and "2（" in text
        )  # 2 unsent, since the day…
        # a second active PC for the village is refused: the old one is revoked first
        await pilot.press("n")
        await settle(pilot)
        await type_into(pilot, "#division-search", "武塬")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, MessageDialog)
        assert "请先吊销旧电脑" in flat_text(pilot)
        await pilot.press("escape")
        await settle(pilot)

        screen.query_one(DataTable).move_cursor(row=_row(screen, "武塬村旧电脑"))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        warning = flat_text(pilot).replace("█", "")
        assert "还有2条记录未上传（最早一条写于" in warning and "再也传不到县中心" in warning
        assert "7天内可在本页按u撤销吊销" in warning  # how to undo it, on this desk
        await pilot.press("y")
        await settle(pilot)
        assert screen.rows[_row(screen, "武塬村旧电脑", revoked=True)].revoked
        table = screen.query_one(DataTable)
        table.move_cursor(row=_row(screen, "武塬村旧电脑", revoked=True))
        await pilot.press("u")  # a slip of the hand: undone here, no command line
        await settle(pilot)
        assert "撤销对武塬村旧电脑" in flat_text(pilot).replace("█", "")
        await pilot.press("y")
        await settle(pilot)
        assert not screen.rows[_row(screen, "武塬村旧电脑")].revoked
        table.move_cursor(row=_row(screen, "武塬村旧电脑"))
        await pilot.press("r", "y")  # and revoked for good
        await settle(pilot)
        assert screen.rows[_row(screen, "武塬村旧电脑", revoked=True)].revoked

        dialog = await _issue(pilot, "武塬")
        code = dialog.code
        assert code.name == "海城镇武塬村便民服务站" and code.division_name == "武塬村"
        shown = flat_text(pilot)
        assert code.code in shown and "有效至" in shown and "█" in shown  # the QR
        # without a camera: the address to type with the code (the dialog gave the code alone)
        assert f"县中心地址：{central.url}" in shown and "证书指纹" not in shown  # plain http
        ticket = parse_enroll_uri(code.uri)
        assert (ticket.central, ticket.code) == (central.url, code.code)
        await pilot.press("escape")  # not printed: asked first (the code is written down)
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)

        new = Station(tmp_path / "new-pc")
        enrolled = new.cli("station", "enroll", "--central", ticket.central, "--code", ticket.code)
        new.station_id = enrolled["station_id"]
        new.sign_up("agent-new", "agent", WUYUAN)  # type: ignore[arg-type]
        new.cli("sync")
        store = StationStore.open(new.data_dir)
        assert store.count_cases() == 2  # the village's cases, pulled by division
        store.close()

        await pilot.press("f5")
        await settle(pilot)
        wuyuan = [r for r in screen.rows if r.division == WUYUAN]
        assert {(r.name, r.revoked) for r in wuyuan} == {
            ("武塬村旧电脑", True),
            ("海城镇武塬村便民服务站", False),
        }
        fresh = next(r for r in wuyuan if not r.revoked)
        assert (fresh.outbox_depth, fresh.cases_held) == (0, 2)
        assert fresh.catalog_version
    held = central.reconcile()
    assert held[old.station_id]["cases"] == 2 and new.station_id in held
    app.desk.store.close()


async def test_outstanding_codes_are_listed_and_cancelled_from_the_desk(
    sqlite_central: Central, tmp_path: Path
) -> None:
    app = _county_app(sqlite_central, tmp_path, "ma")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "ma", PASSWORD)
        await _stations(pilot)
        dialog = await _issue(pilot, "李旺")
        assert dialog.code.role == "township"
        await pilot.press("escape", "y")  # not printed: asked, and answered
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CodesDialog)
        text = flat_text(pilot)
        # who issued it by name (it said the username, ma)
        assert "李旺镇" in text and "徐县管" in text and dialog.code.code not in text
        assert dialog.code.ref in text  # its reference, as the command line cancels it by
        await pilot.press("x")
        await settle(pilot)
        assert f"（编号{dialog.code.ref}）吗" in flat_text(pilot).replace("█", "")
        await pilot.press("y")
        await settle(pilot)
        assert "没有待用的注册码" in flat_text(pilot)
    codes = sqlite_central.cli("codes", "list")["codes"]
    assert dialog.code.ref not in {c["ref"] for c in codes}
    app.desk.store.close()


def _audit(central: Central) -> list[Any]:
    from central.bootstrap import load_settings as central_settings
    from central.bootstrap import open_session

    with open_session(central_settings(central.data_dir / "central")) as session:
        assert verify_actions(session).ok  # with the county's audit key, as `central audit` does
        return [(a.action, a.target, a.actor_username) for a in list_actions(session)]


async def _new_account(pilot: Pilot[None], **fields: str) -> None:
    await pilot.press("a")
    await settle(pilot)
    if fields.get("role"):
        pilot.app.screen.query_one("#account-role", Select).value = fields["role"]
        await pilot.pause()
    await type_into(pilot, "#account-name", fields["name"])
    await type_into(pilot, "#division-search", fields["division"])
    await type_into(pilot, "#account-id", fields["id"])
    await type_into(pilot, "#account-username", fields["username"])
    await type_into(pilot, "#account-password", "first-pass-1")
    await pilot.press("enter")
    await settle(pilot)


async def test_accounts_one_per_person_disable_enable_and_password_from_the_desk(
    sqlite_central: Central, tmp_path: Path
) -> None:
    app = _county_app(sqlite_central, tmp_path, "niu")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "niu", PASSWORD)
        screen = AccountsScreen(app.desk)
        app.push_screen(screen)
        await settle(pilot)
        person = {"name": "马丽", "division": "山门", "id": "640522198001010018"}
        await _new_account(pilot, **person, username="mali")
        text = flat_text(pilot)
        assert "mali" in text and "640522********0018" in text
        assert "198001010018" not in text  # never in clear

        await _new_account(pilot, **person, username="mali2")
        # the refusal is said in the form, with everything typed kept (it closed the form)
        dialog = pilot.app.screen
        assert isinstance(dialog, NewAccountDialog)
        refusal = str(dialog.query_one("#account-message", Static).render())
        assert "马丽已有在用的账号 mali" in refusal and "一人一账号" in refusal
        assert dialog.query_one("#account-name", Input).value == "马丽"
        # another person, a username already taken: said in Chinese (it was English)
        dialog.query_one("#account-name", Input).value = "杨志强"
        dialog.query_one("#account-id", Input).value = "640522195803150035"
        dialog.query_one("#account-username", Input).value = "mali"
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is dialog
        refusal = str(dialog.query_one("#account-message", Static).render())
        assert "用户名 mali 已被使用，请换一个" in refusal
        dialog.query_one("#account-username", Input).value = "yzq"
        dialog.query_one("#account-password", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert [r.username for r in screen.rows if r.display_name == "杨志强"] == ["yzq"]
        highlighted = screen.highlighted()  # the new account, not the row the cursor was on
        assert highlighted is not None and highlighted.username == "yzq"

        screen.query_one(DataTable).move_cursor(
            row=next(i for i, r in enumerate(screen.rows) if r.username == "mali")
        )
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not next(r for r in screen.rows if r.username == "mali").active
        await pilot.press("e")
        await settle(pilot)
        assert next(r for r in screen.rows if r.username == "mali").active
        await pilot.press("p")
        await settle(pilot)
        await type_into(pilot, "#password-1", "second-pass-2")
        await type_into(pilot, "#password-2", "second-pass-2")
        await pilot.press("enter")
        await settle(pilot)
    acts = _audit(sqlite_central)
    assert acts[:5] == [
        ("account.password", "mali", "niu"),
        ("account.enable", "mali", "niu"),
        ("account.disable", "mali", "niu"),
        ("account.create", "yzq", "niu"),
        ("account.create", "mali", "niu"),
    ]  # the refused ones made nothing
    app.desk.store.close()


def test_the_desk_field_for_the_id_number_shows_it_masked() -> None:
    from station.screens.county_dialogs import _id_state

    assert str(_id_state("640522198001010018")) == "身份证号 640522********0018 ✓"
    assert "不正确" in str(_id_state("640522198001010019"))


async def test_signing_out_from_a_page_reads_nothing_and_the_sign_in_takes_the_keys(
    sqlite_central: Central, tmp_path: Path
) -> None:
    """Locked on 服务站 and signed out (F12, F10): the dashboard, shown again on the way to
    the sign-in screen, read the centre after the session had ended and said, over the
    sign-in screen, 没有连上县中心（未在县中心登录）; typing then went nowhere."""
    from station.screens.login import LoginScreen

    app = _county_app(sqlite_central, tmp_path, "qi")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "qi", PASSWORD)
        await _stations(pilot)
        await pilot.press("f12")
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(pilot.app.screen, LoginScreen)
        assert [type(s).__name__ for s in pilot.app.screen_stack][1:] == ["LoginScreen"]
        text = flat_text(pilot)
        assert "没有完成" not in text and "未在县中心登录" not in text
        await log_in(pilot, "qi", PASSWORD)  # straight back in, no dialog to close first
        assert not isinstance(pilot.app.screen, LoginScreen)
    app.desk.store.close()


async def test_a_code_just_issued_prints_as_a_slip_to_take_to_the_station(
    sqlite_central: Central, tmp_path: Path
) -> None:
    """The centre keeps only the code's hash: closed, the dialog's code was gone, with no
    way to print or save it. p prints the 注册单: the station, the code, its expiry in
    China time, the centre's address and who issued it, with the QR."""
    from tests.unit.printing.conftest import pdf_text

    app = _county_app(sqlite_central, tmp_path, "zhou")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "zhou", PASSWORD)
        await _stations(pilot)
        dialog = await _issue(pilot, "李旺")
        hint = str(dialog.query_one("#code-hint", Static).render())
        assert "按 p 打印注册单" in hint
        await pilot.press("p")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        notices = _said_and_closed(pilot)  # in a message over the QR, closed by Enter
        # no printer: said, and where one is set (设置 on the 看板, as on the other homes)
        assert "本机未设置打印机" in notices and "看板（按 1）按 o" in notices, notices
        assert "station.toml" not in notices
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("p")  # printed again: kept beside the first, not over it
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        again = _said_and_closed(pilot)
        await pilot.press("enter", "escape")  # printed: the code closes without a question
        await settle(pilot)
        assert not isinstance(pilot.app.screen, (CodeDialog, MessageDialog, ConfirmDialog))
    code = dialog.code
    # named by what it is and the station it is for, with the code's reference (as 待用码
    # lists it) to tell a later code's slip apart: not by the code's expiry, nor the code
    folder = Path(app.desk.settings.data_dir) / "documents"
    slip = f"便民服务站注册单-{code.name}-{code.ref}"
    assert sorted(path.name for path in folder.iterdir()) == [f"{slip}.pdf", f"{slip}（2）.pdf"]
    assert f"已保存为 PDF：\n{slip}.pdf" in notices  # each by the name it was kept under
    assert f"已保存为 PDF：\n{slip}（2）.pdf" in again
    documents = [folder / f"{slip}.pdf"]
    text = "".join(pdf_text(documents[0].read_bytes()).split())
    assert "便民服务站注册单" in text and code.name in text and code.code in text
    assert sqlite_central.url in text and "徐县管" in text
    expires = code.expires_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{expires:%Y}年{expires.month}月{expires.day}日" in text


async def test_the_county_sets_its_printer_under_settings_on_the_dashboard(
    sqlite_central: Central, tmp_path: Path
) -> None:
    """The county prints too (站点注册单, reports) but had no 设置: its no-printer hint sent
    the administrator to edit station.toml. o on the 看板 opens the desk's 设置, as on the
    village and township homes, and Esc comes back to the board."""
    from station.screens.dashboard import DashboardScreen
    from station.screens.settings import SettingsScreen

    app = _county_app(sqlite_central, tmp_path, "qin")
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "qin", PASSWORD)
        assert isinstance(pilot.app.screen, DashboardScreen)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)
        assert "打印机" in flat_text(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DashboardScreen)
    app.desk.store.close()
