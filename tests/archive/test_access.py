"""Grants and requests: a grant opens exactly its case, for exactly its investigator, for exactly its time.

The office of tests/conftest.py with one record per level in XF-2026-0001 (内部 cases). 周调查
is an investigator cleared to 秘密; 吴领导 the leader who consents.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import (
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    Role,
    Session,
    add_account,
    list_records,
    login,
    read_record,
    set_clearance,
    verify_archive,
)
from archive.access import (
    PaperConsent,
    approve_request,
    deny_request,
    grant_access,
    list_grants,
    list_requests,
    request_access,
    revoke_grant,
)
from archive.cases import open_case, visible_case_ids
from archive.copies import CopyRequest, issue_copy, list_copies, settle_copy
from tests.conftest import ADMIN, KDF, OFFICER, PASSPHRASE, Office

LEADER, CLERK, INVESTIGATOR, ARCHIVIST = "吴领导", "王文秘", "周调查", "孙档案"
CASE, OTHER = "XF-2026-0001", "XF-2026-0002"


def at(session: Session, moment: datetime) -> Session:
    return replace(session, as_of=moment)


def sees(archive, session: Session) -> tuple[set[str], set[str]]:  # noqa: ANN001
    """The cases and records ``session`` can see."""
    return visible_case_ids(archive, session), {info.record_id for info in list_records(archive, session)}


def test_a_grant_opens_its_case_for_its_user_for_its_time(filed_office: Office) -> None:
    with filed_office.open() as archive:
        leader, investigator = login(archive, LEADER, PASSPHRASE), login(archive, INVESTIGATOR, PASSPHRASE)
        assert sees(archive, investigator) == (set(), set())
        made = grant_access(archive, leader, CASE, to=INVESTIGATOR, days=3, reason="初核需要调阅来信")
        start = datetime.fromisoformat(made.starts_at.replace("Z", "+00:00"))
        records = filed_office.records
        within = at(investigator, start + timedelta(days=2, hours=23))
        assert sees(archive, within) == ({CASE}, {records[Level.INTERNAL], records[Level.SECRET]})  # 秘密 clearance
        assert open_case(archive, within, CASE).parties is not None
        for outside in (start - timedelta(seconds=1), start + timedelta(days=3)):
            assert sees(archive, at(investigator, outside)) == (set(), set())
            with pytest.raises(NotFound, match=f"信访件 {CASE} 不存在，或您无权查看"):
                open_case(archive, at(investigator, outside), CASE)
        with pytest.raises(NotFound):
            open_case(archive, within, OTHER)
        # another investigator of the same clearance gains nothing from it
        add_account(archive, login(archive, ADMIN, PASSPHRASE), "冯调查", [Role.INVESTIGATOR], PASSPHRASE, KDF)
        set_clearance(archive, login(archive, OFFICER, PASSPHRASE), "冯调查", Level.SECRET)
        assert sees(archive, at(login(archive, "冯调查", PASSPHRASE), start + timedelta(days=1))) == (set(), set())


def test_revocation_is_immediate(filed_office: Office) -> None:
    with filed_office.open() as archive:
        leader, investigator = login(archive, LEADER, PASSPHRASE), login(archive, INVESTIGATOR, PASSPHRASE)
        made = grant_access(archive, leader, CASE, to=INVESTIGATOR, days=30, reason="核查")
        assert visible_case_ids(archive, investigator) == {CASE}
        revoked = revoke_grant(archive, leader, made.grant_id)
        assert revoked.state(datetime.now(UTC)) == "revoked" and revoked.revoked_by == LEADER
        assert visible_case_ids(archive, investigator) == set()
        with pytest.raises(Refused, match="已于"):
            revoke_grant(archive, leader, made.grant_id)


def test_an_investigator_receives_content_only_as_a_numbered_copy(filed_office: Office, tmp_path: Path) -> None:
    with filed_office.open() as archive:
        leader, investigator = login(archive, LEADER, PASSPHRASE), login(archive, INVESTIGATOR, PASSPHRASE)
        record = filed_office.records[Level.SECRET]
        delivered: list[bytes] = []

        def render(request: CopyRequest) -> bytes:
            return f"{request.viewer}|{request.reference}|{request.copy_no:03d}|".encode() + request.content

        def export(session: Session, **options: object) -> object:
            return issue_copy(archive, session, record, fmt=options.pop("fmt", "pdf"), render=render,  # type: ignore[arg-type]
                              deliver=delivered.append, **options)  # type: ignore[arg-type]

        with pytest.raises(NotFound, match=f"记录 {record} 不存在，或您无权查看"):
            export(investigator)
        grant = grant_access(archive, leader, CASE, to=INVESTIGATOR, days=5, reason="核查")
        with pytest.raises(PermissionDenied, match="archive export"):
            read_record(archive, investigator, record)
        first = export(investigator)
        assert (first.copy_no, first.viewer, first.grant_id) == (1, INVESTIGATOR, grant.grant_id)
        assert delivered[-1].startswith(f"{INVESTIGATOR}|{record}|001|".encode())
        with pytest.raises(PermissionDenied, match="DOCX"):
            export(investigator, fmt="docx")
        assert export(leader, copy_no=7).copy_no == 7
        assert export(investigator).copy_no == 8
        with pytest.raises(Refused, match="第007份已登记过"):
            export(leader, copy_no=7)
        assert [(e.copy_no, e.viewer) for e in list_copies(archive, leader, record)] == [
            (1, INVESTIGATOR), (7, LEADER), (8, INVESTIGATOR)]
        assert [e.copy_no for e in list_copies(archive, investigator)] == [1, 8]
        settled = settle_copy(archive, login(archive, ARCHIVIST, PASSPHRASE), record, 1, state="returned")
        assert (settled.state, settled.state_by) == ("returned", ARCHIVIST)
        with pytest.raises(PermissionDenied):
            settle_copy(archive, investigator, record, 8, state="destroyed")
        revoke_grant(archive, leader, grant.grant_id)
        with pytest.raises(NotFound):
            export(investigator)
        assert verify_archive(archive, login(archive, "钱审计", PASSPHRASE)).ok


def test_a_request_for_any_id_answers_alike_and_a_leader_decides(filed_office: Office) -> None:
    with filed_office.open() as archive:
        leader, investigator = login(archive, LEADER, PASSPHRASE), login(archive, INVESTIGATOR, PASSPHRASE)
        real = request_access(archive, investigator, CASE, reason="转办函所涉线索")
        absent = request_access(archive, investigator, "XF-2026-0999", reason="转办函所涉线索")
        assert (real.state, absent.state) == ("pending", "pending") and real.reason == "转办函所涉线索"
        assert [r.request_id for r in list_requests(archive, investigator)] == [real.request_id, absent.request_id]
        with pytest.raises(PermissionDenied):
            approve_request(archive, investigator, real.request_id, days=3)
        with pytest.raises(Refused, match="不存在，或您无权查看；请驳回"):
            approve_request(archive, leader, absent.request_id, days=3)
        denied = deny_request(archive, leader, absent.request_id, reason="无此件")
        assert (denied.state, denied.denial, denied.decided_by) == ("denied", "无此件", LEADER)
        grant = approve_request(archive, leader, real.request_id, days=3)
        assert (grant.request_id, grant.grantee, grant.case_id) == (real.request_id, INVESTIGATOR, CASE)
        assert visible_case_ids(archive, investigator) == {CASE}
        with pytest.raises(Refused, match="已于"):
            approve_request(archive, leader, real.request_id, days=3)
        assert [g.grant_id for g in list_grants(archive, investigator)] == [grant.grant_id]


def test_who_may_grant_and_to_whom(filed_office: Office, tmp_path: Path) -> None:
    with filed_office.open() as archive:
        leader, clerk = login(archive, LEADER, PASSPHRASE), login(archive, CLERK, PASSPHRASE)
        with pytest.raises(PermissionDenied):
            grant_access(archive, clerk, CASE, to=INVESTIGATOR, days=3, reason="核查")
        with pytest.raises(InvalidInput, match="不是本档案库中在职的调查员账户"):
            grant_access(archive, leader, CASE, to=CLERK, days=3, reason="核查")
        with pytest.raises(InvalidInput, match="授权天数"):
            grant_access(archive, leader, CASE, to=INVESTIGATOR, days=0, reason="核查")
        add_account(archive, login(archive, ADMIN, PASSPHRASE), "冯调查", [Role.INVESTIGATOR], PASSPHRASE, KDF)
        with pytest.raises(Refused, match="密级授权不含内部"):
            grant_access(archive, leader, CASE, to="冯调查", days=3, reason="核查")
        scan = tmp_path / "审批单.pdf"
        scan.write_bytes(b"%PDF-1.4 a scanned form signed by the leader")
        made = grant_access(archive, clerk, CASE, to=INVESTIGATOR, days=3, reason="核查",
                            paper=PaperConsent(LEADER, scan))
        assert (made.on_paper, made.consented_by, made.recorded_by) == (True, LEADER, CLERK)
        assert read_record(archive, leader, made.scan_record)[1] == scan.read_bytes()
        with pytest.raises(InvalidInput, match="审批人“王文秘”不是"):
            grant_access(archive, clerk, CASE, to=INVESTIGATOR, days=3, reason="核查", paper=PaperConsent(CLERK, scan))


def test_an_edited_grant_is_caught_by_verify(filed_office: Office) -> None:
    with filed_office.open() as archive:
        made = grant_access(archive, login(archive, LEADER, PASSPHRASE), CASE, to=INVESTIGATOR, days=1, reason="核查")
    with filed_office.raw_catalogue() as conn:
        conn.execute("UPDATE access_grants SET expires_at = '2099-01-01T00:00:00Z' WHERE grant_id = ?", (made.grant_id,))
    with filed_office.open() as archive:
        report = verify_archive(archive, login(archive, "钱审计", PASSPHRASE))
    assert [p.where for p in report.problems] == [f"查阅授权 {made.grant_id}"]
    with pytest.raises(sqlite3.IntegrityError):
        with filed_office.raw_catalogue() as conn:
            conn.execute("INSERT INTO access_grants (grant_id, case_id) VALUES ('AG-x', 'nope')")
