"""The issuing cycle through the library: numbers, the leak gate, sign-off, copies, voiding, reminders, PDFs.

Every test starts from a copy of the office of ``conftest.py`` and checks what a
secretary or an inspector would check: the files written, the records filed,
the 发文登记簿, and the numbers the next document gets.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from archive import (
    Archive,
    InvalidInput,
    Level,
    NotFound,
    Refused,
    Role,
    Session,
    add_account,
    list_records,
    login,
    set_clearance,
)
from archive.accounts import disable_account
from archive.cases import open_case
from archive.dispatch import find_dispatch, list_dispatches, void_dispatch
from archive.numbering import allocate_document_number, format_draft_id
from archive.records import read_record
from archive.redaction import LeakBlocked
from archive.supervision import cases_due
from generators import ConverterMissing, find_soffice
from generators.errors import DraftChanged, GlyphMissing, InvalidFields
from generators.fonts import font_map
from generators.issuing import DraftResult, Issued, Reminders, SignOff, draft_reminders, generate_draft, issue_drafts
from generators.layout import format_date
from tests.conftest import ADMIN, KDF, PASSPHRASE, Office
from tests.generators.conftest import (
    ADDRESS,
    ANONYMOUS,
    DUE_DAY,
    LEADER,
    NO_SUMMARY,
    PETITIONER,
    PHONE,
    REAL,
    REPORTED_UNIT,
    REQUIRED,
    SECRETARY,
    SUMMARY,
    SUMMARY_OUT,
    TODAY,
    UNIT,
    YEAR,
    all_text,
    copy_town,
    header_texts,
    paragraphs,
)

HOSTILE = 'A&B <b>粗</b> "双引号" \'单引号\' {{ 7*7 }} {% raw %}'
LONG = "信访举报" * 500  # 2,000 characters in one paragraph
SIGNED_ON = format_date(TODAY)


@dataclass
class Desk:
    """The open archive with the secretary and the leader logged in, and the folder documents go to."""

    archive: Archive
    secretary: Session
    leader: Session
    out: Path

    def draft(self, kind: str, case: str = REAL, **given: str) -> DraftResult:
        return generate_draft(self.archive, self.secretary, kind, case, {**REQUIRED[kind], **given}, self.out / "草稿")

    def issue(self, *drafts: DraftResult | str, sign_off: SignOff | None = None, copies: int = 1,
              pdf: bool = False) -> list[Issued]:
        names = [d.draft.draft_id if isinstance(d, DraftResult) else d for d in drafts]
        return issue_drafts(self.archive, self.secretary, names, sign_off or SignOff(LEADER, TODAY, self.leader),
                            self.out / "发文", copies=copies, pdf=pdf)

    def numbers(self) -> list[str]:
        return [d.document_number for d in list_dispatches(self.archive, self.secretary)]

    def records(self, case: str = REAL) -> list[str]:
        return [r.record_id for r in list_records(self.archive, self.secretary, case)]

    def content(self, record_id: str) -> bytes:
        return read_record(self.archive, self.secretary, record_id)[1]


@pytest.fixture
def desk(town: Office, tmp_path: Path) -> Iterator[Desk]:
    with town.open() as archive:
        yield Desk(archive, login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE), tmp_path / "out")


def number(series: str, n: int) -> str:
    return f"伊纪{series}字〔{YEAR}〕{n}号"


def printed_files(desk: Desk) -> list[str]:
    folder = desk.out / "发文"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --------------------------------------------------------------------------- numbers


def test_a_draft_uses_no_number(desk: Desk) -> None:
    drafts = [desk.draft("forward", ANONYMOUS) for _ in range(3)]
    assert [d.draft.draft_id for d in drafts] == [format_draft_id(YEAR, n) for n in (1, 2, 3)]
    assert desk.numbers() == []
    (issued,) = desk.issue(drafts[2])
    assert issued.dispatch.document_number == number("信", 1)
    assert issued.dispatch.draft_id == drafts[2].draft.draft_id


def test_numbers_are_consecutive_within_a_series_and_separate_between_series(desk: Desk) -> None:
    def issue(*kinds: str) -> list[str]:
        return [d.dispatch.document_number for d in desk.issue(*(desk.draft(kind, ANONYMOUS) for kind in kinds))]

    got = issue("forward") + issue("hearing-minutes", "forward")
    assert got == [number("信", 1), number("听", 1), number("信", 2)]
    register = list_dispatches(desk.archive, desk.secretary)
    assert sorted((d.series, d.year, d.number) for d in register) == [
        ("伊纪信字", YEAR, 1), ("伊纪信字", YEAR, 2), ("伊纪听字", YEAR, 1)]


def test_document_numbers_run_per_series_and_year_and_a_rolled_back_one_is_not_lost(desk: Desk) -> None:
    conn = desk.archive.conn
    with pytest.raises(RuntimeError):
        allocate_document_number(conn, "伊纪群字", 2026)  # only inside a write transaction
    with desk.archive.act(desk.secretary):
        assert [allocate_document_number(conn, "伊纪群字", 2026) for _ in range(3)] == [1, 2, 3]
        assert allocate_document_number(conn, "伊纪群字", 2027) == 1
        assert allocate_document_number(conn, "伊纪信字", 2026) == 1
    with pytest.raises(RuntimeError, match="打印机卡纸"), desk.archive.act(desk.secretary):
        assert allocate_document_number(conn, "伊纪群字", 2026) == 4
        raise RuntimeError("打印机卡纸")  # whatever fails later in the same transaction
    with desk.archive.act(desk.secretary):
        assert allocate_document_number(conn, "伊纪群字", 2026) == 4
        assert allocate_document_number(conn, "伊纪群字", 2027) == 2


def test_a_void_leaves_a_recorded_gap_and_the_number_is_never_given_again(desk: Desk) -> None:
    issued = desk.issue(desk.draft("forward", ANONYMOUS), desk.draft("forward", ANONYMOUS))
    first, second = (d.dispatch.document_number for d in issued)
    voided = void_dispatch(desk.archive, desk.secretary, second, "主送单位有误，重新发文")
    assert (voided.document_number, voided.voided_by, voided.void_reason) == (second, SECRETARY, "主送单位有误，重新发文")
    assert voided.voided_at is not None
    (third,) = desk.issue(desk.draft("forward", ANONYMOUS))
    assert third.dispatch.document_number == number("信", 3)
    register = {d.document_number: d for d in list_dispatches(desk.archive, desk.secretary)}
    assert list(register) == [first, second, third.dispatch.document_number]
    assert [(n, d.void_reason) for n, d in register.items() if d.voided_at] == [(second, "主送单位有误，重新发文")]
    assert register[second].records and set(register[second].records) <= set(desk.records(ANONYMOUS))  # still filed


def test_a_void_needs_a_reason_a_registered_number_and_happens_once(desk: Desk) -> None:
    (issued,) = desk.issue(desk.draft("forward", ANONYMOUS))
    issued_number = issued.dispatch.document_number
    with pytest.raises(InvalidInput, match="作废理由"):
        void_dispatch(desk.archive, desk.secretary, issued_number, "  ")
    with pytest.raises(NotFound, match="不在发文登记簿中"):
        void_dispatch(desk.archive, desk.secretary, number("信", 9), "编错了")
    assert find_dispatch(desk.archive, desk.secretary, issued_number).voided_at is None
    void_dispatch(desk.archive, desk.secretary, issued_number, "主送单位有误")
    with pytest.raises(Refused, match="已于.*作废"):
        void_dispatch(desk.archive, desk.secretary, issued_number, "再次作废")
    assert find_dispatch(desk.archive, desk.secretary, issued_number).void_reason == "主送单位有误"


# --------------------------------------------------------------------------- identities (摘要转出，不许原件转出)


def test_an_assignment_of_a_real_name_case_carries_only_the_summary_out(desk: Desk) -> None:
    draft = desk.draft("assignment")
    (issued,) = desk.issue(draft)
    (printed,) = issued.paths
    master, signed = (desk.content(r.record_id) for r in issued.records)
    for document in (draft.path.read_bytes(), printed.read_bytes(), master, signed):
        text = all_text(document)
        assert SUMMARY_OUT in text
        for secret in (SUMMARY, PETITIONER, PHONE, ADDRESS, "张秀"):  # in no part: body, headers, docProps
            assert secret not in text, secret


def test_a_real_name_case_without_a_summary_out_cannot_be_drafted_as_an_assignment(desk: Desk) -> None:
    with pytest.raises(InvalidFields) as caught:
        desk.draft("assignment", NO_SUMMARY)
    (problem,) = caught.value.problems
    assert problem.startswith("缺少反映的主要问题（转出摘要）（matter）") and "署实名件只能用转出摘要" in problem
    assert not desk.out.exists()
    assert desk.archive.conn.execute("SELECT count(*) FROM drafts").fetchone() == (0,)


@pytest.mark.parametrize(("kind", "given"), [
    ("assignment", {"matter": f"信访人{PETITIONER}反映镇长挪用扶贫专项资金。"}),
    ("forward", {"matter": f"请与举报人联系，电话{PHONE}。"}),
    ("talk-notice", {"bring": f"{PETITIONER}的举报信复印件"}),
    ("supervision", {"trigger": f"举报人住{ADDRESS}，多次来访。"}),
])
def test_a_leaked_identity_is_drafted_with_a_warning_but_never_issued(desk: Desk, kind: str,
                                                                     given: dict[str, str]) -> None:
    leaky = desk.draft(kind, **given)
    (warning,) = leaky.warnings
    assert "身份信息" in warning and "不能签发" in warning
    assert leaky.path.is_file()
    with pytest.raises(LeakBlocked, match="身份信息"):
        desk.issue(leaky)
    assert desk.numbers() == [] and printed_files(desk) == []


def test_a_batch_with_one_leaking_letter_issues_nothing_and_uses_no_number(desk: Desk) -> None:
    before = desk.records()
    leaky = desk.draft("assignment", matter=f"信访人{PETITIONER}（{PHONE}）反映镇长挪用扶贫专项资金。")
    with pytest.raises(LeakBlocked):
        desk.issue(desk.draft("assignment"), leaky)
    assert desk.numbers() == [] and desk.records() == before and printed_files(desk) == []
    (clean,) = desk.issue(desk.draft("assignment"))
    assert clean.dispatch.document_number == number("群", 1)


def test_a_notice_may_name_its_petitioner_but_not_give_her_phone(desk: Desk) -> None:
    notice = desk.draft("notice-accept")
    assert notice.warnings == []
    (issued,) = desk.issue(notice)
    assert f"{PETITIONER}：" in paragraphs(issued.paths[0].read_bytes())
    careless = desk.draft("notice-decline", reason=f"请拨打{PHONE}咨询")
    assert careless.warnings
    with pytest.raises(LeakBlocked, match="手机号"):
        desk.issue(careless)
    assert desk.numbers() == [number("告", 1)]


# --------------------------------------------------------------------------- rendering what people type


def test_markup_characters_quotes_braces_and_long_paragraphs_arrive_as_typed(desk: Desk) -> None:
    reply = desk.draft("reply", facts=f"{HOSTILE}\n{LONG}", request="{{ title }}")
    minutes = desk.draft("hearing-minutes", matter=HOSTILE)
    form = desk.draft("talk-form", matters=HOSTILE, answers=LONG)
    (issued,) = desk.issue(reply)
    documents = [d.path.read_bytes() for d in (reply, minutes, form)] + [issued.paths[0].read_bytes()]
    for document in documents:
        text = paragraphs(document)
        assert HOSTILE in text or f"关于{HOSTILE}的听证会议纪要" in text
        assert not any("49" in p for p in text)
        leftovers = all_text(document).replace("{{ 7*7 }}", "").replace("{% raw %}", "").replace("{{ title }}", "")
        assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#", leftovers)
    for document in (documents[0], documents[3]):
        text = paragraphs(document)
        assert LONG in text and "{{ title }}" in text and HOSTILE in text
    assert LONG in paragraphs(documents[2])


# --------------------------------------------------------------------------- sign-off


def test_the_signer_must_be_an_active_leader(desk: Desk) -> None:
    admin = login(desk.archive, ADMIN, PASSPHRASE)
    add_account(desk.archive, admin, "郑领导", [Role.LEADER], PASSPHRASE, KDF)
    departed = login(desk.archive, "郑领导", PASSPHRASE)
    disable_account(desk.archive, admin, "郑领导")
    draft = desk.draft("assignment")
    for signer, session in ((SECRETARY, desk.secretary), ("郑领导", departed), ("孙书记", desk.leader)):
        with pytest.raises(InvalidInput, match=f"签发人“{signer}”不是本档案库中在职的领导账户"):
            desk.issue(draft, sign_off=SignOff(signer, TODAY, session))
    assert desk.numbers() == []


def test_a_leader_from_the_reported_unit_may_not_sign_a_letter_on_the_case(desk: Desk) -> None:
    admin, officer = login(desk.archive, ADMIN, PASSPHRASE), login(desk.archive, "赵保密", PASSPHRASE)
    add_account(desk.archive, admin, "马领导", [Role.LEADER], PASSPHRASE, KDF, unit=REPORTED_UNIT)
    set_clearance(desk.archive, officer, "马领导", Level.TOP_SECRET)
    draft = desk.draft("assignment")
    with pytest.raises(Refused, match="签发人 马领导 无权查阅草稿 .* 所涉信访件"):
        desk.issue(draft, sign_off=SignOff("马领导", TODAY, login(desk.archive, "马领导", PASSPHRASE)))
    assert desk.numbers() == []


def test_a_secretary_needs_the_leaders_own_session_or_a_paper_form(desk: Desk) -> None:
    draft = desk.draft("forward", ANONYMOUS)
    for session in (None, desk.secretary):
        with pytest.raises(Refused, match="吴领导 本人登录确认.*--signed-on-paper"):
            desk.issue(draft, sign_off=SignOff(LEADER, TODAY, session))
    assert desk.numbers() == [] and printed_files(desk) == []
    (issued,) = desk.issue(draft, sign_off=SignOff(LEADER, TODAY, desk.leader))
    assert (issued.dispatch.signer, issued.dispatch.issued_by, issued.dispatch.on_paper) == (LEADER, SECRETARY, False)


def test_a_paper_sign_off_is_flagged_and_its_scan_filed_once_per_case(desk: Desk) -> None:
    scan = desk.out / "签发单.pdf"
    scan.parent.mkdir(parents=True, exist_ok=True)
    scan.write_bytes(b"%PDF-1.4 scan of the signed form")
    issued = desk.issue(desk.draft("assignment"), desk.draft("notice-accept"),
                        sign_off=SignOff(LEADER, TODAY, paper_scan=scan))
    assert [i.dispatch.on_paper for i in issued] == [True, True]
    assert [d.on_paper for d in list_dispatches(desk.archive, desk.secretary)] == [True, True]
    kinds = [[r.kind for r in i.records] for i in issued]
    assert kinds == [["assignment", "signed-draft", "sign-off-scan"], ["notice-accept", "signed-draft"]]
    assert desk.content(issued[0].records[2].record_id) == scan.read_bytes()
    (mark,) = set(header_texts(desk.content(issued[0].records[1].record_id)))
    assert mark.startswith(f"定稿　签发：{LEADER}　{SIGNED_ON}") and mark.endswith("（纸质签发单）")


def test_an_empty_scan_is_no_paper_form(desk: Desk) -> None:
    scan = desk.out / "空.pdf"
    scan.parent.mkdir(parents=True, exist_ok=True)
    scan.write_bytes(b"")
    with pytest.raises(InvalidInput, match="空文件"):
        desk.issue(desk.draft("assignment"), sign_off=SignOff(LEADER, TODAY, paper_scan=scan))
    assert desk.numbers() == []


def test_a_sign_off_date_in_the_future_or_before_the_draft_is_refused(desk: Desk) -> None:
    draft = desk.draft("assignment")
    with pytest.raises(InvalidInput, match="晚于今天"):
        desk.issue(draft, sign_off=SignOff(LEADER, TODAY + timedelta(days=1), desk.leader))
    with pytest.raises(InvalidInput, match="早于草稿"):
        desk.issue(draft, sign_off=SignOff(LEADER, date(2026, 1, 5), desk.leader))
    assert desk.numbers() == []


def test_the_signed_draft_is_filed_with_the_original_under_the_mark_of_the_signer(desk: Desk) -> None:
    (issued,) = desk.issue(desk.draft("assignment"))
    master, signed = issued.records
    assert (master.kind, signed.kind) == ("assignment", "signed-draft")
    assert (master.case_id, master.classification, master.formed) == (REAL, "秘密", TODAY.isoformat())
    assert master.title == f"{number('群', 1)} 关于交办信访举报件的函"
    assert signed.title == f"{number('群', 1)} 关于交办信访举报件的函（定稿）"
    assert issued.dispatch.records == [master.record_id, signed.record_id]
    signed_text = desk.content(signed.record_id)
    assert set(header_texts(signed_text)) == {f"定稿　签发：吴领导　{SIGNED_ON}"}
    assert number("群", 1) in "".join(paragraphs(signed_text))
    assert set(header_texts(desk.content(master.record_id))) == {""}


def test_a_classified_document_is_printed_once_per_copy_number(desk: Desk) -> None:
    (issued,) = desk.issue(desk.draft("assignment"), copies=3)
    assert [p.name for p in issued.paths] == [f"{number('群', 1)}交办函-份号00000{n}.docx" for n in (1, 2, 3)]
    firsts = [paragraphs(p.read_bytes())[0] for p in issued.paths]
    assert [re.match(r"\d{6}", first)[0] for first in firsts] == ["000001", "000002", "000003"]
    assert issued.dispatch.copies == 3 and len(issued.records) == 2  # the copies are printed, not filed


def test_an_internal_document_is_printed_as_one_file_without_a_copy_number(desk: Desk) -> None:
    (issued,) = desk.issue(desk.draft("forward", ANONYMOUS))
    assert [p.name for p in issued.paths] == [f"{number('信', 1)}转办函.docx"]
    text = paragraphs(issued.paths[0].read_bytes())
    assert not any(re.match(r"\d{6}", p) for p in text) and number("信", 1) in text
    assert issued.dispatch.classification == "内部"


@pytest.mark.parametrize("copies", [0, 1000])
def test_copies_must_be_between_one_and_999(desk: Desk, copies: int) -> None:
    with pytest.raises(InvalidInput, match="1 至 999"):
        desk.issue(desk.draft("assignment"), copies=copies)


def test_a_draft_is_issued_once(desk: Desk) -> None:
    draft = desk.draft("forward", ANONYMOUS)
    desk.issue(draft)
    with pytest.raises(Refused, match=f"已签发为 {re.escape(number('信', 1))}"):
        desk.issue(draft)
    with pytest.raises(Refused):
        desk.issue(desk.draft("forward", ANONYMOUS), draft)
    assert desk.numbers() == [number("信", 1)]


def test_an_edited_draft_file_is_refused_and_the_untouched_one_accepted(desk: Desk) -> None:
    draft = desk.draft("assignment")
    edited = desk.out / "改过" / draft.path.name
    edited.parent.mkdir()
    document = docx.Document(str(draft.path))
    document.add_paragraph("秘书私自加的一段话")
    document.save(str(edited))
    with pytest.raises(DraftChanged, match="与生成时不同"):
        desk.issue(str(edited))
    assert desk.numbers() == []
    (issued,) = desk.issue(str(draft.path))
    assert issued.dispatch.draft_id == draft.draft.draft_id and issued.dispatch.number == 1
    assert "秘书私自加的一段话" not in paragraphs(issued.paths[0].read_bytes())


def test_unknown_drafts_and_empty_batches_are_refused(desk: Desk) -> None:
    with pytest.raises(NotFound, match="NG-2026-000099"):
        desk.issue("NG-2026-000099")
    with pytest.raises(InvalidInput, match="至少需要一份草稿"):
        desk.issue()


def test_drafts_and_originals_never_go_into_the_archive_folder(desk: Desk) -> None:
    with pytest.raises(InvalidInput, match="不能写入档案库文件夹"):
        generate_draft(desk.archive, desk.secretary, "assignment", REAL, {}, desk.archive.root / "草稿")
    draft = desk.draft("assignment")
    with pytest.raises(InvalidInput, match="不能写入档案库文件夹"):
        issue_drafts(desk.archive, desk.secretary, [draft.draft.draft_id], SignOff(LEADER, TODAY, desk.leader),
                     desk.archive.root)
    assert desk.numbers() == []


# --------------------------------------------------------------------------- reminders


def due_for_reminder(desk: Desk) -> list[str]:
    return [due.case.case_id for due in cases_due(desk.archive, desk.secretary, "reminder", DUE_DAY)]


def leader_requests(desk: Desk) -> list[str]:
    return [due.case.case_id for due in cases_due(desk.archive, desk.secretary, "supervision", TODAY)
            if any(reason.startswith("领导要求督办") for reason in due.reasons)]


def test_an_issued_supervision_letter_answers_the_leaders_request(desk: Desk) -> None:
    assert leader_requests(desk) == [REAL]
    (issued,) = desk.issue(desk.draft("supervision"))
    assert issued.warnings == [] and leader_requests(desk) == []
    (event,) = [e for e in open_case(desk.archive, desk.secretary, REAL).events if e["kind"] == "supervise-letter"]
    assert (event["data"]["document_number"], event["on_date"]) == (issued.dispatch.document_number, TODAY.isoformat())


def test_an_issued_reminder_is_a_reminder_by_letter(desk: Desk) -> None:
    assert due_for_reminder(desk) == [REAL]
    (issued,) = desk.issue(desk.draft("reminder"))
    assert issued.warnings == []
    assert due_for_reminder(desk) == []
    (event,) = [e for e in open_case(desk.archive, desk.secretary, REAL).events if e["kind"] == "remind"]
    assert (event["data"]["mode"], event["on_date"]) == ("函件", TODAY.isoformat())


def test_a_reminder_issued_by_the_leader_in_person_is_recorded_too(desk: Desk) -> None:
    draft = desk.draft("reminder")
    (issued,) = issue_drafts(desk.archive, desk.leader, [draft.draft.draft_id], SignOff(LEADER, TODAY, desk.leader),
                             desk.out / "发文")
    assert issued.warnings == []
    assert due_for_reminder(desk) == []


def test_monthly_reminders_are_drafted_for_the_cases_due_that_day(desk: Desk) -> None:
    calls: list[tuple[int, int]] = []
    done = draft_reminders(desk.archive, desk.secretary, DUE_DAY, desk.out, progress=lambda *a: calls.append(a))
    assert [(d.kind.id, d.draft.case_id) for d in done.drafted] == [("reminder", REAL)] and done.failed == []
    assert calls == [(1, 1)]
    assert f"{UNIT}：" in paragraphs(done.drafted[0].path.read_bytes())
    assert desk.numbers() == []
    assert draft_reminders(desk.archive, desk.secretary, date(2026, 11, 1), desk.out) == Reminders([], [], [])
    again = draft_reminders(desk.archive, desk.secretary, DUE_DAY, desk.out)  # run twice, or after a crash
    assert again == Reminders([], [(REAL, done.drafted[0].draft.draft_id)], [])


# --------------------------------------------------------------------------- PDF


def test_a_character_without_a_glyph_stops_a_pdf_before_any_number(desk: Desk, soffice: str) -> None:
    draft = desk.draft("talk-notice", place="旗纪委监委𪚥字号谈话室")
    with pytest.raises(GlyphMissing, match="𪚥"):
        desk.issue(draft, pdf=True)
    assert desk.numbers() == [] and printed_files(desk) == []


PDF_KINDS = ("assignment", "hearing-minutes", "talk-form")
TITLES = {"assignment": "关于交办信访举报件的函", "hearing-minutes": "关于红庆河镇扶贫专项资金使用问题的听证会议纪要",
          "talk-form": "信访谈话登记表"}


@pytest.fixture(scope="module")
def printed_pdfs(town_template: Office, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Issued, bytes]]:
    """Three formats (letter, minutes, form) issued with PDFs in one LibreOffice run.

    Module-scoped, so it cannot take the ``soffice`` fixture: it skips (or, on CI, fails) the same way.
    """
    try:
        find_soffice()
    except ConverterMissing:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice is missing: make sysdeps should have installed it")
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("pdf")
    office = copy_town(town_template, folder / "archive")
    with office.open() as archive:
        desk = Desk(archive, login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE), folder / "out")
        issued = desk.issue(*(desk.draft(kind) for kind in PDF_KINDS), pdf=True)
        return {kind: (document, desk.content(document.records[1].record_id))
                for kind, document in zip(PDF_KINDS, issued, strict=True)}


def embedded_fonts(pdf: bytes) -> dict[str, bool]:
    """Each font a PDF uses (subset prefix removed) and whether its program is embedded."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
            fonts[name] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


def family_of(font: str, families: set[str]) -> str | None:
    """The mapped family a PDF font name belongs to: ``NotoSerifCJKjp-Light-VKana`` → Noto Serif CJK SC Light.

    Noto CJK collections share one CFF named after the Japanese face, so the region is not compared.
    """
    def key(name: str) -> str:
        return re.sub(r"cjk(sc|tc|jp|kr|hk)", "cjk", re.sub(r"[^0-9a-z]", "", name.lower()))

    for family in families:
        rest = key(font).removeprefix(key(family))
        if rest != key(font) and rest in ("", "regular", "vkana", "regularvkana"):
            return family
    return None


def pdf_of(issued: Issued) -> bytes:
    (path,) = [p for p in issued.paths if p.suffix == ".pdf"]
    return path.read_bytes()


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_the_pdf_embeds_the_mapped_faces_and_nothing_else(printed_pdfs: dict, kind: str) -> None:
    faces = font_map()
    fonts = embedded_fonts(pdf_of(printed_pdfs[kind][0]))
    assert fonts and all(fonts.values()), fonts
    used = {font: family_of(font, set(faces.values())) for font in fonts}
    assert None not in used.values(), used
    expected = {faces["小标宋"], faces["仿宋_GB2312"], faces["黑体"]}
    if kind == "hearing-minutes":
        expected |= {faces["楷体_GB2312"], faces["宋体"]}  # （一） headings and the page number
    assert expected <= set(used.values()), used


@pytest.mark.parametrize("kind", PDF_KINDS)
def test_the_pdf_shows_the_title_and_number_and_no_draft_mark(printed_pdfs: dict, kind: str) -> None:
    issued = printed_pdfs[kind][0]
    reader = PdfReader(io.BytesIO(pdf_of(issued)))
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))
    assert TITLES[kind] in text and issued.dispatch.document_number in text
    assert "草稿" not in text and "定稿" not in text and text.startswith("000001")
    # the metadata say what the face says, nothing copied from the DOCX or the converter
    assert dict(reader.metadata) == {"/Title": f"{issued.dispatch.document_number} {TITLES[kind]}",
                                     "/Author": "伊金霍洛旗纪委监委"}


def test_the_pdf_is_written_beside_each_copy_and_filed_with_the_original(printed_pdfs: dict) -> None:
    issued, _ = printed_pdfs["assignment"]
    assert [p.name for p in issued.paths] == [f"{number('群', 1)}交办函-份号000001.docx",
                                               f"{number('群', 1)}交办函-份号000001.pdf"]
    assert [(r.kind, r.title) for r in issued.records] == [
        ("assignment", f"{number('群', 1)} 关于交办信访举报件的函"),
        ("assignment", f"{number('群', 1)} 关于交办信访举报件的函（PDF）"),
        ("signed-draft", f"{number('群', 1)} 关于交办信访举报件的函（定稿）"),
    ]
    filed = printed_pdfs["assignment"][1]
    assert filed.startswith(b"%PDF-")
    assert "000001" not in re.sub(r"\s", "", PdfReader(io.BytesIO(filed)).pages[0].extract_text())[:6]
