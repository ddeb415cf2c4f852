from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from archive import (
    IntegrityError,
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Retention,
    add_records,
    list_records,
    login,
    parse_kind,
    read_record,
)
from archive.records import unwrap_record_key
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, SECRET_TEXT, SECRET_TITLE, Office


def test_a_filed_record_reads_back_exactly(filed_office: Office) -> None:
    with filed_office.open() as archive:
        info, content = read_record(archive, login(archive, "王文秘", PASSPHRASE), filed_office.records[Level.SECRET])
        assert content.decode() == f"{SECRET_TEXT}（秘密）"
        assert info.title == f"{SECRET_TITLE}（秘密）"
        assert info.classification == "秘密" and info.kind == "letter" and info.archival_code is None


@pytest.mark.parametrize(
    ("name", "visible"),
    [
        ("吴领导", {Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL, Level.TOP_SECRET}),
        ("王文秘", {Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL}),
        ("郑秘书", {Level.INTERNAL, Level.SECRET}),
        (OFFICER, {Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL, Level.TOP_SECRET}),
        ("周调查", set()),
        (ADMIN, set()),
        ("钱审计", set()),
    ],
)
def test_listing_shows_exactly_what_clearance_and_role_allow(filed_office: Office, name: str, visible: set) -> None:
    with filed_office.open() as archive:
        listed = {info.record_id for info in list_records(archive, login(archive, name, PASSPHRASE))}
    assert listed == {filed_office.records[level] for level in visible}


@pytest.mark.parametrize("name", [ADMIN, "钱审计", "周调查", "郑秘书"])
def test_a_record_out_of_reach_answers_like_one_that_does_not_exist(filed_office: Office, name: str) -> None:
    with filed_office.open() as archive:
        session = login(archive, name, PASSPHRASE)
        with pytest.raises(NotFound) as hidden:
            read_record(archive, session, filed_office.records[Level.CONFIDENTIAL])
        with pytest.raises(NotFound) as absent:
            read_record(archive, session, "R-2026-999999")
    assert str(hidden.value).replace(filed_office.records[Level.CONFIDENTIAL], "ID") == str(absent.value).replace(
        "R-2026-999999", "ID"
    )


def test_a_secret_cleared_user_cannot_decrypt_a_confidential_record_even_through_the_library(
    filed_office: Office,
) -> None:
    """Clearance is cryptographic: no key this user holds opens the 机密 record key."""
    record_id = filed_office.records[Level.CONFIDENTIAL]
    with filed_office.open() as archive:
        session = login(archive, "郑秘书", PASSPHRASE)
        assert Level.CONFIDENTIAL not in session.level_keys
        (wrapped,) = archive.conn.execute("SELECT wrapped_key FROM records WHERE record_id = ?", (record_id,)).fetchone()
        for level_key in session.level_keys.values():
            with pytest.raises(IntegrityError):
                unwrap_record_key(level_key, record_id, wrapped)


def test_filing_needs_a_business_role_and_the_level_key(office: Office, tmp_path: Path) -> None:
    source = tmp_path / "letter.txt"
    source.write_text("内容")
    with office.open() as archive:
        for name, level in ((ADMIN, Level.PUBLIC), ("周调查", Level.PUBLIC), ("王文秘", Level.TOP_SECRET)):
            with pytest.raises(PermissionDenied):
                add_records(archive, login(archive, name, PASSPHRASE), [source], case_id="XF-2026-0001",
                            title="标题", kind=parse_kind("letter"), classification=level)
        (count,) = archive.conn.execute("SELECT COUNT(*) FROM records").fetchone()
    assert count == 0


def test_retention_follows_the_schedule_unless_overridden(office: Office, tmp_path: Path) -> None:
    source = tmp_path / "call.txt"
    source.write_text("电话记录")
    with office.open() as archive:
        session = login(archive, "王文秘", PASSPHRASE)
        kind = parse_kind("电话记录")
        (scheduled,) = add_records(archive, session, [source], case_id="XF-2026-0002", title="来电",
                                   kind=kind, classification=Level.INTERNAL, formed=date(2025, 3, 1))
        (overridden,) = add_records(archive, session, [source], case_id="XF-2026-0002", title="来电",
                                    kind=kind, classification=Level.INTERNAL, retention=Retention.PERMANENT)
    assert (scheduled.retention, scheduled.formed) == ("D10", "2025-03-01")
    assert overridden.retention == "Y"


def test_several_files_become_consecutive_records_of_one_case(office: Office, tmp_path: Path) -> None:
    files = []
    for n in range(3):
        files.append(tmp_path / f"page{n}.txt")
        files[-1].write_text(f"第{n}页")
    with office.open() as archive:
        session = login(archive, "王文秘", PASSPHRASE)
        records = add_records(archive, session, files, case_id="XF-2026-0003", title="来信及附件",
                              kind=parse_kind("letter"), classification=Level.SECRET)
        assert [r.record_id for r in records] == ["R-2026-000001", "R-2026-000002", "R-2026-000003"]
        assert [r.record_id for r in list_records(archive, session, "XF-2026-0003")] == [r.record_id for r in records]
        assert list_records(archive, session, "XF-2026-0099") == []
        assert read_record(archive, session, "R-2026-000003")[1] == "第2页".encode()


def test_bad_input_writes_nothing(office: Office, tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_text("内容")
    with office.open() as archive:
        session = login(archive, "王文秘", PASSPHRASE)
        for files, title in (([good, tmp_path / "missing.txt"], "标题"), ([good, tmp_path], "标题"), ([good], " ")):
            with pytest.raises(InvalidInput):
                add_records(archive, session, files, case_id="XF-2026-0001", title=title,
                            kind=parse_kind("letter"), classification=Level.SECRET)
        (count,) = archive.conn.execute("SELECT COUNT(*) FROM records").fetchone()
    assert count == 0
    assert not any((office.path / "records").rglob("*.xfr"))


def test_titles_are_not_stored_in_the_clear(filed_office: Office) -> None:
    conn = sqlite3.connect(filed_office.path / "catalogue.sqlite")
    rows = conn.execute("SELECT * FROM records").fetchall()
    conn.close()
    assert SECRET_TITLE not in repr(rows)
