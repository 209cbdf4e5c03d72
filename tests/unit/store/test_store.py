"""The station database: durable settings, migrations with a snapshot, gapless numbers, search."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from station.config import load_settings, save_settings
from station.services.cases import CaseService
from station.store import StationStore
from station.store.migrate import current_revision, head_revision
from tests.unit.store.conftest import application, identity


def test_every_connection_is_wal_with_full_sync(store: StationStore) -> None:
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_a_new_database_is_at_head_without_a_snapshot(store: StationStore) -> None:
    assert current_revision(store.engine) == head_revision()
    assert not (store.data_dir / "backups").exists()


def test_an_old_database_is_snapshotted_before_it_is_migrated(tmp_path: Path) -> None:
    old = StationStore.open(tmp_path, revision="0001_base")
    old.close()
    StationStore.open(tmp_path).close()
    snapshots = list((tmp_path / "backups").glob("station-0001_base-*.db"))
    assert len(snapshots) == 1
    with sqlite3.connect(snapshots[0]) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001_base",)


def test_station_sequence_is_gapless_across_cases(
    service: CaseService, store: StationStore
) -> None:
    for serial in range(1, 4):
        service.take_in(application(serial=serial), today=date(2026, 11, 23))
    batch = store.outbox_batch(200, 256 * 1024)
    assert [e.station_seq for e in batch] == [1, 2, 3, 4, 5, 6]
    assert [e.kind.value for e in batch[:2]] == ["created", "received"]


def test_case_numbers_count_per_day(service: CaseService) -> None:
    first = service.take_in(application(serial=1), today=date(2026, 11, 23))
    second = service.take_in(application(serial=2), today=date(2026, 11, 23))
    next_day = service.take_in(application(serial=3), today=date(2026, 11, 24))
    assert first.case_number == "640522100201-20261123-0001"
    assert second.case_number == "640522100201-20261123-0002"
    assert next_day.case_number == "640522100201-20261124-0001"


def test_search_by_name_initials_id_and_case_number(
    service: CaseService, store: StationStore
) -> None:
    zhang = service.take_in(application("张三丰", 1))
    service.take_in(application("李四", 2))
    numbers = lambda q: [c.case_number for c in store.list_cases(q)]  # noqa: E731
    assert numbers("张三丰") == [zhang.case_number]
    assert numbers("三丰") == [zhang.case_number]
    assert numbers("zsf") == [zhang.case_number]
    assert numbers(application("张三丰", 1).applicant["id_number"]) == [zhang.case_number]
    assert numbers(zhang.case_number) == [zhang.case_number]
    assert store.count_cases("") == 2
    assert store.count_cases("王五") == 0


def test_case_list_hides_the_full_id_number(service: CaseService, store: StationStore) -> None:
    service.take_in(application("张三丰", 1))
    (summary,) = store.list_cases()
    assert summary.id_masked == "640522********0014"
    assert summary.item_name == "城乡居民基本医疗保险参保登记"
    assert summary.state == "received"


def test_get_case_by_number_or_id(service: CaseService, store: StationStore) -> None:
    case = service.take_in(application())
    by_number = store.get_case(case.case_number)
    assert by_number is not None and by_number.case_id == case.case_id
    assert store.get_case(str(case.case_id)) == by_number
    assert store.get_case(case.case_id.hex) == by_number
    assert store.get_case("640522100201-20991231-0001") is None


def test_drafts_and_identity_survive_reopening(tmp_path: Path) -> None:
    first = StationStore.open(tmp_path)
    first.save_identity(identity())
    first.save_draft("d1", {"name": "张三", "fields": {"a": 1}})
    first.close()
    again = StationStore.open(tmp_path)
    assert again.identity() == identity()
    (draft,) = again.list_drafts()
    assert (draft.draft_id, draft.data) == ("d1", {"name": "张三", "fields": {"a": 1}})
    again.delete_draft("d1")
    assert again.list_drafts() == []


def test_a_draft_saved_with_only_its_step_moved_keeps_its_time(
    store: StationStore, hold_time: Callable[[datetime], None]
) -> None:
    typed = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    hold_time(typed)
    store.save_draft("d1", {"step": 3, "fields": {"a": 1}})
    hold_time(typed + timedelta(minutes=5))
    store.save_draft("d1", {"step": 4, "fields": {"a": 1}}, changed=False)
    (draft,) = store.list_drafts()
    assert (draft.data["step"], draft.updated_at) == (4, typed)
    store.save_draft("d1", {"step": 4, "fields": {"a": 2}})
    (draft,) = store.list_drafts()
    assert draft.updated_at == typed + timedelta(minutes=5)


def test_settings_round_trip_through_the_toml_file(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.language == "zh_CN" and not settings.elder_mode
    save_settings(settings.model_copy(update={"elder_mode": True, "printer": "柜台打印机"}))
    again = load_settings(tmp_path)
    assert again.elder_mode and again.printer == "柜台打印机"
    assert load_settings(tmp_path, elder_mode=False).elder_mode is False


def test_the_migrations_build_exactly_the_tables_the_code_declares(store: StationStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    def include_name(name: str | None, type_: str, _parents: object) -> bool:
        return not (type_ == "table" and (name or "").startswith("cases_fts"))

    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_concurrent_writers_keep_the_sequence_gapless(
    service: CaseService, store: StationStore
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sync.events import EventKind

    cases = [service.take_in(application(serial=i), today=date(2026, 11, 23)) for i in range(1, 9)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda c: service.act(c.case_number, EventKind.submitted), cases))
    seqs = [e.station_seq for e in store.outbox_batch(1000, 1 << 30)]
    assert seqs == list(range(1, 25))


def test_initials_and_pinyin_from_one_call_are_what_each_style_gives() -> None:
    """One pypinyin call gives both search keys (a catch-up pays it for every new name):
    exactly what the FIRST_LETTER style and the toneless one give, polyphonic surnames,
    compound surnames, letters, digits and spaces included."""
    from pypinyin import Style, lazy_pinyin

    from station.store.search import full_pinyin, initials

    names = [
        "张三丰",
        "曾国藩",
        "单雄信",
        "吕布",
        "欧阳 娜娜",
        "诸葛亮",
        "李a明",
        "Zhang三",
        "王2",
        "·",
        " ",
    ]
    for name in names:
        letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
        assert initials(name) == "".join(p[:1] for p in letters if p.strip()).lower(), name
        assert full_pinyin(name) == "".join(lazy_pinyin(name, errors="ignore")).lower(), name
    assert (initials("欧阳娜娜"), full_pinyin("欧阳娜娜")) == ("oynn", "ouyangnana")


def test_a_name_converted_word_by_word_reads_as_the_whole_name_does() -> None:
    """The keys come from the name's words converted one by one (cached: the words repeat
    from name to name); over thousands of names, phrases read in context (建国, 长乐,
    重庆) and names with letters, each is what pypinyin gives for the whole name."""
    import random

    from pypinyin import lazy_pinyin

    from bench.sync import GIVEN, SURNAMES
    from station.store.search import _pinyin

    rng = random.Random(7)
    extra = "长乐重庆解放军单曾查朴乐行和朝宁夏银川固原"
    names = [
        rng.choice(SURNAMES) + "".join(rng.choices(GIVEN + extra, k=rng.choice((1, 2, 3))))
        for _ in range(3000)
    ]
    names += ["王建国", "李长乐", "重庆人", "解放", "Li Ming 王", "A3号", "马·阿里", "欧阳重行"]
    for name in names:
        parts = lazy_pinyin(name, errors=lambda run: "\x00" + run)
        first = "".join(p.lstrip("\x00")[:1] for p in parts if p.lstrip("\x00").strip())
        whole = "".join(p for p in parts if not p.startswith("\x00"))
        assert _pinyin(name) == (first.lower(), whole.lower()), name
    assert _pinyin("王建国") == ("wjg", "wangjianguo")
