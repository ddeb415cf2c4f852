"""Tests for archive/need_to_know.py: 回避 — a case naming a user, or the user's unit, is hidden from that user.

The office of ``tests/conftest.py`` gets one colleague per business role with the
same role and clearance as the user who is recused, so every test can show the
case is hidden from exactly the person it names and from nobody else.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from archive import (
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    Role,
    add_account,
    add_records,
    crypto,
    list_accounts,
    list_records,
    parse_kind,
    read_record,
    set_clearance,
    set_unit,
    verify_archive,
)
from archive.accounts import account_digests, find_account
from archive.auditing import list_log_entries
from archive.cases import (
    CaseRegistration,
    ReportedPerson,
    case_visibility,
    list_cases,
    open_case,
    register_case,
    visible_case_ids,
)
from archive.filing import file_case
from archive.need_to_know import comparable, is_recused
from tests.conftest import ADMIN, KDF, OFFICER, PASSPHRASE, Office

CASE, MISSING_CASE = "XF-2026-0004", "XF-2026-0999"
MISSING_RECORD = "R-2026-999999"
REPORTED_UNIT = "某镇人民政府"
OWN_UNIT = "伊金霍洛旗纪委监委"
TITLE = "关于某镇镇长的举报信"
REGISTRAR = "郑秘书"  # a secretary the case does not name: registers it and files its record
# each user the case may name, and a colleague with the same role and clearance whom it does not
COLLEAGUES = {"王文秘": "冯文秘", "孙档案": "陈档案", "吴领导": "何领导"}
COLLEAGUE_ROLES = {"冯文秘": (Role.SECRETARY, Level.CONFIDENTIAL), "陈档案": (Role.ARCHIVIST, Level.CONFIDENTIAL),
                   "何领导": (Role.LEADER, Level.TOP_SECRET)}
REASONS = ("name", "unit")


def add_colleagues(office: Office) -> None:
    """The colleagues of COLLEAGUES, in the office's own unit."""
    with office.open() as archive:
        admin, officer = office.session(archive, ADMIN), office.session(archive, OFFICER)
        for name, (role, level) in COLLEAGUE_ROLES.items():
            add_account(archive, admin, name, [role], PASSPHRASE, KDF, unit=OWN_UNIT)
            set_clearance(archive, officer, name, level)


def register_naming(office: Office, user: str, reason: str, tmp_path: Path) -> str:
    """Register CASE naming ``user`` (by name, or by the unit the user is then given) and file one record in it."""
    if reason == "name":
        reported = ReportedPerson(f" {user[0]} {user[1:]}", unit="某局", post="局长")  # typed with spaces
    else:
        reported = ReportedPerson("李某某", unit=REPORTED_UNIT, post="镇长")
    source = tmp_path / "举报信.txt"
    source.write_text("反映镇长挪用扶贫专项资金", encoding="utf-8")
    with office.open() as archive:
        if reason == "unit":
            set_unit(archive, office.session(archive, ADMIN), user, "某镇　人民政府")  # an ideographic space
        session = office.session(archive, REGISTRAR)
        registration = CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.INTERNAL, summary="反映镇长挪用扶贫专项资金", real_name=False, reported=[reported],
        )
        case_id = register_case(archive, session, registration, today=date(2026, 11, 28)).case_id
        (info,) = add_records(archive, session, [source], case_id=case_id, title=TITLE, kind=parse_kind("letter"),
                              classification=Level.INTERNAL)
    assert case_id == CASE
    return info.record_id


@pytest.fixture
def colleagues(office: Office) -> Office:
    add_colleagues(office)
    return office


def message(error: pytest.ExceptionInfo[NotFound]) -> str:
    return str(error.value)


# --- the rule itself ---------------------------------------------------------------------------


def test_comparable_folds_width_and_drops_every_space() -> None:
    assert comparable(" 王 文秘\u3000") == "王文秘"
    assert comparable("ＸＸ局 办公室") == "XX局办公室"
    assert comparable(None) == comparable("  ") == ""


def _account(office: Office, name: str):
    with office.open() as archive:
        return find_account(archive.conn, name)


def test_a_reported_name_or_unit_recuses_and_nothing_else_does(office: Office) -> None:
    with office.open() as archive:
        set_unit(archive, office.session(archive, ADMIN), "王文秘", REPORTED_UNIT)
    secretary, archivist = _account(office, "王文秘"), _account(office, "孙档案")
    assert secretary.unit == REPORTED_UNIT and archivist.unit is None
    by_name = {"reported": [{"name": "孙 档案", "unit": None}], "petitioners": [], "summary": ""}
    by_unit = {"reported": [{"name": "李某某", "unit": "某镇 人民政府"}], "petitioners": [], "summary": ""}
    as_petitioner = {"reported": [], "petitioners": [{"name": "王文秘", "work_unit": REPORTED_UNIT}], "summary": ""}
    no_unit = {"reported": [{"name": "李某某", "unit": None}], "petitioners": [], "summary": ""}
    assert is_recused(archivist, by_name) and not is_recused(secretary, by_name)
    assert is_recused(secretary, by_unit) and not is_recused(archivist, by_unit)
    assert not is_recused(secretary, as_petitioner)  # 回避 concerns the reported, not who wrote in
    assert not is_recused(archivist, no_unit)  # an unknown unit on either side matches nothing


# --- hidden everywhere, answering as for a case that does not exist -----------------------------


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("user", COLLEAGUES)
def test_the_case_and_its_records_are_hidden_from_the_user_it_names(
    colleagues: Office, tmp_path: Path, user: str, reason: str
) -> None:
    record_id = register_naming(colleagues, user, reason, tmp_path)
    with colleagues.open() as archive:
        session = colleagues.session(archive, user)
        with pytest.raises(NotFound) as hidden_case:
            open_case(archive, session, CASE)
        with pytest.raises(NotFound) as missing_case:
            open_case(archive, session, MISSING_CASE)
        assert message(hidden_case) == message(missing_case).replace(MISSING_CASE, CASE)
        assert CASE not in {case.case_id for case in list_cases(archive, session)}
        assert visible_case_ids(archive, session) == {"XF-2026-0001", "XF-2026-0002", "XF-2026-0003"}
        assert not case_visibility(archive, session)(CASE) and case_visibility(archive, session)("XF-2026-0001")
        with pytest.raises(NotFound) as hidden_record:
            read_record(archive, session, record_id)
        with pytest.raises(NotFound) as missing_record:
            read_record(archive, session, MISSING_RECORD)
        assert message(hidden_record) == message(missing_record).replace(MISSING_RECORD, record_id)
        assert list_records(archive, session, CASE) == list_records(archive, session, MISSING_CASE) == []
        assert record_id not in {info.record_id for info in list_records(archive, session)}
        # the other cases stay visible: 回避 hides the one case, nothing more
        assert {"XF-2026-0001", "XF-2026-0002", "XF-2026-0003"} <= {c.case_id for c in list_cases(archive, session)}


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("user", COLLEAGUES)
def test_a_colleague_with_the_same_role_and_clearance_still_sees_it(
    colleagues: Office, tmp_path: Path, user: str, reason: str
) -> None:
    record_id = register_naming(colleagues, user, reason, tmp_path)
    with colleagues.open() as archive:
        session = colleagues.session(archive, COLLEAGUES[user])
        assert open_case(archive, session, CASE).parties["reported"]
        assert CASE in {case.case_id for case in list_cases(archive, session)}
        assert CASE in visible_case_ids(archive, session) and case_visibility(archive, session)(CASE)
        info, _ = read_record(archive, session, record_id)
        assert info.title == TITLE
        assert [i.record_id for i in list_records(archive, session, CASE)] == [record_id]


def test_filing_answers_a_recused_archivist_as_for_a_missing_case(colleagues: Office, tmp_path: Path) -> None:
    register_naming(colleagues, "孙档案", "unit", tmp_path)
    with colleagues.open() as archive:
        recused = colleagues.session(archive, "孙档案")
        with pytest.raises(NotFound) as hidden:
            file_case(archive, recused, CASE)
        with pytest.raises(NotFound) as missing:
            file_case(archive, recused, MISSING_CASE)
        assert message(hidden) == message(missing).replace(MISSING_CASE, CASE)
        with pytest.raises(Refused, match="尚未结案"):  # the colleague gets as far as the case's state
            file_case(archive, colleagues.session(archive, "陈档案"), CASE)


def test_a_recused_security_officer_sees_no_detail_of_the_cases_records_in_the_log(
    office: Office, tmp_path: Path
) -> None:
    record_id = register_naming(office, "王文秘", "name", tmp_path)

    def details() -> list:
        with office.open() as archive:
            entries = list_log_entries(archive, office.session(archive, OFFICER), record=record_id)
        return [entry.details for entry in entries if entry.action == "record.add"]

    assert details()[0]["title"] == TITLE
    with office.open() as archive:
        set_unit(archive, office.session(archive, ADMIN), OFFICER, REPORTED_UNIT)  # not the reported 王文秘's unit
    assert details()[0]["title"] == TITLE
    with office.open() as archive:
        set_unit(archive, office.session(archive, ADMIN), OFFICER, "某局")  # the reported 王文秘's unit
    assert details() == [None]


def test_investigators_still_see_no_case(office: Office) -> None:
    with office.open() as archive:
        assert list_cases(archive, office.session(archive, "周调查")) == []


# --- the unit: set by the administrator, audited, checked by verify -----------------------------


def test_setting_the_unit_is_logged_and_verify_still_passes(office: Office) -> None:
    with office.open() as archive:
        account = set_unit(archive, office.session(archive, ADMIN), "王文秘", f"  {REPORTED_UNIT} ")
        assert account.unit == REPORTED_UNIT == find_account(archive.conn, "王文秘").unit
        (body,) = [json.loads(b) for (b,) in archive.conn.execute(
            "SELECT body FROM audit_entries WHERE json_extract(body, '$.action') = 'account.unit'")]
        assert body["actor"] == ADMIN and body["info"] == {"name": "王文秘", "from": None, "to": REPORTED_UNIT}
        assert body["digests"] == account_digests(archive.conn, account.account_id)
        summaries = {a.name: a for a in list_accounts(archive, office.session(archive, ADMIN))}
        assert summaries["王文秘"].unit == REPORTED_UNIT and summaries["孙档案"].unit is None
        report = verify_archive(archive, office.session(archive, OFFICER))
    assert report.ok, report.problems


def test_clearing_the_unit_is_logged_and_verify_still_passes(office: Office) -> None:
    with office.open() as archive:
        admin = office.session(archive, ADMIN)
        set_unit(archive, admin, "王文秘", REPORTED_UNIT)
        assert set_unit(archive, admin, "王文秘", None).unit is None
        report = verify_archive(archive, office.session(archive, OFFICER))
    assert report.ok, report.problems


@pytest.mark.parametrize(("before", "after"), [(None, REPORTED_UNIT), (REPORTED_UNIT, "某局"), (REPORTED_UNIT, None)])
def test_a_unit_edited_in_the_catalogue_is_reported_by_verify(office: Office, before: str | None,
                                                               after: str | None) -> None:
    """Whoever edits the catalogue to lift his own 回避 (or impose one on a colleague) is caught."""
    if before is not None:
        with office.open() as archive:
            set_unit(archive, office.session(archive, ADMIN), "孙档案", before)
    with office.raw_catalogue() as conn:
        conn.execute("UPDATE accounts SET unit = ? WHERE name = '孙档案'", (after,))
    with office.open() as archive:
        report = verify_archive(archive, office.session(archive, OFFICER))
    assert not report.ok
    assert [problem.where for problem in report.problems] == ["用户“孙档案”"]


def test_an_account_without_a_unit_keeps_the_profile_digest_of_before_units_existed(office: Office) -> None:
    """Logs written before the unit column existed stay valid: a NULL unit is not part of the profile."""
    with office.open() as archive:
        account_id, name, roles, status, box, sign = archive.conn.execute(
            "SELECT account_id, name, roles, status, box_public, sign_public FROM accounts WHERE name = '孙档案'"
        ).fetchone()
        old_profile = json.dumps([name, roles, status, box.hex(), sign.hex()], ensure_ascii=False)
        assert account_digests(archive.conn, account_id)[f"account:{account_id}"]["profile"] == crypto.sha256_hex(
            old_profile.encode()
        )


def test_an_account_is_created_with_its_unit(office: Office) -> None:
    with office.open() as archive:
        account = add_account(archive, office.session(archive, ADMIN), "冯文秘", [Role.SECRETARY], PASSPHRASE, KDF,
                              unit=REPORTED_UNIT)
        assert account.unit == find_account(archive.conn, "冯文秘").unit == REPORTED_UNIT
        assert office.session(archive, "冯文秘").account.unit == REPORTED_UNIT
        report = verify_archive(archive, office.session(archive, OFFICER))
    assert report.ok, report.problems


@pytest.mark.parametrize("user", ["王文秘", OFFICER, "吴领导", "钱审计"])
def test_only_the_administrator_sets_a_unit(office: Office, user: str) -> None:
    with office.open() as archive:
        with pytest.raises(PermissionDenied, match="系统管理员"):
            set_unit(archive, office.session(archive, user), "王文秘", REPORTED_UNIT)
        assert find_account(archive.conn, "王文秘").unit is None


def test_an_unknown_account_or_a_garbled_unit_is_refused(office: Office) -> None:
    with office.open() as archive:
        admin = office.session(archive, ADMIN)
        with pytest.raises(NotFound, match="王不存在"):
            set_unit(archive, admin, "王不存在", REPORTED_UNIT)
        for bad in ("", "  ", "某镇\x07政府", "局" * 101, "\udcff镇"):
            with pytest.raises(InvalidInput, match="所在单位"):
                set_unit(archive, admin, "王文秘", bad)
        with pytest.raises(InvalidInput, match="所在单位"):
            add_account(archive, admin, "冯文秘", [Role.SECRETARY], PASSPHRASE, KDF, unit="\t")
        assert find_account(archive.conn, "冯文秘") is None
