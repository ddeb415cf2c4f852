"""Every document kind, drafted from a realistic case and issued: the page, the faces, the number, the facts.

One module-scoped batch drafts all twelve kinds for the 署实名 秘密 case and issues
them together, so each kind is checked twice — as the draft the secretary
receives, and as the original, the filed master and the 定稿 after 签发 —
without drafting and issuing once per test.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from archive import login, parse_kind
from archive.dispatch import Dispatch, list_dispatches
from archive.records import read_record
from generators.errors import InvalidFields, UnknownKind
from generators.issuing import SignOff, generate_draft, issue_drafts
from generators.kinds import KINDS, find_kind
from generators.layout import format_date
from tests.conftest import PASSPHRASE, Office
from tests.generators.conftest import (
    ANONYMOUS,
    ANONYMOUS_SUMMARY,
    ANONYMOUS_UNIT,
    EXTENSION_REASON,
    LEADER,
    PETITIONER,
    PHONE,
    REAL,
    REPORTED,
    REQUIRED,
    SECRETARY,
    SUMMARY_OUT,
    SUPERVISION_REASON,
    TODAY,
    UNIT,
    YEAR,
    W,
    all_text,
    copy_town,
    header_texts,
    own_text,
    paragraphs,
    parts,
)

# id → (Chinese name, format, series letters, title) — what the offices' rules and the issue ask for.
CATALOGUE = {
    "notice-accept": ("受理告知书", "letter", "告", "受理告知书"),
    "notice-decline": ("不予受理告知书", "letter", "告", "不予受理告知书"),
    "notice-forward": ("转办告知书", "letter", "告", "转办告知书"),
    "notice-extension": ("延期告知书", "letter", "告", "延期办理告知书"),
    "reply": ("答复意见书", "letter", "复", "信访事项答复意见书"),
    "talk-notice": ("信访谈话通知书", "letter", "谈", "信访谈话通知书"),
    "assignment": ("交办函", "letter", "群", "关于交办信访举报件的函"),
    "forward": ("转办函", "letter", "信", "关于转办信访举报件的函"),
    "supervision": ("督办函", "letter", "督", "关于督办信访举报件的函"),
    "reminder": ("催办函", "letter", "催", "关于催报信访举报件查处结果的函"),
    "hearing-minutes": ("听证会议纪要", "minutes", "听", "关于红庆河镇扶贫专项资金使用问题的听证会议纪要"),
    "talk-form": ("信访谈话登记表", "form", "谈记", "信访谈话登记表"),
}
# id → (a body paragraph drawn from the case, then further facts of the case the document must state).
FACTS = {
    "notice-accept": ("你于2026年10月9日以来信形式反映的有关问题", [f"{PETITIONER}：", UNIT, "2026年12月9日前"]),
    "notice-decline": ("不属于纪检监察机关受理范围", [f"{PETITIONER}：", "2026年10月9日", "请你向伊金霍洛旗人民法院反映。"]),
    "notice-forward": ("2026年10月12日转交红庆河镇纪委办理", [f"{PETITIONER}：", "2026年10月9日"]),
    "notice-extension": (EXTENSION_REASON, [f"{PETITIONER}：", "不能在2026年11月9日前办结", "延长至2026年12月9日"]),
    "reply": ("向鄂尔多斯市纪委监委提出复查申请", [f"{PETITIONER}：", "2026年10月9日", "30日内"]),
    "talk-notice": ("定于2026年12月3日上午9时在旗纪委监委三楼谈话室", ["张大山同志："]),
    "assignment": (SUMMARY_OUT, [f"{UNIT}：", "信访举报件（编号XF-2026-0001）", "请于2027年1月12日前"]),
    "forward": (SUMMARY_OUT, [f"{UNIT}：", "信访举报件（编号XF-2026-0001）"]),
    "supervision": ("本机关于2026年10月12日交办你单位的信访举报件（编号XF-2026-0001）",
                    [f"{UNIT}：", SUPERVISION_REASON]),
    "reminder": ("本机关于2026年10月12日交办你单位的信访举报件（编号XF-2026-0001）", [f"{UNIT}："]),
    "hearing-minutes": ("2026年11月20日，吴领导在旗纪委监委第一会议室主持召开信访听证会议",
                        ["伊金霍洛旗纪委监委信访听证会议纪要", "吴领导、王文秘、郑秘书"]),
    "talk-form": ("红庆河镇人民政府镇长", ["张大山", "核实", "归入信访档案"]),
}
KIND_IDS = list(CATALOGUE)
SIGNED_ON = format_date(TODAY)


@dataclass
class Kind:
    """One kind through the cycle: the draft file, the printed original, the filed master and 定稿."""

    draft: bytes
    number: str
    printed: bytes
    master: bytes
    signed: bytes
    records: list[str]


@dataclass
class Batch:
    """The twelve kinds issued together, and the 发文登记簿 afterwards."""

    kinds: dict[str, Kind]
    register: list[Dispatch]
    archive: Path

    def __getitem__(self, kind: str) -> Kind:
        return self.kinds[kind]


@pytest.fixture(scope="module")
def batch(town_template: Office, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    folder = tmp_path_factory.mktemp("batch")
    office = copy_town(town_template, folder / "archive")
    with office.open() as archive:
        secretary, leader = login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        drafts = {kind: generate_draft(archive, secretary, kind, REAL, REQUIRED[kind], folder / "drafts")
                  for kind in KIND_IDS}
        assert {kind: d.warnings for kind, d in drafts.items()} == {kind: [] for kind in KIND_IDS}
        issued = issue_drafts(archive, secretary, [d.draft.draft_id for d in drafts.values()],
                              SignOff(LEADER, TODAY, leader), folder / "issued")
        result = {}
        for kind, document in zip(KIND_IDS, issued, strict=True):
            assert document.dispatch.kind == kind
            (printed,) = document.paths
            files = {r.kind: read_record(archive, secretary, r.record_id)[1] for r in document.records}
            result[kind] = Kind(drafts[kind].path.read_bytes(), document.dispatch.document_number,
                                printed.read_bytes(), files[kind], files["signed-draft"],
                                [r.record_id for r in document.records])
        return Batch(result, list_dispatches(archive, secretary), office.path)


def number_of(kind: str, n: int | None) -> str:
    return f"伊纪{CATALOGUE[kind][2]}字〔{YEAR}〕{'  ' if n is None else n}号"


def runs_of(document: docx.document.Document, text: str) -> list[tuple[str | None, str | None]]:
    """(East-Asian face, size in half-points) of each run of the paragraphs holding ``text``."""
    found = []
    for paragraph in document.element.body.iter(f"{W}p"):
        if text in own_text(paragraph):
            for run in paragraph.iter(f"{W}r"):
                if run.find(f"{W}t") is not None and (run.find(f"{W}t").text or "").strip():
                    properties = run.find(f"{W}rPr")
                    found.append((properties.find(f"{W}rFonts").get(f"{W}eastAsia"),
                                  properties.find(f"{W}sz").get(f"{W}val")))
    return found


# --------------------------------------------------------------------------- the catalogue of kinds


def test_twelve_kinds_in_the_listed_order_with_their_names_formats_and_series() -> None:
    assert [(k.id, k.name, k.template, k.series) for k in KINDS] == [
        (kind, name, template, series) for kind, (name, template, series, _) in CATALOGUE.items()]
    assert len({k.name for k in KINDS}) == 12


@pytest.mark.parametrize("kind", KIND_IDS)
def test_a_kind_is_found_by_english_id_or_chinese_name(kind: str) -> None:
    name = CATALOGUE[kind][0]
    assert find_kind(kind) is find_kind(f" {name} ") is next(k for k in KINDS if k.id == kind)


def test_an_unknown_kind_lists_every_kind() -> None:
    with pytest.raises(UnknownKind) as caught:
        find_kind("通知书")
    message = str(caught.value)
    assert "“通知书”" in message
    for kind, (name, *_) in CATALOGUE.items():
        assert f"{kind}（{name}）" in message


def test_every_kind_and_the_sign_off_records_are_record_kinds_of_the_archive() -> None:
    for kind in [*KIND_IDS, "signed-draft", "sign-off-scan"]:
        assert parse_kind(kind).id == kind


def test_letters_to_petitioners_and_units_are_gated_and_internal_ones_are_not() -> None:
    audiences = {k.id: k.audience for k in KINDS}
    assert {k for k, a in audiences.items() if a == "petitioner"} == {
        "notice-accept", "notice-decline", "notice-forward", "notice-extension", "reply"}
    assert {k for k, a in audiences.items() if a == "internal"} == {"hearing-minutes", "talk-form"}
    assert audiences["talk-notice"] == "cadre"


# --------------------------------------------------------------------------- the draft


@pytest.mark.parametrize("kind", KIND_IDS)
def test_draft_page_is_a4_with_the_standards_margins_and_grid(batch: Batch, kind: str) -> None:
    section = docx.Document(io.BytesIO(batch[kind].draft)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.left_margin, section.right_margin, section.bottom_margin)
    assert [round(m.mm) for m in margins] == [37, 28, 26, 35]
    grid = section._sectPr.find(f"{W}docGrid")
    assert {k.replace(W, ""): v for k, v in grid.attrib.items()} == {
        "type": "linesAndChars", "linePitch": "579", "charSpace": "-842"}


@pytest.mark.parametrize("kind", KIND_IDS)
def test_draft_sets_title_in_xiaobiaosong_22pt_and_body_in_fangsong_16pt(batch: Batch, kind: str) -> None:
    document = docx.Document(io.BytesIO(batch[kind].draft))
    for style, face, size in (("Normal", "仿宋_GB2312", 16), ("Title", "小标宋", 22)):
        fonts = document.styles[style].element.find(f"{W}rPr/{W}rFonts")
        assert (fonts.get(f"{W}eastAsia"), document.styles[style].font.size.pt) == (face, size)
    title = CATALOGUE[kind][3]
    assert title in paragraphs(batch[kind].draft)
    assert set(runs_of(document, title)) == {("小标宋", "44")}
    assert set(runs_of(document, FACTS[kind][0])) == {("仿宋_GB2312", "32")}


@pytest.mark.parametrize("kind", KIND_IDS)
def test_draft_footers_carry_the_page_field(batch: Batch, kind: str) -> None:
    section = docx.Document(io.BytesIO(batch[kind].draft)).sections[0]
    for footer in (section.footer, section.even_page_footer):
        assert [i.text for i in footer._element.iter(f"{W}instrText")] == [" PAGE "]


@pytest.mark.parametrize("kind", KIND_IDS)
def test_draft_has_a_blank_number_and_the_mark_in_every_header(batch: Batch, kind: str) -> None:
    text = "\n".join(paragraphs(batch[kind].draft))
    assert number_of(kind, None) in text
    assert not re.search(r"〔\d{4}〕\s*\d+\s*号", text), text
    headers = header_texts(batch[kind].draft)
    assert len(headers) == (3 if CATALOGUE[kind][1] == "letter" else 2)
    assert set(headers) == {"草稿"}


@pytest.mark.parametrize("kind", KIND_IDS)
def test_draft_states_the_facts_of_the_case(batch: Batch, kind: str) -> None:
    text = "\n".join(paragraphs(batch[kind].draft))
    body, facts = FACTS[kind]
    for fact in (body, *facts):
        assert fact in text, (fact, text)
    assert "秘密" in paragraphs(batch[kind].draft)  # the case's 密级, on its own line
    if CATALOGUE[kind][1] != "form":
        assert f"{YEAR}年  月  日" in text  # the date is left for the sign-off


# --------------------------------------------------------------------------- after 签发


def test_numbers_are_consecutive_within_a_series_and_start_at_one_in_each(batch: Batch) -> None:
    assert {kind: batch[kind].number for kind in KIND_IDS} == {
        "notice-accept": number_of("notice-accept", 1), "notice-decline": number_of("notice-decline", 2),
        "notice-forward": number_of("notice-forward", 3), "notice-extension": number_of("notice-extension", 4),
        **{kind: number_of(kind, 1) for kind in KIND_IDS[4:]},
    }


@pytest.mark.parametrize("kind", KIND_IDS)
def test_the_printed_original_has_its_number_and_date_and_no_draft_mark(batch: Batch, kind: str) -> None:
    printed = batch[kind].printed
    text = "\n".join(paragraphs(printed))
    assert batch[kind].number in text
    assert "草稿" not in text and set(header_texts(printed)) == {""}
    assert "年  月  日" not in text and "〔2026〕  号" not in text
    assert not re.search(r"\d年0|月0\d日", text), text  # no leading zeros
    if CATALOGUE[kind][1] != "form":  # the form carries no date
        assert SIGNED_ON in text
    assert paragraphs(printed)[0].startswith("000001")  # 秘密: the first copy
    body, facts = FACTS[kind]
    for fact in (body, *facts):
        assert fact in text


@pytest.mark.parametrize("kind", KIND_IDS)
def test_the_filed_master_has_no_copy_number_and_the_signed_draft_shows_who_signed(
    batch: Batch, kind: str
) -> None:
    master = paragraphs(batch[kind].master)
    assert batch[kind].number in "\n".join(master)
    assert not any(re.match(r"\d{6}", p) for p in master)
    assert set(header_texts(batch[kind].master)) == {""}
    signed = batch[kind].signed
    assert set(header_texts(signed)) == {f"定稿　签发：吴领导　{SIGNED_ON}"}
    assert paragraphs(signed) == master  # the same document under the 定稿 mark


@pytest.mark.parametrize("kind", KIND_IDS)
def test_no_template_code_and_no_case_data_in_the_package_properties(batch: Batch, kind: str) -> None:
    for data in (batch[kind].draft, batch[kind].printed, batch[kind].master, batch[kind].signed):
        assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#", all_text(data))
        core = docx.Document(io.BytesIO(data)).core_properties
        assert (core.title, core.subject, core.author, core.keywords, core.comments, core.category,
                core.last_modified_by) == ("", "", "", "", "", "", "")
        properties = {name: blob.decode() for name, blob in parts(data).items() if name.startswith("docProps/")}
        assert set(properties) == {"docProps/core.xml", "docProps/app.xml"}
        for value in (REAL, PETITIONER, REPORTED, UNIT, CATALOGUE[kind][3], SECRETARY, LEADER, "秘密"):
            assert not any(value in blob for blob in properties.values()), value


def test_nothing_the_documents_say_is_kept_in_the_clear_under_the_archive_folder(batch: Batch) -> None:
    said = [PETITIONER, PHONE, SUMMARY_OUT, EXTENSION_REASON, REQUIRED["notice-decline"]["reason"],
            REQUIRED["talk-notice"]["place"], REQUIRED["hearing-minutes"]["matter"], CATALOGUE["assignment"][3]]
    files = [path for path in batch.archive.rglob("*") if path.is_file()]
    assert any(path.suffix == ".xfr" for path in files)
    for path in files:
        data = path.read_bytes()
        assert not [text for text in said if text.encode() in data], path


def test_the_register_holds_one_line_per_document_with_its_records(batch: Batch) -> None:
    register = batch.register
    assert [(d.kind, d.document_number) for d in register] == sorted(
        ((kind, batch[kind].number) for kind in KIND_IDS), key=lambda line: line[1])
    for line in register:
        assert (line.case_id, line.classification, line.signer, line.signed_on, line.on_paper, line.copies) == (
            REAL, "秘密", LEADER, TODAY.isoformat(), False, 1)
        assert line.issued_by == SECRETARY and line.voided_at is None
        assert line.records == batch[line.kind].records and len(line.records) == 2


# --------------------------------------------------------------------------- what single kinds ask for


def draft(office: Office, out: Path, kind: str, case: str, given: dict[str, str]) -> list[str]:
    with office.open() as archive:
        result = generate_draft(archive, login(archive, SECRETARY, PASSPHRASE), kind, case, given, out)
    assert result.warnings == []
    return paragraphs(result.path.read_bytes())


def refusal(office: Office, out: Path, kind: str, case: str, given: dict[str, str]) -> list[str]:
    with office.open() as archive, pytest.raises(InvalidFields) as caught:
        generate_draft(archive, login(archive, SECRETARY, PASSPHRASE), kind, case, given, out)
    assert not out.exists()
    return caught.value.problems


def test_an_anonymous_internal_case_goes_out_with_its_registered_summary_and_no_classification(
    town: Office, out: Path
) -> None:
    text = draft(town, out, "forward", ANONYMOUS, {})
    assert ANONYMOUS_SUMMARY in text and f"{ANONYMOUS_UNIT}：" in text and number_of("forward", None) in text
    assert not any(level in p for p in text for level in ("秘密", "机密", "绝密", "内部", "★"))


def test_secrecy_period_urgency_and_copy_to_are_printed(town: Office, out: Path) -> None:
    text = draft(town, out, "assignment", REAL, {"保密期限（年）": "１０", "urgency": "特急",
                                                   "cc": "旗委办公室、旗政府办公室"})
    assert "秘密★10年" in text and "特急" in text and "抄送：旗委办公室，旗政府办公室。" in text


def test_a_secrecy_period_on_a_case_that_is_no_state_secret_is_refused(town: Office, out: Path) -> None:
    (problem,) = refusal(town, out, "forward", ANONYMOUS, {"secrecy_years": "10"})
    assert "内部" in problem and "保密期限" in problem


def test_a_notice_needs_a_petitioner_which_an_anonymous_case_does_not_have(town: Office, out: Path) -> None:
    (problem,) = refusal(town, out, "notice-accept", ANONYMOUS, {})
    assert problem.startswith("缺少收件信访人（petitioner）") and "信访件登记的第一名信访人" in problem
    text = draft(town, out, "notice-accept", ANONYMOUS, {"收件信访人": "匿名举报人"})
    assert "匿名举报人：" in text and "你于2026年11月2日以举报箱形式反映的有关问题" in " ".join(text)


def test_hearing_minutes_need_a_ruling_or_a_department_with_a_deadline(town: Office, out: Path) -> None:
    without = {k: v for k, v in REQUIRED["hearing-minutes"].items() if k != "ruling"}
    for partial in ({}, {"deferred_department": "旗财政局"}, {"反馈期限（未当场裁定时）": "2026-12-20"}):
        (problem,) = refusal(town, out, "hearing-minutes", REAL, {**without, **partial})
        assert problem.startswith("听证会议须有裁定结果") and "反馈期限" in problem, problem
    deferred = draft(town, out, "hearing-minutes", REAL,
                     {**without, "deferred_department": "旗财政局", "deferred_deadline": "2026年12月20日"})
    assert any("决定由旗财政局负责进一步办理" in p and "于2026年12月20日前将结果反馈本机关" in p for p in deferred)
    ruled = draft(town, out, "hearing-minutes", REAL, REQUIRED["hearing-minutes"])
    assert ruled[ruled.index("会议当场宣布裁定结果如下：") + 1] == "责成红庆河镇于一个月内整改。"


def test_hearing_minutes_follow_the_five_steps_in_order(town: Office, out: Path) -> None:
    text = draft(town, out, "hearing-minutes", REAL, {**REQUIRED["hearing-minutes"], "列席": "旗财政局张会计",
                                                        "petitioner_evidence": "银行转账凭证"})
    headings = ["一、纪委介绍案情", "二、信访人和被信访人陈述", "（一）信访人陈述", "（二）被信访人陈述", "三、知情人说明",
                "四、职能部门答复", "五、裁定"]
    assert [text.index(h) for h in headings] == sorted(text.index(h) for h in headings)
    assert "提供的证据：银行转账凭证。" in text and "本次听证无知情人到会说明。" in text


def test_a_talk_form_takes_only_the_listed_kinds_and_outcomes(town: Office, out: Path) -> None:
    given = {**REQUIRED["talk-form"], "talk_kind": "谈心", "outcome": "销毁"}
    found = refusal(town, out, "talk-form", REAL, given)
    assert found == ["谈话类别“谈心”无效，可选：核实、告诫、批评教育·限期整改、领导交办",
                     "处理结果“销毁”无效，可选：归入信访档案、移交廉政档案、移交案件检查部门"]


def test_follow_up_letters_cite_the_issued_assignment_letter(town: Office, out: Path) -> None:
    with town.open() as archive:
        secretary, leader = login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        letter = generate_draft(archive, secretary, "assignment", REAL, {}, out)
        (issued,) = issue_drafts(archive, secretary, [letter.draft.draft_id], SignOff(LEADER, TODAY, leader),
                                 out / "issued")
        reminder = generate_draft(archive, secretary, "reminder", REAL, {}, out)
    cited = f"本机关于{SIGNED_ON}以{issued.dispatch.document_number}函交办你单位的信访举报件（编号{REAL}）"
    assert any(p.startswith(cited) for p in paragraphs(reminder.path.read_bytes()))


@pytest.mark.parametrize("kind", KIND_IDS)
def test_dates_in_the_body_are_written_the_way_documents_write_them(batch: Batch, kind: str) -> None:
    text = "\n".join(paragraphs(batch[kind].printed))
    assert not re.search(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}", text), text


def test_a_reminder_states_why_in_the_letters_own_words(batch: Batch) -> None:
    text = paragraphs(batch["reminder"].printed)
    assert "自2026年10月12日起已满一个月未报结。" in text or any("逾期未报结" in p for p in text), text
