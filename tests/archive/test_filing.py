"""归档 through the library: who may file, when, and the 档号 each record gets."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

import archive.filing as filing
from archive import (
    Archive,
    Level,
    PermissionDenied,
    Refused,
    Retention,
    Role,
    add_account,
    add_records,
    list_records,
    login,
    parse_kind,
    set_clearance,
    verify_archive,
)
from archive.cases import open_case
from archive.filing import file_case
from archive.handling import close_case, instruct_case, propose_route
from tests.conftest import ADMIN, KDF, OFFICER, PASSPHRASE, Office

CODE = re.compile(r"^J001-WS·(?P<year>\d{4})-(?P<retention>Y|D30|D10)-XFS-(?P<number>\d{4})$")
ROOT = Path(__file__).resolve().parents[2]


def _file_records(office: Office, tmp_path: Path, case_id: str,
                  items: list[tuple[str, date, Retention]], level: Level = Level.INTERNAL) -> list[str]:
    """Add one record per (title, formed, retention) to the case, as the secretary; their record ids in order."""
    ids = []
    with office.open() as archive:
        session = office.session(archive, "王文秘")
        for n, (title, formed, retention) in enumerate(items):
            source = tmp_path / f"{case_id}-{n}.txt"
            source.write_text(f"{title}的内容", encoding="utf-8")
            (info,) = add_records(archive, session, [source], case_id=case_id, title=title,
                                  kind=parse_kind("evidence"), classification=level, retention=retention,
                                  formed=formed)
            ids.append(info.record_id)
    return ids


def _close(office: Office, case_id: str) -> None:
    """Close an anonymous case the short way: 摘报, the leader's instruction, 结案."""
    with office.open() as archive:
        secretary = office.session(archive, "王文秘")
        leader = office.session(archive, "吴领导")
        propose_route(archive, secretary, case_id, route="摘报", opinion="摘报上级", on=date(2026, 11, 10))
        instruct_case(archive, leader, case_id, text="同意摘报", on=date(2026, 11, 11))
        assert close_case(archive, secretary, case_id, on=date(2026, 11, 12)).state == "closed"


def _file(office: Office, name: str, case_id: str, *, force: bool = False) -> dict[str, str | None]:
    with office.open() as archive:
        return {r.record_id: r.archival_code for r in file_case(archive, office.session(archive, name), case_id,
                                                                 force=force)}


def _codes(office: Office, case_id: str | None = None) -> dict[str, str | None]:
    """What the archivist sees in the catalogue: record id → 档号."""
    with office.open() as archive:
        return {r.record_id: r.archival_code
                for r in list_records(archive, office.session(archive, "孙档案"), case_id)}


def _parts(code: str) -> tuple[int, str, int]:
    match = CODE.match(code)
    assert match, f"档号 {code} 不合 全宗号-门类代码·年度-保管期限-机构代码-件号"
    return int(match["year"]), match["retention"], int(match["number"])


D30 = Retention.THIRTY_YEARS


# --- who may file, and when --------------------------------------------------------------------------


def test_a_case_not_closed_is_refused_and_nothing_is_numbered(office: Office, tmp_path: Path) -> None:
    _file_records(office, tmp_path, "XF-2026-0001", [("来信原件", date(2026, 11, 2), D30)])
    with office.open() as archive, pytest.raises(Refused, match="尚未结案"):
        file_case(archive, office.session(archive, "孙档案"), "XF-2026-0001")
    assert list(_codes(office).values()) == [None]


def test_an_archivist_cannot_force_an_open_case(office: Office, tmp_path: Path) -> None:
    # Forcing is the leader's prerogative; the archivist's --force changes nothing.
    _file_records(office, tmp_path, "XF-2026-0001", [("来信原件", date(2026, 11, 2), D30)])
    with office.open() as archive, pytest.raises(Refused, match="尚未结案"):
        file_case(archive, office.session(archive, "孙档案"), "XF-2026-0001", force=True)
    assert list(_codes(office).values()) == [None]


def test_a_leader_may_force_an_open_case(office: Office, tmp_path: Path) -> None:
    (record_id,) = _file_records(office, tmp_path, "XF-2026-0001", [("来信原件", date(2026, 11, 2), D30)])
    assert _file(office, "吴领导", "XF-2026-0001", force=True) == {record_id: "J001-WS·2026-D30-XFS-0001"}
    with office.open() as archive:
        assert open_case(archive, office.session(archive, "王文秘"), "XF-2026-0001").state == "registered"
    assert _codes(office) == {record_id: "J001-WS·2026-D30-XFS-0001"}


@pytest.mark.parametrize("name", ["王文秘", "吴领导", "周调查", OFFICER])
def test_only_archivists_file_a_closed_case(office: Office, tmp_path: Path, name: str) -> None:
    # A leader files only by forcing; a secretary, an investigator or the security officer not at all.
    _file_records(office, tmp_path, "XF-2026-0001", [("来信原件", date(2026, 11, 2), D30)])
    _close(office, "XF-2026-0001")
    with office.open() as archive, pytest.raises(PermissionDenied):
        file_case(archive, office.session(archive, name), "XF-2026-0001")
    assert list(_codes(office).values()) == [None]


def test_a_secretary_cannot_file_even_with_force(office: Office, tmp_path: Path) -> None:
    _file_records(office, tmp_path, "XF-2026-0001", [("来信原件", date(2026, 11, 2), D30)])
    with office.open() as archive, pytest.raises(PermissionDenied):
        file_case(archive, office.session(archive, "王文秘"), "XF-2026-0001", force=True)


def test_an_archivist_below_a_records_level_cannot_file_the_case(office: Office, tmp_path: Path) -> None:
    _add_archivist(office, "冯档案", Level.SECRET)
    _file_records(office, tmp_path, "XF-2026-0001", [("来信原件", date(2026, 11, 2), D30)])
    _file_records(office, tmp_path, "XF-2026-0001", [("核查材料", date(2026, 11, 3), D30)], level=Level.CONFIDENTIAL)
    _close(office, "XF-2026-0001")
    with office.open() as archive, pytest.raises(PermissionDenied, match="超出您的密级授权"):
        file_case(archive, office.session(archive, "冯档案"), "XF-2026-0001")
    assert list(_codes(office).values()) == [None, None]  # not half a case


def test_a_case_with_no_records_is_refused(office: Office) -> None:
    _close(office, "XF-2026-0001")
    with office.open() as archive, pytest.raises(Refused):
        file_case(archive, office.session(archive, "孙档案"), "XF-2026-0001")


# --- the 档号 ------------------------------------------------------------------------------------------


def test_archival_code_format() -> None:
    with pytest.raises(AssertionError):  # the pattern itself rejects a three-digit 件号
        _parts("J001-WS·2026-D30-XFS-007")
    assert _parts("J001-WS·2026-D30-XFS-0007") == (2026, "D30", 7)


def test_items_of_a_case_are_numbered_consecutively_in_order_of_formation(office: Office, tmp_path: Path) -> None:
    # Added out of order: the record added last was formed first and must be item 0001.
    late, middle, early = _file_records(office, tmp_path, "XF-2026-0001", [
        ("调查笔录", date(2026, 11, 20), D30),
        ("核查报告", date(2026, 11, 10), D30),
        ("来信原件", date(2026, 11, 2), D30),
    ])
    _close(office, "XF-2026-0001")
    filed = _file(office, "孙档案", "XF-2026-0001")
    assert filed == {
        early: "J001-WS·2026-D30-XFS-0001",
        middle: "J001-WS·2026-D30-XFS-0002",
        late: "J001-WS·2026-D30-XFS-0003",
    }
    assert _codes(office, "XF-2026-0001") == filed


def test_a_second_case_continues_the_series(office: Office, tmp_path: Path) -> None:
    first = _file_records(office, tmp_path, "XF-2026-0001", [("来信", date(2026, 11, 2), D30),
                                                              ("笔录", date(2026, 11, 3), D30)])
    second = _file_records(office, tmp_path, "XF-2026-0002", [("来信", date(2026, 11, 1), D30),
                                                               ("笔录", date(2026, 11, 4), D30)])
    for case_id in ("XF-2026-0001", "XF-2026-0002"):
        _close(office, case_id)
    _file(office, "孙档案", "XF-2026-0001")
    _file(office, "孙档案", "XF-2026-0002")
    codes = _codes(office)
    # One case, one file: the second case's items follow the first's, even one formed earlier.
    assert [_parts(codes[r])[2] for r in first] == [1, 2]
    assert [_parts(codes[r])[2] for r in second] == [3, 4]


def test_each_retention_period_has_its_own_series(office: Office, tmp_path: Path) -> None:
    ids = _file_records(office, tmp_path, "XF-2026-0001", [
        ("来信原件", date(2026, 11, 2), D30),
        ("电话记录", date(2026, 11, 3), Retention.TEN_YEARS),
        ("办理结果报告", date(2026, 11, 4), Retention.PERMANENT),
        ("证据材料", date(2026, 11, 5), D30),
        ("回访记录", date(2026, 11, 6), Retention.TEN_YEARS),
    ])
    _close(office, "XF-2026-0001")
    filed = _file(office, "孙档案", "XF-2026-0001")
    assert [filed[r] for r in ids] == [
        "J001-WS·2026-D30-XFS-0001",
        "J001-WS·2026-D10-XFS-0001",
        "J001-WS·2026-Y-XFS-0001",
        "J001-WS·2026-D30-XFS-0002",
        "J001-WS·2026-D10-XFS-0002",
    ]


def test_the_year_is_the_year_the_item_was_formed(office: Office, tmp_path: Path) -> None:
    old, new = _file_records(office, tmp_path, "XF-2026-0001", [
        ("前一年形成的材料", date(2025, 12, 20), D30),
        ("来信原件", date(2026, 11, 2), D30),
    ])
    _close(office, "XF-2026-0001")
    filed = _file(office, "孙档案", "XF-2026-0001")
    # 2025 and 2026 are separate series: each starts at 0001.
    assert filed == {old: "J001-WS·2025-D30-XFS-0001", new: "J001-WS·2026-D30-XFS-0001"}


def test_filing_twice_allocates_nothing_new(office: Office, tmp_path: Path) -> None:
    first = _file_records(office, tmp_path, "XF-2026-0001", [("来信", date(2026, 11, 2), D30),
                                                              ("笔录", date(2026, 11, 3), D30)])
    _close(office, "XF-2026-0001")
    once = _file(office, "孙档案", "XF-2026-0001")
    twice = _file(office, "孙档案", "XF-2026-0001")
    assert once == twice == {first[0]: "J001-WS·2026-D30-XFS-0001", first[1]: "J001-WS·2026-D30-XFS-0002"}
    # The series did not move either: the next case continues at 0003, no gap.
    (next_record,) = _file_records(office, tmp_path, "XF-2026-0002", [("来信", date(2026, 11, 4), D30)])
    _close(office, "XF-2026-0002")
    assert _file(office, "孙档案", "XF-2026-0002") == {next_record: "J001-WS·2026-D30-XFS-0003"}


def test_records_added_after_filing_are_numbered_when_filed_again(office: Office, tmp_path: Path) -> None:
    (first,) = _file_records(office, tmp_path, "XF-2026-0001", [("来信", date(2026, 11, 2), D30)])
    _close(office, "XF-2026-0001")
    _file(office, "孙档案", "XF-2026-0001")
    (late,) = _file_records(office, tmp_path, "XF-2026-0001", [("补充材料", date(2026, 11, 25), D30)])
    assert _file(office, "孙档案", "XF-2026-0001") == {
        first: "J001-WS·2026-D30-XFS-0001", late: "J001-WS·2026-D30-XFS-0002",
    }


def test_verify_passes_after_filing(office: Office, tmp_path: Path) -> None:
    # The 档号 is part of each record's catalogue digest: filing must re-log it, or verify would flag every row.
    _file_records(office, tmp_path, "XF-2026-0001", [("来信", date(2026, 11, 2), D30),
                                                     ("电话记录", date(2026, 11, 3), Retention.TEN_YEARS)])
    _close(office, "XF-2026-0001")
    _file(office, "孙档案", "XF-2026-0001")
    with office.open() as archive:
        report = verify_archive(archive, office.session(archive, "钱审计"))
    assert report.ok, report.problems
    assert report.records_checked == 2


def test_verify_notices_a_code_edited_behind_the_archives_back(office: Office, tmp_path: Path) -> None:
    # The counterpart of the test above: the digests logged at filing really cover the 档号.
    (record_id,) = _file_records(office, tmp_path, "XF-2026-0001", [("来信", date(2026, 11, 2), D30)])
    _close(office, "XF-2026-0001")
    _file(office, "孙档案", "XF-2026-0001")
    with office.open() as archive:
        archive.conn.execute("UPDATE records SET archival_code = 'J001-WS·2026-D30-XFS-0099' WHERE record_id = ?",
                             (record_id,))
        report = verify_archive(archive, office.session(archive, "钱审计"))
    assert not report.ok


# --- two archivists at once ----------------------------------------------------------------------------


def _add_archivist(office: Office, name: str, level: Level) -> None:
    with office.open() as archive:
        add_account(archive, login(archive, ADMIN, PASSPHRASE), name, [Role.ARCHIVIST], PASSPHRASE, KDF)
        set_clearance(archive, login(archive, OFFICER, PASSPHRASE), name, level)


def test_two_archivists_filing_at_the_same_moment_get_distinct_gapless_numbers(office: Office, tmp_path: Path) -> None:
    _add_archivist(office, "冯档案", Level.CONFIDENTIAL)
    cases = {"XF-2026-0001": "孙档案", "XF-2026-0002": "冯档案"}
    for case_id in cases:
        _file_records(office, tmp_path, case_id, [(f"材料{n}", date(2026, 11, n + 1), D30) for n in range(4)])
        _close(office, case_id)
    processes = {
        case_id: subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "xinfang"), "archive", "file", case_id, "--json"],
            env=os.environ | {"XINFANG_INSECURE_TEST_KDF": "1", "XINFANG_ARCHIVE": str(office.path),
                              "XINFANG_USER": name, "XINFANG_PASSPHRASE": PASSPHRASE},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        for case_id, name in cases.items()
    }
    outputs = {case_id: process.communicate(timeout=120) for case_id, process in processes.items()}
    for case_id, process in processes.items():
        assert process.returncode == 0, outputs[case_id][1]
    numbers = {}
    for case_id, (stdout, _) in outputs.items():
        records = json.loads(stdout)["records"]
        assert len(records) == 4
        numbers[case_id] = sorted(_parts(r["archival_code"])[2] for r in records)
        # One case, one file: each case's items stand together.
        assert numbers[case_id] == list(range(numbers[case_id][0], numbers[case_id][0] + 4))
    assert sorted(numbers["XF-2026-0001"] + numbers["XF-2026-0002"]) == list(range(1, 9))
    assert sorted(_parts(code)[2] for code in _codes(office).values() if code) == list(range(1, 9))


def test_filing_the_same_case_from_two_sessions_at_once_numbers_each_record_once(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two archivists press "file" on the same case at once.  Replay the interleaving deterministically:
    # the second one's whole filing happens after the first has read the case's rows but before it
    # takes the write lock.  Each record must still get exactly one 件号, and the series no gap.
    _add_archivist(office, "冯档案", Level.CONFIDENTIAL)
    ids = _file_records(office, tmp_path, "XF-2026-0001", [("来信", date(2026, 11, 2), D30),
                                                           ("笔录", date(2026, 11, 3), D30)])
    _close(office, "XF-2026-0001")
    real_list_records = filing.list_records
    interleaved = []

    def list_then_let_the_other_file(archive: Archive, session, case_id=None):
        if not interleaved:
            interleaved.append(True)
            _file(office, "冯档案", "XF-2026-0001")
        return real_list_records(archive, session, case_id)

    monkeypatch.setattr(filing, "list_records", list_then_let_the_other_file)
    first = _file(office, "孙档案", "XF-2026-0001")
    monkeypatch.undo()
    assert interleaved
    assert first == _codes(office, "XF-2026-0001") == {
        ids[0]: "J001-WS·2026-D30-XFS-0001", ids[1]: "J001-WS·2026-D30-XFS-0002",
    }
    (next_record,) = _file_records(office, tmp_path, "XF-2026-0002", [("来信", date(2026, 11, 4), D30)])
    _close(office, "XF-2026-0002")
    assert _file(office, "孙档案", "XF-2026-0002") == {next_record: "J001-WS·2026-D30-XFS-0003"}
    with office.open() as archive:
        assert verify_archive(archive, office.session(archive, "钱审计")).ok
