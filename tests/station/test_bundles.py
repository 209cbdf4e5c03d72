"""离线包 from the desk: export the outbox to a bundle; a damaged return bundle is refused whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from textual.widgets import Input, Static

from station.app import DaibanApp
from station.screens.dialogs import MessageDialog, ReasonDialog
from station.store import StationStore
from station.widgets.status import DeskStatus
from tests.station.cases_seed import take_in
from tests.station.helpers import flat_text, log_in, settle, type_into


async def test_export_writes_a_signed_bundle_of_the_outbox(
    desk: Callable[..., DaibanApp], store: StationStore, station_dir: Path
) -> None:
    """No USB stick found: ``b`` says so and asks, this PC's folder first (it wrote there
    without a word, and the agent looked for the bundle on the stick)."""
    from station.screens.dialogs import ChoiceDialog

    take_in(store)
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("b")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceDialog)
        assert "没有找到U盘：离线包写到哪里？" in flat_text(pilot)
        assert [label for label, _folder in dialog.choices] == [
            f"本机离线包文件夹（{station_dir / 'bundles'}）",
            "其他文件夹（输入路径，如 E:\\）",
        ]
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
    bundles = list((station_dir / "bundles").glob("outbox-640522100201-*.daiban-bundle"))
    assert len(bundles) == 1 and bundles[0].stat().st_size > 0


async def test_export_to_a_folder_typed_in_when_no_stick_was_found(
    desk: Callable[..., DaibanApp], store: StationStore, station_dir: Path, tmp_path: Path
) -> None:
    """A stick the desk did not find by itself (a drive letter of its own) is typed in; a
    path to nothing, or to a file, is said in the dialog with the path kept to put right."""
    take_in(store)
    stick = tmp_path / "E"
    stick.mkdir()
    (tmp_path / "note.txt").write_text("x")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("down", "enter")  # 其他文件夹
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ReasonDialog)
        for typed, said in (
            (str(tmp_path / "F"), f"找不到文件夹 {tmp_path / 'F'}：请核对路径，并确认U盘已插好。"),
            (
                str(tmp_path / "note.txt"),
                f"{tmp_path / 'note.txt'} 是一个文件：请输入要写入离线包的文件夹。",
            ),
        ):
            dialog.query_one("#reason", Input).value = typed
            await pilot.press("enter")
            await settle(pilot)
            assert pilot.app.screen is dialog and dialog.query_one("#reason", Input).value == typed
            assert str(dialog.query_one("#reason-message", Static).render()) == said
        dialog.query_one("#reason", Input).value = str(stick)
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        said = pilot.app.screen
        assert isinstance(said, MessageDialog) and str(stick) in said.text
    (bundle,) = stick.glob("outbox-640522100201-*.daiban-bundle")
    assert bundle.stat().st_size > 0
    assert not list((station_dir / "bundles").glob("outbox-*"))  # not on this PC as well


async def test_a_damaged_return_bundle_is_refused_and_nothing_changes(
    desk: Callable[..., DaibanApp], store: StationStore, station_dir: Path
) -> None:
    take_in(store)
    before = store.get_case(store.list_cases()[0].case_number)
    assert before is not None
    damaged = station_dir / "bundles" / "return-1.daiban-bundle"
    damaged.parent.mkdir(parents=True, exist_ok=True)
    damaged.write_bytes(b"PK\x03\x04 not really a bundle")
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReasonDialog)
        await pilot.press("enter")
        await settle(pilot)
        notices = [str(n.message) for n in pilot.app._notifications]
        assert any("离线包被拒绝" in n for n in notices), notices
    assert store.get_case(before.case_number) == before


class _Clock:
    """The drop folder watch's clock, moved on by the test (nothing sleeps)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _return_bundle(store: StationStore, where: Path) -> bytes:
    """The bytes of a good return bundle for the test station (no records in it)."""
    from sync.bundle import write_bundle

    identity = store.require_identity()
    path = where / "made-elsewhere.daiban-bundle"
    write_bundle(
        path,
        station_id=identity.station_id,
        direction="return",
        events=[],
        blob_paths={},
        signing_key=identity.signing_key,
        cursor=1,
    )
    return path.read_bytes()


def _bundle_notices(pilot: Any) -> list[str]:
    return [
        str(n.message)
        for n in pilot.app._notifications
        if "离线包" in str(n.message) or "回传包" in str(n.message)
    ]


async def test_a_bundle_put_in_the_drop_folder_is_taken_in_without_asking(
    desk: Callable[..., DaibanApp], store: StationStore, tmp_path: Path
) -> None:
    """Copied in two chunks, the bundle was read half-written and refused as damaged."""
    import asyncio

    whole = _return_bundle(store, tmp_path)
    stick = tmp_path / "usb"
    stick.mkdir()
    async with desk(bundle_drop_folder=stick).run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        watch = pilot.app.drop_watch  # type: ignore[attr-defined]
        assert watch is not None
        watch.clock = clock = _Clock()  # stands still until the test moves it
        bundle = stick / "return-640522100201.daiban-bundle"

        async def look() -> None:
            """What the watchdog thread and the watch's own thread do, from a thread as
            there (they may well get there first: either way the bundle is taken in once)."""
            await asyncio.to_thread(watch.noticed, bundle)
            await asyncio.to_thread(watch.check_pending)
            await settle(pilot)

        with bundle.open("wb") as copy:  # a slow USB copy: half now, the rest later
            copy.write(whole[: len(whole) // 2])
            copy.flush()
            await look()
            assert _bundle_notices(pilot) == []  # half a bundle is not read: no 已损坏
            copy.write(whole[len(whole) // 2 :])
        await look()
        assert _bundle_notices(pilot) == []  # finished a moment ago: not read yet
        clock.now += watch.settle_seconds
        await look()
        assert _bundle_notices(pilot) == ["回传包已导入：共 0 条记录，其中新的 0 条。"]
        status = str(pilot.app.screen.query_one(DeskStatus).render())
        assert "上次同步 从未" not in status and status.endswith(" U盘"), status  # USB-only
        # 海城镇山门村便民服务站 · 马丽  中心：离线  待同步 0  上次同步 12-07 15:08 U盘: 78
        assert cell_len(status.replace("山门村便民服务站", "海城镇山门村便民服务站")) <= 79
        clock.now += 60
        await look()  # the same file again: not twice
        assert len(_bundle_notices(pilot)) == 1
        # the centre's next answer written under the same name is a new bundle: taken in
        partial = stick / "answer.part"
        partial.write_bytes(b"another answer, not a bundle")
        partial.replace(bundle)
        await look()
        clock.now += watch.settle_seconds
        await look()
        notices = _bundle_notices(pilot)
        assert len(notices) == 2 and "离线包被拒绝" in notices[1], notices


def test_a_bundle_still_being_copied_is_read_only_once_its_copy_is_over(tmp_path: Path) -> None:
    from station.screens.bundles import DropFolderWatch

    clock = _Clock()
    handed: list[bytes] = []
    watch = DropFolderWatch(tmp_path, lambda p: handed.append(p.read_bytes()), clock=clock)
    bundle = tmp_path / "return-640522100201.daiban-bundle"
    whole = bytes(range(256)) * 64
    with bundle.open("wb") as copy:  # two chunks, the watch looking between them
        copy.write(whole[:4096])
        copy.flush()
        watch.noticed(bundle)
        clock.now += 1.5
        watch.check_pending()
        copy.write(whole[4096:])
        copy.flush()
        clock.now += 1.5  # 3 s since it was first seen, but it grew since the last look
        watch.check_pending()
        assert handed == []
        clock.now += 1.5  # still within the settle interval since it last grew
        watch.check_pending()
        assert handed == []
    clock.now += 0.5
    watch.check_pending()
    assert handed == [whole]  # the finished file, once
    for _look in range(3):  # events of the watch's own read, a touch that changed nothing
        watch.noticed(bundle)
        watch.noticed(bundle, finished=True)
        clock.now += 10
        watch.check_pending()
    assert handed == [whole]


def test_a_bundle_written_to_while_it_is_read_is_read_again_once_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from station.screens import bundles

    clock = _Clock()
    handed: list[bytes] = []
    watch = bundles.DropFolderWatch(tmp_path, lambda p: handed.append(p.read_bytes()), clock=clock)
    bundle = tmp_path / "return-640522100201.daiban-bundle"
    bundle.write_bytes(b"first half;")
    read = bundles._read

    def read_as_the_copy_goes_on(path: Path) -> bytes | None:
        data = read(path)
        with path.open("ab") as copy:  # the copier resumes after a pause longer than settling
            copy.write(b" second half")
        monkeypatch.setattr(bundles, "_read", read)
        return data

    monkeypatch.setattr(bundles, "_read", read_as_the_copy_goes_on)
    watch.noticed(bundle)
    clock.now += watch.settle_seconds
    watch.check_pending()
    assert handed == []  # what was read was half a bundle: not handed over
    clock.now += watch.settle_seconds
    watch.check_pending()
    assert handed == [b"first half; second half"]


def test_a_bundle_its_writer_closed_is_taken_in_sooner_and_an_empty_one_waits(
    tmp_path: Path,
) -> None:
    from station.screens.bundles import DropFolderWatch

    clock = _Clock()
    handed: list[bytes] = []
    watch = DropFolderWatch(tmp_path, lambda p: handed.append(p.read_bytes()), clock=clock)
    bundle = tmp_path / "return-640522100201.daiban-bundle"
    bundle.write_bytes(b"")  # a copy just begun
    watch.noticed(bundle)
    clock.now += watch.settle_seconds
    watch.check_pending()
    assert handed == []
    bundle.write_bytes(b"the whole bundle")
    watch.noticed(bundle)  # modified: the copy may go on
    clock.now += watch.finished_settle_seconds
    watch.check_pending()
    assert handed == []
    watch.noticed(bundle, finished=True)  # inotify's close-after-write
    watch.check_pending()
    assert handed == [b"the whole bundle"]


async def test_export_asks_where_when_there_is_a_choice_and_writes_there(
    desk: Callable[..., DaibanApp], store: StationStore, station_dir: Path, tmp_path: Path
) -> None:
    """On main ``b`` wrote to one folder without a word of choice: with a stick set as the
    drop folder the agent could not keep a copy on the PC, nor pick the stick plugged in."""
    from station.screens.dialogs import ChoiceDialog

    take_in(store)
    stick = tmp_path / "usb"
    async with desk(bundle_drop_folder=stick).run_test(size=(100, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("b")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ChoiceDialog)
        labels = [label for label, _folder in dialog.choices]
        assert labels == [
            f"设置中的离线包文件夹（{stick}）",
            f"本机离线包文件夹（{station_dir / 'bundles'}）",
        ]
        await pilot.press("down", "enter")  # this PC
        await settle(pilot)
        said = pilot.app.screen  # where it went, in a dialog that waits (a toast went away)
        assert isinstance(said, MessageDialog) and str(station_dir / "bundles") in said.text
        assert "请把这个文件带到县政务服务中心导入" in said.text
        # signed, not encrypted: whoever carries it is told what it holds
        assert "数据包里有居民的身份证号等个人信息" in said.text
        await pilot.press("enter", "b")
        await settle(pilot)
        await pilot.press("enter")  # the stick
        await settle(pilot)
        await pilot.press("enter", "b")
        await settle(pilot)
        await pilot.press("escape")  # changed their mind: nothing written
        await settle(pilot)
    for folder in (station_dir / "bundles", stick):
        (bundle,) = folder.glob("outbox-640522100201-*.daiban-bundle")
        assert bundle.stat().st_size > 0


async def test_a_path_left_empty_or_to_no_file_is_said_as_such(
    desk: Callable[..., DaibanApp], store: StationStore
) -> None:
    """The walkthrough's agent read 请填写原因 for an empty box, and 不是代办数据包 for a
    path to nothing (a USB stick not in)."""
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ReasonDialog)
        text = flat_text(pilot)
        assert "没有找到回传包" in text and "请输入文件的完整路径" in text
        await pilot.press("enter")
        await settle(pilot)
        assert (
            pilot.app.screen is dialog
            and "请输入回传包文件（.daiban-bundle）的路径" in flat_text(pilot)
        )
        typed = "/media/nobody/回传包/return-1.daiban-bundle"
        await type_into(pilot, "#reason", typed)
        await pilot.press("enter")
        await settle(pilot)
        # said in the dialog, the path kept to put right (it closed: typed again whole)
        said = str(dialog.query_one("#reason-message", Static).render())
        assert pilot.app.screen is dialog and dialog.query_one("#reason", Input).value == typed
        assert said == f"找不到文件 {typed}：请核对路径，并确认U盘已插好。"


async def test_i_fills_in_the_newest_return_bundle_on_the_usb_stick_plugged_in(
    desk: Callable[..., DaibanApp],
    store: StationStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The trial's agent brought the township's stick and had to type its whole path: ``i``
    looked in the bundle folder only. Now the newest return bundle on a stick plugged in
    (at its top or one folder down) is filled in; the desk's own outbox on it is not."""
    import os

    from station.services import drives

    stick = tmp_path / "usb"
    (stick / "回传包").mkdir(parents=True)
    older = stick / "return-640522100201-1.daiban-bundle"
    newest = stick / "回传包" / "return-640522100201-2.daiban-bundle"
    mine = stick / "outbox-640522100201-3.daiban-bundle"
    for when, path in enumerate((older, newest, mine)):
        path.write_bytes(b"bundle")
        os.utime(path, (1_000_000 + when, 1_000_000 + when))
    (stick / "回传包" / "deeper").mkdir()  # two folders down: not looked in
    (stick / "回传包" / "deeper" / "return-x.daiban-bundle").write_bytes(b"bundle")
    monkeypatch.setattr(drives, "removable_drives", lambda: [drives.Drive("KINGSTON", stick)])
    async with desk().run_test(size=(80, 24)) as pilot:
        await log_in(pilot)
        await pilot.press("i")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ReasonDialog)
        assert dialog.query_one("#reason", Input).value == str(newest)
        assert "已填好最新的回传包" in flat_text(pilot)


def test_usb_sticks_are_found_where_the_desktop_mounts_them() -> None:
    from station.services.drives import Drive, linux_drives

    mounts = "\n".join(
        [
            "/dev/sda2 / ext4 rw,relatime 0 0",
            "/dev/sda1 /boot/efi vfat rw,relatime 0 0",
            "/dev/sdb1 /media/agent/KINGSTON vfat rw,nosuid,nodev 0 0",
            "/dev/sdc1 /run/media/ma/U\\040DISK exfat rw,nosuid,nodev 0 0",
            "tmpfs /run/user/1000 tmpfs rw 0 0",
        ]
    )
    assert linux_drives(mounts) == [
        Drive("KINGSTON", Path("/media/agent/KINGSTON")),
        Drive("U DISK", Path("/run/media/ma/U DISK")),
    ]


def test_another_station_s_bundle_is_refused_as_that_station_s(
    store: StationStore, tmp_path: Path
) -> None:
    # 武塬村's return bundle imported at 山门村 said "from a station not known here"
    from station.services.bundles import import_return
    from sync.bundle import OTHER_STATION, write_bundle
    from sync.errors import BundleError
    from sync.messages import translate_reason

    take_in(store)
    before = store.list_cases()
    other = tmp_path / "return-other.daiban-bundle"
    write_bundle(
        other,
        station_id="st-another-village",
        direction="return",
        events=[],
        blob_paths={},
        signing_key="a" * 64,
        cursor=7,
    )
    try:
        import_return(store, other)
    except BundleError as error:
        assert error.reason == OTHER_STATION
        assert translate_reason(error.reason).startswith("该数据包属于另一个服务站")
    else:
        raise AssertionError("another station's bundle was taken in")
    assert store.list_cases() == before and store.pull_cursor() != 7


def test_a_return_bundle_taken_in_twice_says_it_brought_nothing_new(
    store: StationStore, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from station.screens.bundles import import_bundle
    from station.services.desk import Desk
    from sync.bundle import write_bundle
    from sync.events import EventStatus, RecordedEvent

    take_in(store)
    identity = store.require_identity()
    [own] = store.outbox_batch(10, 1 << 20)[:1]
    recorded = RecordedEvent(
        **own.model_dump(),
        central_seq=41,
        status=EventStatus.applied,
        received_at=datetime(2026, 12, 5, 1, tzinfo=UTC),
    )
    back = tmp_path / "return.daiban-bundle"
    write_bundle(
        back,
        station_id=identity.station_id,
        direction="return",
        events=[recorded],
        blob_paths={},
        signing_key=identity.signing_key,
        cursor=41,
    )
    desk = Desk.__new__(Desk)
    desk.store = store  # (import_bundle reads only the store)
    assert import_bundle(desk, back) == "回传包已导入：共 1 条记录，其中新的 1 条。"
    assert import_bundle(desk, back).startswith("这个回传包以前已导入")
    newer = tmp_path / "newer.daiban-bundle"  # a new bundle with no news: not "imported before"
    write_bundle(
        newer,
        station_id=identity.station_id,
        direction="return",
        events=[recorded],
        blob_paths={},
        signing_key=identity.signing_key,
        cursor=41,
    )
    assert import_bundle(desk, newer) == "回传包已导入：共 1 条记录，其中新的 0 条。"


def test_a_folder_given_for_the_bundle_is_said_to_be_one(
    store: StationStore, tmp_path: Path
) -> None:
    from station.screens.bundles import import_bundle
    from station.services.desk import Desk

    desk = Desk.__new__(Desk)
    desk.store = store
    stick = tmp_path / "usb"
    stick.mkdir()
    assert (
        import_bundle(desk, stick)
        == f"{stick} 是一个文件夹，里面没有数据包（*.daiban-bundle 文件）。"
    )
    (stick / "return-640522100201.daiban-bundle").write_bytes(b"x")
    said = import_bundle(desk, stick)
    assert said.startswith(f"{stick} 是一个文件夹，请填写其中数据包文件的完整路径")
    assert "return-640522100201.daiban-bundle" in said


def test_the_desk_says_what_the_centre_refused_in_a_return_bundle(
    store: StationStore, tmp_path: Path
) -> None:
    """The desk said only 已导入 (or 已导入过) where the command line listed the refusal."""
    from datetime import UTC, datetime

    from station.screens.bundles import import_bundle
    from station.services.desk import Desk
    from sync.bundle import write_bundle
    from sync.events import EventStatus, RecordedEvent
    from sync.protocol import EventResult, ResultStatus

    take_in(store)
    identity = store.require_identity()
    first, second = store.outbox_batch(10, 1 << 20)[:2]
    recorded = RecordedEvent(
        **first.model_dump(),
        central_seq=41,
        status=EventStatus.applied,
        received_at=datetime(2026, 12, 5, 1, tzinfo=UTC),
    )
    refused = EventResult(
        id=str(second.id), status=ResultStatus.rejected, reason="the actor's account is disabled"
    )
    back = tmp_path / "return.daiban-bundle"
    write_bundle(
        back,
        station_id=identity.station_id,
        direction="return",
        events=[recorded],
        blob_paths={},
        signing_key=identity.signing_key,
        cursor=41,
        rejected=[refused],
    )
    desk = Desk.__new__(Desk)
    desk.store = store
    said = import_bundle(desk, back).splitlines()
    assert said[0] == "回传包已导入：共 1 条记录，其中新的 1 条。"
    assert said[1:] == ["  被拒收 1 条：经办人账号已停用，县里不接收以该账号办理的操作"]
    assert import_bundle(desk, back).startswith("这个回传包以前已导入")  # and once only


def test_a_bundle_that_cannot_be_written_is_said_in_words_naming_the_path(
    store: StationStore, tmp_path: Path
) -> None:
    from datetime import datetime

    from station.screens.bundles import export_bundle
    from station.services.desk import Desk

    take_in(store)
    desk = Desk.__new__(Desk)
    desk.store = store
    desk.clock = lambda: datetime(2026, 12, 5, 14, 0)
    desk.division = "640522100201"
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    said = export_bundle(desk, blocker / "usb")
    assert str(blocker / "usb") in said and "文件" in said, said
    assert "Permission" not in said and "Errno" not in said
    assert store.outbox_depth() == 2  # nothing sent, nothing changed


def test_the_stations_own_outbox_given_back_is_said_to_be_it(
    store: StationStore, tmp_path: Path
) -> None:
    from station.screens.bundles import import_bundle
    from station.services.bundles import export_outbox
    from station.services.desk import Desk

    take_in(store)
    own = tmp_path / "outbox.daiban-bundle"
    export_outbox(store, own)
    desk = Desk.__new__(Desk)
    desk.store = store
    said = import_bundle(desk, own)
    assert "这是本站自己导出的离线包" in said and "县政务服务中心导入" in said, said


def test_a_failed_settle_check_is_told_once_and_the_watch_goes_on(tmp_path: Path) -> None:
    """A failure the watch did not expect stopped its thread without a word: no bundle was
    taken in again until the desk restarted. It is told (once per kind) and it goes on."""
    from station.screens.bundles import DropFolderWatch

    clock = _Clock()
    handed: list[Path] = []
    told: list[BaseException] = []
    failing = [True]

    def hand_over(path: Path) -> None:
        if failing[0]:
            raise ValueError("the stick was pulled out mid-read")
        handed.append(path)

    watch = DropFolderWatch(tmp_path, hand_over, clock=clock, on_error=told.append)
    bundle = tmp_path / "return-640522100201.daiban-bundle"
    bundle.write_bytes(b"a return bundle")
    for _look in range(2):  # the same failure twice: told once
        watch.noticed(bundle)
        clock.now += 3
        watch.tick_once()
        watch.seen.clear()
    assert [str(e) for e in told] == ["the stick was pulled out mid-read"]
    failing[0] = False
    bundle.write_bytes(b"the next return bundle")
    watch.noticed(bundle)
    clock.now += 3
    watch.tick_once()
    assert handed == [bundle]  # still watching
