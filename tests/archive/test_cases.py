"""Tests for archive/cases.py: registering a petition and reading it back as permitted.

Dates follow the 2026 calendar shipped in chinesecalendar (国庆 10月1日–7日); 2027 has
no package data, so a deadline reaching into it carries a warning until xinfang.toml
lists the year.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from archive import InvalidInput, Level, NotFound, PermissionDenied, login, verify_archive
from archive.cases import (
    CaseRegistration,
    Petitioner,
    ReportedPerson,
    list_cases,
    open_case,
    register_case,
)
from archive.handling import (
    assign_case,
    close_case,
    instruct_case,
    propose_route,
    reply_case,
    report_case,
    review_case,
)
from tests.conftest import ADMIN, CASES, OFFICER, PASSPHRASE, Office

TODAY = date(2026, 11, 28)
VALID_ID = "11010519491231002X"  # the GB 11643-1999 example number: check digit X is right
WRONG_CHECK_DIGIT_ID = "110105194912310021"

CASE_KEYS = {"case_id", "channel", "category", "importance", "received", "deadline", "days_left", "state",
             "real_name", "classification"}
PARTY_KEYS = {"petitioners", "reported", "summary"}


def letter(**changes) -> CaseRegistration:
    """An anonymous 内部 letter received 2026-11-02; ``changes`` replace fields."""
    base = CaseRegistration(
        channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
        classification=Level.INTERNAL, summary="反映某局办公室违规报销差旅费", real_name=False,
    )
    return replace(base, **changes)


def visit(people: int, **changes) -> CaseRegistration:
    """A collective visit of ``people`` with three representatives."""
    return letter(**{"channel": "来访", "people": people, "representatives": 3, **changes})


def register(office: Office, registration: CaseRegistration, *, by: str = "王文秘", today: date = TODAY):
    with office.open() as archive:
        return register_case(archive, office.session(archive, by), registration, today=today)


def append_2027_holidays(office: Office, holidays: list[str]) -> None:
    """What an office does once the State Council publishes 2027: list it in xinfang.toml."""
    listed = ", ".join(f'"{day}"' for day in holidays)
    with open(office.path / "xinfang.toml", "a", encoding="utf-8") as config:
        config.write(f"\n[holidays.2027]\nholidays = [{listed}]\nworkdays = []\n")


# --- numbering -------------------------------------------------------------------------


def test_case_ids_run_per_year_from_one(bare_office: Office) -> None:
    ids = [register(bare_office, letter()).case_id for _ in range(3)]
    assert ids == ["XF-2026-0001", "XF-2026-0002", "XF-2026-0003"]
    next_year = register(bare_office, letter(received=date(2026, 12, 30)), today=date(2027, 1, 4)).case_id
    assert next_year == "XF-2027-0001"
    assert register(bare_office, letter()).case_id == "XF-2026-0004"


def test_a_refused_registration_consumes_no_number(bare_office: Office) -> None:
    assert register(bare_office, letter()).case_id == "XF-2026-0001"
    with pytest.raises(InvalidInput):
        register(bare_office, letter(channel="传真"))
    assert register(bare_office, letter()).case_id == "XF-2026-0002"


# --- handling deadline -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "importance", "deadline"),
    [
        (date(2026, 11, 2), "一般", date(2026, 12, 2)),  # +30 days, a Wednesday
        (date(2026, 11, 5), "一般", date(2026, 12, 7)),  # 12-05 is a Saturday → Monday
        (date(2026, 9, 3), "一般", date(2026, 10, 8)),  # 10-03 inside 国庆 → first working day after
        (date(2026, 6, 1), "重要", date(2026, 8, 31)),  # +90 days = 08-30, a Sunday → Monday
        (date(2026, 8, 1), "重要", date(2026, 10, 30)),  # +90 days, a Friday
    ],
)
def test_handling_deadline_counts_days_and_rolls_past_rest_days(
    bare_office: Office, received: date, importance: str, deadline: date
) -> None:
    registered = register(bare_office, letter(received=received, importance=importance))
    assert registered.deadline == deadline
    assert registered.warnings == []
    with bare_office.open() as archive:
        case = open_case(archive, bare_office.session(archive, "王文秘"), registered.case_id)
        assert case.row["deadline"] == deadline.isoformat()
        assert case.to_json(TODAY)["deadline"] == deadline.isoformat()


def test_a_superior_deadline_earlier_than_ours_is_the_deadline(bare_office: Office) -> None:
    earlier = register(bare_office, letter(above_number="鄂纪信转〔2026〕12号", above_deadline=date(2026, 11, 20)))
    assert earlier.deadline == date(2026, 11, 20)
    later = register(bare_office, letter(above_number="鄂纪信转〔2026〕13号", above_deadline=date(2027, 3, 1)))
    assert later.deadline == date(2026, 12, 2)


def test_a_superior_deadline_without_its_document_number_is_refused(bare_office: Office) -> None:
    with pytest.raises(InvalidInput, match="发文字号"):
        register(bare_office, letter(above_deadline=date(2026, 11, 20)))


def test_a_deadline_into_2027_warns_until_the_year_is_configured(bare_office: Office) -> None:
    # received 2026-12-02 + 30 days = 2027-01-01, a Friday: without data it stands, with a warning
    unconfigured = register(bare_office, letter(received=date(2026, 12, 2)), today=date(2026, 12, 2))
    assert unconfigured.deadline == date(2027, 1, 1)
    assert any("2027" in warning for warning in unconfigured.warnings)

    append_2027_holidays(bare_office, ["2027-01-01"])
    configured = register(bare_office, letter(received=date(2026, 12, 2)), today=date(2026, 12, 2))
    assert configured.deadline == date(2027, 1, 4)  # 元旦 a holiday, then the weekend
    assert configured.warnings == []


def _assign_acknowledged_2026_11_30(office: Office) -> dict:
    """Take XF-2026-0001 to 交办 (纪群字) acknowledged 2026-11-30; the assignment event's data."""
    with office.open() as archive:
        secretary, leader = office.session(archive, "王文秘"), office.session(archive, "吴领导")
        on = date(2026, 11, 30)
        propose_route(archive, secretary, "XF-2026-0001", route="交办", unit="某镇纪委", opinion="建议交办", on=on)
        instruct_case(archive, leader, "XF-2026-0001", text="同意", on=on)
        case = assign_case(archive, secretary, "XF-2026-0001", unit="某镇纪委", series="纪群字", acknowledged=on, on=on)
    return case.events[-1]["data"]


def test_report_due_into_2027_without_holiday_data_warns(office: Office) -> None:
    data = _assign_acknowledged_2026_11_30(office)
    assert data["report_due"] == "2027-03-01"  # 3 months → 2027-02-28, a Sunday → Monday
    assert data["warnings"] and "2027" in data["warnings"][0]


def test_report_due_into_2027_with_an_override_carries_no_warning(office: Office) -> None:
    append_2027_holidays(office, ["2027-01-01"])
    data = _assign_acknowledged_2026_11_30(office)
    assert data["report_due"] == "2027-03-01"
    assert data["warnings"] == []


def test_the_override_decides_2027_rest_days(office: Office) -> None:
    append_2027_holidays(office, ["2027-01-01", "2027-03-01"])
    data = _assign_acknowledged_2026_11_30(office)
    assert data["report_due"] == "2027-03-02"
    assert data["warnings"] == []


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"channel": "传真"}, "来源渠道"),
        ({"category": "咨询"}, "问题类别"),
        ({"importance": "紧急"}, "重要程度"),
        ({"disciplines": ["廉洁", "财经"]}, "违纪类别"),
        ({"summary": "   "}, "内容摘要"),
        ({"received": TODAY + timedelta(days=1)}, "晚于今天"),
        ({"real_name": True}, "信访人"),
        ({"petitioners": [Petitioner("张秀兰")]}, "匿名"),
        ({"people": 0}, "来访人数"),
        ({"representatives": 0}, "代表人数"),
        ({"first_receiver": "不存在的人"}, "首问责任人"),
    ],
)
def test_invalid_registrations_are_refused_naming_the_problem(bare_office: Office, changes: dict, named: str) -> None:
    with pytest.raises(InvalidInput, match=named):
        register(bare_office, letter(**changes))
    with bare_office.open() as archive:
        assert list_cases(archive, bare_office.session(archive, "王文秘")) == []


def test_a_repeat_of_an_unknown_case_is_refused(bare_office: Office) -> None:
    with pytest.raises(NotFound):
        register(bare_office, letter(repeat_of="XF-2026-0099"))


def test_registering_needs_a_registrar_role_and_the_level(bare_office: Office) -> None:
    for name in ("孙档案", "周调查", ADMIN, OFFICER, "钱审计"):
        with pytest.raises(PermissionDenied):
            register(bare_office, letter(), by=name)
    with pytest.raises(PermissionDenied, match="机密"):
        register(bare_office, letter(classification=Level.CONFIDENTIAL), by="郑秘书")
    assert register(bare_office, letter(classification=Level.TOP_SECRET), by="吴领导").case_id == "XF-2026-0001"


# --- warnings --------------------------------------------------------------------------


@pytest.mark.parametrize("representatives", [1, 2, 6, 7])
def test_representatives_outside_three_to_five_warn_but_register(bare_office: Office, representatives: int) -> None:
    registered = register(bare_office, visit(8, representatives=representatives))
    assert registered.case_id == "XF-2026-0001"
    assert [w for w in registered.warnings if "3–5" in w and str(representatives) in w]


@pytest.mark.parametrize("representatives", [3, 4, 5])
def test_three_to_five_representatives_raise_no_warning(bare_office: Office, representatives: int) -> None:
    assert register(bare_office, visit(8, representatives=representatives)).warnings == []


def test_a_large_visit_without_representatives_warns(bare_office: Office) -> None:
    registered = register(bare_office, letter(channel="来访", people=6))
    assert any("代表" in warning for warning in registered.warnings)


def test_an_id_number_with_a_wrong_check_digit_warns_and_is_kept_as_typed(bare_office: Office) -> None:
    petitioner = Petitioner("张秀兰", id_number=WRONG_CHECK_DIGIT_ID)
    registered = register(bare_office, letter(real_name=True, petitioners=[petitioner]))
    assert any("身份证" in warning and "校验" in warning for warning in registered.warnings)
    with bare_office.open() as archive:
        case = open_case(archive, bare_office.session(archive, "王文秘"), registered.case_id)
    assert case.parties["petitioners"][0]["id_number"] == WRONG_CHECK_DIGIT_ID


def test_a_correct_id_number_raises_no_warning(bare_office: Office) -> None:
    petitioner = Petitioner("张秀兰", id_number=VALID_ID)
    assert register(bare_office, letter(real_name=True, petitioners=[petitioner])).warnings == []


# --- major incidents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("people", "to_beijing", "major"),
    [(15, False, True), (30, False, True), (14, False, False), (10, True, True), (9, True, False), (14, True, True)],
)
def test_major_incident_threshold(bare_office: Office, people: int, to_beijing: bool, major: bool) -> None:
    registered = register(bare_office, visit(people, beijing_intent=to_beijing))
    assert registered.major_incident is major
    assert any("重大" in warning for warning in registered.warnings) is major
    with bare_office.open() as archive:
        case = open_case(archive, bare_office.session(archive, "王文秘"), registered.case_id)
    assert bool(case.row["major_incident"]) is major


# --- likely repeats ----------------------------------------------------------------------


def _original(office: Office, **changes) -> str:
    return register(
        office,
        letter(
            real_name=True, petitioners=[Petitioner("张秀兰", phone="13912345678")],
            reported=[ReportedPerson("李建国", unit="某镇人民政府", post="镇长")],
            summary="反映某镇镇长李建国挪用扶贫专项资金修建办公楼", **changes,
        ),
    ).case_id


def test_same_petitioner_is_a_likely_repeat(bare_office: Office) -> None:
    original = _original(bare_office)
    again = register(bare_office, letter(real_name=True, petitioners=[Petitioner("张 秀兰")], summary="反映邻里纠纷"))
    assert again.likely_repeats == [(original, "同一信访人")]


def test_same_reported_person_is_a_likely_repeat(bare_office: Office) -> None:
    original = _original(bare_office)
    again = register(bare_office, letter(reported=[ReportedPerson("李建国")], summary="反映其子女经商办企业"))
    assert again.likely_repeats == [(original, "同一被反映人")]


def test_a_similar_summary_is_a_likely_repeat(bare_office: Office) -> None:
    original = _original(bare_office)
    again = register(bare_office, letter(summary="反映某镇镇长李建国挪用扶贫专项资金修建办公室"))
    assert again.likely_repeats == [(original, "内容相似")]


def test_every_shared_trait_is_named(bare_office: Office) -> None:
    original = _original(bare_office)
    again = register(
        bare_office,
        letter(real_name=True, petitioners=[Petitioner("张秀兰")], reported=[ReportedPerson("李建国")],
               summary="反映某镇镇长李建国挪用扶贫专项资金修建办公楼"),
    )
    assert again.likely_repeats == [(original, "同一信访人、同一被反映人、内容相似")]


def test_an_unrelated_case_is_no_repeat(bare_office: Office) -> None:
    _original(bare_office)
    again = register(bare_office, letter(reported=[ReportedPerson("王某")], summary="建议公开村务账目"))
    assert again.likely_repeats == []


def test_a_repeat_on_a_closed_matter_is_still_flagged(bare_office: Office) -> None:
    """DESIGN: "Repeat petitions on a closed matter: flagged"."""
    original = _original(bare_office)
    with bare_office.open() as archive:
        secretary, leader = bare_office.session(archive, "王文秘"), bare_office.session(archive, "吴领导")
        propose_route(archive, secretary, original, route="自办", opinion="本室核实", on=date(2026, 11, 3))
        instruct_case(archive, leader, original, text="同意", on=date(2026, 11, 4))
        report_file = bare_office.path.parent / "核实报告.txt"
        report_file.write_text("经核实，反映问题不属实。", encoding="utf-8")
        report_case(archive, secretary, original, [report_file], on=date(2026, 11, 10))
        review_case(archive, secretary, original, accept=True, on=date(2026, 11, 11))
        reply_case(archive, secretary, original, mode="电话", text="已告知核实结果", on=date(2026, 11, 12))
        assert close_case(archive, secretary, original, on=date(2026, 11, 13)).state == "closed"
    again = register(bare_office, letter(real_name=True, petitioners=[Petitioner("张秀兰")], summary="对处理结果不满"))
    assert [case_id for case_id, _ in again.likely_repeats] == [original]
    assert "同一信访人" in again.likely_repeats[0][1]


def test_a_case_the_registrar_cannot_see_is_never_shown_as_a_repeat(bare_office: Office) -> None:
    hidden = _original(bare_office, classification=Level.CONFIDENTIAL)  # by 王文秘, cleared 机密
    same = letter(real_name=True, petitioners=[Petitioner("张秀兰")], reported=[ReportedPerson("李建国")],
                  summary="反映某镇镇长李建国挪用扶贫专项资金修建办公楼")
    by_secret_only = register(bare_office, same, by="郑秘书")  # cleared 秘密 only
    assert by_secret_only.likely_repeats == []
    assert hidden not in repr(by_secret_only)
    by_confidential = register(bare_office, same, by="王文秘")
    assert hidden in [case_id for case_id, _ in by_confidential.likely_repeats]


# --- what is stored, and who sees it ------------------------------------------------------


PARTY_DATA = {
    "petitioner name": "欧阳慧琳",
    "ID number": VALID_ID,
    "phone": "13987654321",
    "address": "幸福路十七号院三单元",
    "work unit": "红旗中学后勤处",
    "reported name": "司马长风",
    "reported unit": "青松乡财政所",
    "reported post": "所长兼会计",
    "reported rank": "正股级",
    "summary": "挪用危房改造补助款购置私家车",
}


def _scan(folder: Path) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{what} in {path.name}" for what, text in PARTY_DATA.items() if text.encode() in data]
    return found


def test_party_data_and_summary_are_not_stored_in_the_clear(bare_office: Office) -> None:
    registration = letter(
        real_name=True, classification=Level.SECRET, disciplines=["廉洁"],
        petitioners=[Petitioner(PARTY_DATA["petitioner name"], PARTY_DATA["ID number"], PARTY_DATA["phone"],
                                PARTY_DATA["address"], PARTY_DATA["work unit"])],
        reported=[ReportedPerson(PARTY_DATA["reported name"], PARTY_DATA["reported unit"],
                                 PARTY_DATA["reported post"], PARTY_DATA["reported rank"], party_member=True)],
        summary=f"反映{PARTY_DATA['reported name']}{PARTY_DATA['summary']}",
        above_number="鄂纪信转〔2026〕12号",  # a plain field: proves the scan reads what is stored
    )
    with bare_office.open() as archive:
        registered = register_case(archive, bare_office.session(archive, "王文秘"), registration, today=TODAY)
        catalogue = bare_office.path / "catalogue.sqlite"
        wal = bare_office.path / "catalogue.sqlite-wal"
        assert catalogue.exists()
        raw = catalogue.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert "鄂纪信转〔2026〕12号".encode() in raw
        assert [what for what, text in PARTY_DATA.items() if text.encode() in raw] == []
        assert _scan(bare_office.path) == []
        # ... and yet it is all there for someone cleared to read it
        case = open_case(archive, bare_office.session(archive, "郑秘书"), registered.case_id)
        assert case.parties["petitioners"][0]["address"] == PARTY_DATA["address"]
        assert case.parties["reported"][0]["party_member"] is True
    assert _scan(bare_office.path) == []


@pytest.mark.parametrize("name", ["郑秘书", "周调查", ADMIN, "钱审计"])
def test_an_invisible_case_answers_like_one_that_does_not_exist(bare_office: Office, name: str) -> None:
    hidden = register(bare_office, letter(classification=Level.CONFIDENTIAL)).case_id
    with bare_office.open() as archive:
        session = login(archive, name, PASSPHRASE)
        with pytest.raises(NotFound) as invisible:
            open_case(archive, session, hidden)
        with pytest.raises(NotFound) as absent:
            open_case(archive, session, "XF-2026-0999")
        assert hidden not in [case.case_id for case in list_cases(archive, session)]
    assert str(invisible.value).replace(hidden, "ID") == str(absent.value).replace("XF-2026-0999", "ID")


@pytest.mark.parametrize(
    ("name", "visible"),
    [("吴领导", 4), (OFFICER, 4), ("王文秘", 3), ("孙档案", 3), ("郑秘书", 2), ("周调查", 0), (ADMIN, 0)],
)
def test_listing_shows_the_cases_within_clearance(bare_office: Office, name: str, visible: int) -> None:
    register(bare_office, letter(classification=Level.TOP_SECRET), by="吴领导")
    for level in (Level.INTERNAL, Level.SECRET, Level.CONFIDENTIAL):
        register(bare_office, letter(classification=level))
    with bare_office.open() as archive:
        assert len(list_cases(archive, login(archive, name, PASSPHRASE))) == visible


def test_registered_fields_read_back(bare_office: Office) -> None:
    registration = visit(
        8, representatives=4, real_name=True, classification=Level.SECRET, importance="重要",
        petitioners=[Petitioner("张秀兰", VALID_ID, "13912345678", "幸福路1号", "红旗中学")],
        reported=[ReportedPerson("李建国", "某镇人民政府", "镇长", "正科级", party_member=True)],
        disciplines=["廉洁", "群众"], first_receiver="郑秘书",
        above_number="鄂纪信转〔2026〕12号", above_deadline=date(2027, 1, 20),
    )
    case_id = register(bare_office, registration).case_id
    with bare_office.open() as archive:
        case = open_case(archive, bare_office.session(archive, "吴领导"), case_id)
    assert case.state == "registered" and case.level == Level.SECRET
    assert case.parties["petitioners"] == [
        {"name": "张秀兰", "id_number": VALID_ID, "phone": "13912345678", "address": "幸福路1号", "work_unit": "红旗中学"}
    ]
    assert case.parties["reported"] == [
        {"name": "李建国", "unit": "某镇人民政府", "post": "镇长", "rank": "正科级", "party_member": True}
    ]
    assert case.parties["summary"] == registration.summary
    row = case.row
    assert (row["channel"], row["people"], row["representatives"]) == ("来访", 8, 4)
    assert row["disciplines"].split(",") == ["廉洁", "群众"]
    assert (row["first_receiver"], row["registered_by"]) == ("郑秘书", "王文秘")
    assert (row["above_number"], row["above_deadline"]) == ("鄂纪信转〔2026〕12号", "2027-01-20")


def test_first_receiver_defaults_to_the_registrar(bare_office: Office) -> None:
    case_id = register(bare_office, letter(), by="郑秘书").case_id
    with bare_office.open() as archive:
        assert open_case(archive, bare_office.session(archive, "王文秘"), case_id).row["first_receiver"] == "郑秘书"


def test_a_repeat_records_its_original(office: Office) -> None:
    case_id = register(office, letter(repeat_of=CASES[0])).case_id
    with office.open() as archive:
        assert open_case(archive, office.session(archive, "王文秘"), case_id).row["repeat_of"] == CASES[0]


def test_case_json_has_the_contract_keys_and_parties_only_when_asked(bare_office: Office) -> None:
    registration = letter(real_name=True, classification=Level.SECRET, petitioners=[Petitioner("张秀兰")],
                          reported=[ReportedPerson("李建国")])
    case_id = register(bare_office, registration).case_id
    with bare_office.open() as archive:
        case = open_case(archive, bare_office.session(archive, "王文秘"), case_id)
    public = case.to_json(TODAY, with_parties=False)
    assert set(public) == CASE_KEYS
    assert public == {
        "case_id": case_id, "channel": "来信", "category": "检举", "importance": "一般", "received": "2026-11-02",
        "deadline": "2026-12-02", "days_left": 4, "state": "registered", "real_name": True, "classification": "秘密",
    }
    assert case.to_json(date(2026, 12, 5), with_parties=False)["days_left"] == -3
    full = case.to_json(TODAY, with_parties=True)
    assert set(full) == CASE_KEYS | PARTY_KEYS
    assert full["petitioners"][0]["name"] == "张秀兰"
    assert full["reported"][0]["name"] == "李建国"
    assert full["summary"] == registration.summary


# --- two processes at once ------------------------------------------------------------------

XINFANG = Path(sys.executable).with_name("xinfang")


def test_two_processes_registering_at_once_get_distinct_consecutive_ids(bare_office: Office) -> None:
    received = (date.today() - timedelta(days=1)).isoformat()
    register_args = [str(XINFANG), "case", "register", "--channel", "来信", "--received", received,
                     "--category", "检举", "--importance", "一般", "--anonymous",
                     "--summary", "反映某单位违规发放津贴", "--classification", "内部", "--json"]
    loop = " ".join(f"'{arg}'" for arg in register_args)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XINFANG_")} | {
        "XINFANG_ARCHIVE": str(bare_office.path), "XINFANG_USER": "王文秘", "XINFANG_PASSPHRASE": PASSPHRASE,
        "XINFANG_INSECURE_TEST_KDF": "1",
    }
    script = f"for n in 1 2 3 4 5; do {loop} || exit 1; done"
    processes = [
        subprocess.Popen(["sh", "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
    year = date.today().year
    per_process = [re.findall(r'"case_id": "(XF-\d{4}-\d{4})"', stdout) for stdout, _ in outputs]
    assert [len(ids) for ids in per_process] == [5, 5]
    for ids in per_process:
        assert ids == sorted(ids)
    assert sorted(per_process[0] + per_process[1]) == [f"XF-{year}-{n:04d}" for n in range(1, 11)]
    with bare_office.open() as archive:
        listed = [case.case_id for case in list_cases(archive, bare_office.session(archive, "王文秘"))]
        assert listed == [f"XF-{year}-{n:04d}" for n in range(1, 11)]
        assert verify_archive(archive, bare_office.session(archive, "钱审计")).ok
