"""The issuing cycle: 拟稿 → 签发 → 编号 → printed copies → filed, as a real 发文 works.

A draft (:func:`generate_draft`) is rendered from the case's facts and the
secretary's values, shows ``〔2026〕  号`` and the mark 草稿, and uses no
number; the values are saved with it, so drafts can be made again at will.

Issuing (:func:`issue_drafts`) checks everything that can fail before a
number exists — the signer, the leak gate for documents leaving the office,
the glyphs of a PDF — then records the leader's sign-off, and in one write
transaction allocates each 发文字号, renders the original (with a 份号 per
copy when the document is classified), converts PDFs in one LibreOffice run,
files the original and the signed-off draft (定稿) as records of the case and
writes the 发文登记簿 line.  Any failure rolls all of it back: the numbers
were never handed out, so the sequence has no gap.  The printable copies are
written to the output folder only after the commit.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from archive import Archive, InvalidInput, RecordInfo, Refused, Session, parse_kind
from archive.audit import Act
from archive.cases import CaseFile, case_visibility, open_case
from archive.dispatch import (
    DRAFTERS,
    Dispatch,
    Draft,
    check_signer,
    draft_file_mac,
    open_draft,
    record_dispatch,
    record_sign_off,
    save_draft,
    unissued_drafts,
)
from archive.errors import ArchiveError
from archive.handling import record_reminder, record_supervision_letter, series_of
from archive.numbering import allocate_document_number
from archive.outgoing import check_document, read_document
from archive.records import store_record
from archive.redaction import LeakBlocked
from archive.retention import scheduled_retention
from archive.roles import require_role
from archive.supervision import cases_due

from .conversion import clear_pdf_metadata, convert_to_pdf
from .errors import DraftChanged, GeneratorError
from .facts import gather_facts
from .fields import resolve
from .kind import Composition, DocumentKind
from .kinds import SIGN_OFF_SCAN, SIGNED_DRAFT, find_kind
from .layout import STATE_SECRET_LEVELS, classification_mark, copy_number, format_date, format_document_number
from .output import check_outside, write_output
from .rendering import Office, Stamp, check_glyphs

__all__ = ["DraftResult", "Issued", "Reminders", "SignOff", "document_series", "draft_reminders", "generate_draft",
           "issue_drafts"]

MAX_COPIES = 999
_DRAFT_FILE = re.compile(r"(NG-\d{4}-\d{6})")


@dataclass(frozen=True)
class DraftResult:
    """A saved draft, the file written for the secretary, and anything the secretary should know."""

    draft: Draft
    kind: DocumentKind
    path: Path
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SignOff:
    """Who signed the documents off (签发), when, and how it is attested.

    ``signed_by`` is the leader's own session when the sign-off is made in the
    system; ``paper_scan`` the scan of a signed paper form otherwise, which is
    filed and flagged — never one without the other.
    """

    signer: str
    signed_on: date
    signed_by: Session | None = None
    paper_scan: Path | None = None


@dataclass(frozen=True)
class Issued:
    """An issued document: its register line, the printable files written, and the records filed."""

    dispatch: Dispatch
    kind: DocumentKind
    paths: list[Path]
    records: list[RecordInfo]
    warnings: list[str] = field(default_factory=list)


class _Office(Office):
    """An office that issues: the series and 发文字号 of each kind, on top of what every document shares."""

    def series(self, kind: DocumentKind) -> str:
        return document_series(kind, self.settings)

    def number(self, kind: DocumentKind, year: int, n: int | None) -> str:
        return format_document_number(self.archive.config.org_code, self.series(kind), year, n)

    def render_kind(self, kind: DocumentKind, composition: Composition, values: Mapping[str, Any], stamp: Stamp
                    ) -> tuple[bytes, dict[str, Any]]:
        return self.render(kind.template, composition, stamp, values.get("cc", []))


def document_series(kind: DocumentKind, settings: Mapping[str, Any]) -> str:
    """The series letters of a kind (群 in 伊纪群字): ``documents.series`` in xinfang.toml, or the kind's own."""
    overrides = settings.get("series", {})
    chosen = overrides.get(kind.id, kind.series) if isinstance(overrides, dict) else kind.series
    if not isinstance(chosen, str) or not chosen.strip():
        raise InvalidInput(f"xinfang.toml 的 documents.series.{kind.id} 应为非空文字")
    return chosen.strip()


def _classification(case: CaseFile, values: Mapping[str, Any]) -> str:
    """密级★期限 of a document about ``case`` (its level is the case's); :func:`_checks` vetted the period."""
    return classification_mark(case.level.label, values.get("secrecy_years"))


def _checks(kind: DocumentKind, case: CaseFile) -> Callable[[Mapping[str, Any]], list[str]]:
    """The kind's own rules and the one every kind shares: a 保密期限 only on a state secret."""

    def check(values: Mapping[str, Any]) -> list[str]:
        problems = kind.check(values) if kind.check else []
        if values.get("secrecy_years") is not None and case.level.label not in STATE_SECRET_LEVELS:
            problems.append(f"信访件密级为{case.level.label}，不是国家秘密，不能标注保密期限")
        return problems

    return check


def _addressee(kind: DocumentKind, case: CaseFile, values: Mapping[str, Any]) -> int | None:
    """The index of the petitioner a notice goes to, so the gate lets that one person's name through."""
    if kind.audience != "petitioner":
        return None
    names = [person["name"] for person in case.parties["petitioners"]]
    return names.index(values["petitioner"]) if values["petitioner"] in names else None


def generate_draft(
    archive: Archive, session: Session, kind_name: str, case_id: str, given: Mapping[str, Any], out: Path,
    *, as_of: date | None = None,
) -> DraftResult:
    """Draft a document of ``kind_name`` for ``case_id`` into ``out``; all field problems are reported at once."""
    kind = find_kind(kind_name)
    require_role(session.roles, DRAFTERS, "拟稿")
    check_outside(archive, out)
    office = _Office(archive)
    case = open_case(archive, session, case_id)
    facts = gather_facts(archive, session, case, as_of or date.today())
    values = resolve(kind.all_fields, given, kind.defaults(facts), _checks(kind, case))
    composition = kind.compose(values)
    year = (as_of or date.today()).year
    stamp = Stamp(office.number(kind, year, None), f"{year}年  月  日", "草稿", "",
                  _classification(case, values), values.get("urgency", ""))
    data, _ = office.render_kind(kind, composition, values, stamp)
    warnings = []
    if kind.audience != "internal":
        try:
            check_document(archive, session, case.case_id, data, f"{kind.name}（草稿）",
                           addressee=_addressee(kind, case, values))
        except LeakBlocked as exc:
            warnings.append(f"{exc}。草稿已生成，但在改正之前不能签发")

    def path_of(draft_id: str) -> Path:
        return out / f"{draft_id}-{kind.name}（草稿）.docx"

    draft = save_draft(archive, session, case, kind.id, {"values": values}, data,
                       lambda draft_id: write_output(path_of(draft_id), data))
    return DraftResult(draft, kind, path_of(draft.draft_id), warnings)


@dataclass(frozen=True)
class Reminders:
    """What ``generate reminders`` did: the drafts made, the cases already waiting on one, and the failures."""

    drafted: list[DraftResult]
    waiting: list[tuple[str, str]]
    """(case id, draft id) of cases whose 催办函 draft is not yet issued: not drafted again."""
    failed: list[tuple[str, str]]


def draft_reminders(
    archive: Archive, session: Session, as_of: date, out: Path, *,
    progress: Callable[[int, int], None] | None = None,
) -> Reminders:
    """A 催办函 draft for every case the register marks due for a reminder on ``as_of``.

    A case whose earlier draft still waits to be signed is left alone, so running
    it again - after an interruption, or twice in a month - makes no second
    draft.  ``progress(done, total)`` is called as each case is done.
    """
    require_role(session.roles, DRAFTERS, "拟稿")
    check_outside(archive, out)
    result = Reminders([], [], [])
    due_cases = cases_due(archive, session, "reminder", as_of)
    waiting = unissued_drafts(archive.conn, "reminder")
    for done, due in enumerate(due_cases, 1):
        case_id = due.case.case_id
        try:
            if case_id in waiting:
                result.waiting.append((case_id, waiting[case_id]))
            else:
                result.drafted.append(generate_draft(archive, session, "reminder", case_id, {}, out, as_of=as_of))
        except (ArchiveError, GeneratorError) as exc:
            result.failed.append((case_id, str(exc)))
        if progress is not None:
            progress(done, len(due_cases))
    return result


@dataclass
class _Item:
    """One draft on its way to becoming an issued document."""

    draft: Draft
    case: CaseFile
    kind: DocumentKind
    composition: Composition
    values: dict[str, Any]
    documents: list[bytes] = field(default_factory=list)
    pdfs: list[bytes] = field(default_factory=list)


def _open_items(archive: Archive, session: Session, drafts: Sequence[str]) -> list[_Item]:
    items: list[_Item] = []
    for name in drafts:
        path = Path(name)
        match = _DRAFT_FILE.match(path.name)
        if path.is_file() and match:
            draft, case = open_draft(archive, session, match[1])
            if draft_file_mac(case, read_document(path)) != draft.file_mac:
                raise DraftChanged(
                    f"草稿文件 {path.name} 与生成时不同。签发以生成时的内容为准，为免修改丢失，请用 --set 修改字段后"
                    "重新生成草稿（xinfang generate），再签发新草稿"
                )
        else:
            draft, case = open_draft(archive, session, name)
        if draft.issued_as is not None:
            raise Refused(f"草稿 {draft.draft_id} 已签发为 {draft.issued_as}，不能重复编号")
        if any(item.draft.draft_id == draft.draft_id for item in items):
            continue
        kind = find_kind(draft.kind)
        values = draft.content["values"]
        items.append(_Item(draft, case, kind, kind.compose(values), values))
    return items


def _check_sign_off(archive: Archive, sign_off: SignOff, items: Sequence[_Item]) -> bytes | None:
    """The sign-off's checks; returns the paper form's scan when there is one."""
    account = check_signer(archive, sign_off.signer)
    if sign_off.signed_on > date.today():
        raise InvalidInput(f"签发日期 {sign_off.signed_on.isoformat()} 晚于今天")
    for item in items:
        drafted = datetime.fromisoformat(item.draft.created_at).astimezone().date()  # stored in UTC
        if sign_off.signed_on < drafted:
            raise InvalidInput(f"签发日期 {sign_off.signed_on.isoformat()} 早于草稿 {item.draft.draft_id} 的拟稿日期")
    if sign_off.paper_scan is not None:
        scan = read_document(sign_off.paper_scan)
        if not scan:
            raise InvalidInput(f"纸质签发单扫描件 {sign_off.paper_scan.name} 是空文件")
        return scan
    if sign_off.signed_by is None or sign_off.signed_by.account.name != account.name:
        raise Refused(f"签发须由 {account.name} 本人登录确认，或以 --signed-on-paper 附上纸质签发单的扫描件")
    may_see = case_visibility(archive, sign_off.signed_by)
    for item in items:
        if item.case.level not in sign_off.signed_by.level_keys:
            raise Refused(f"签发人 {account.name} 的密级授权不含{item.case.level.label}，不能签发草稿 {item.draft.draft_id}")
        if not may_see(item.case.case_id):  # 回避: a leader never signs a letter on a case that names him
            raise Refused(f"签发人 {account.name} 无权查阅草稿 {item.draft.draft_id} 所涉信访件，不能签发；请另请领导签发")
    return None


def issue_drafts(
    archive: Archive,
    session: Session,
    drafts: Sequence[str],
    sign_off: SignOff,
    out: Path,
    *,
    copies: int = 1,
    pdf: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Issued]:
    """签发 and 编号 of ``drafts`` (ids or draft files), filed and written to ``out``; all or nothing.

    ``progress(1)`` is called as each document is numbered and filed.
    """
    require_role(session.roles, DRAFTERS, "签发编号")
    if not drafts:
        raise InvalidInput("至少需要一份草稿")
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidInput(f"印制份数应为 1 至 {MAX_COPIES}")
    check_outside(archive, out)
    office = _Office(archive)
    items = _open_items(archive, session, drafts)
    scan = _check_sign_off(archive, sign_off, items)
    signed_on = sign_off.signed_on
    for item in items:  # every check that can fail comes before a number is handed out
        stamp = Stamp(office.number(item.kind, signed_on.year, None), format_date(signed_on),
                      classification=_classification(item.case, item.values), urgency=item.values.get("urgency", ""))
        data, context = office.render_kind(item.kind, item.composition, item.values, stamp)
        if item.kind.audience != "internal":
            check_document(archive, session, item.case.case_id, data, item.kind.name,
                           addressee=_addressee(item.kind, item.case, item.values))
        if pdf:
            check_glyphs(context, office.faces)
    if sign_off.signed_by is not None and scan is None:
        record_sign_off(archive, sign_off.signed_by, [item.draft for item in items], signed_on)
    issued = _number_and_file(archive, session, office, items, sign_off, scan, copies, pdf, progress)
    for result in issued:
        _write_originals(result, items, out)
    _follow_up(archive, session, issued, signed_on)
    return issued


def _number_and_file(
    archive: Archive, session: Session, office: _Office, items: list[_Item], sign_off: SignOff, scan: bytes | None,
    copies: int, pdf: bool, progress: Callable[[int], None] | None,
) -> list[Issued]:
    """The one transaction: numbers, rendering, conversion, records and register lines together."""
    signed_on, year = sign_off.signed_on, sign_off.signed_on.year
    on_paper = "（纸质签发单）" if scan is not None else ""
    stored: list[RecordInfo] = []
    try:
        with archive.act(session) as act:
            numbers = []
            for item in items:
                n = allocate_document_number(archive.conn, f"{archive.config.org_code}{office.series(item.kind)}字", year)
                number = office.number(item.kind, year, n)
                numbers.append((n, number))
                mark = _classification(item.case, item.values)
                base = Stamp(number, format_date(signed_on), classification=mark,
                             urgency=item.values.get("urgency", ""))
                master, _ = office.render_kind(item.kind, item.composition, item.values, base)
                signed = Stamp(number, base.date, f"定稿　签发：{sign_off.signer}　{base.date}{on_paper}", "",
                               mark, base.urgency)
                item.documents = [master, office.render_kind(item.kind, item.composition, item.values, signed)[0]]
                if item.case.level.label in STATE_SECRET_LEVELS:
                    item.documents += [
                        office.render_kind(item.kind, item.composition, item.values,
                                      Stamp(number, base.date, "", copy_number(c), mark, base.urgency))[0]
                        for c in range(1, copies + 1)
                    ]
            if pdf:  # each document once: an unclassified letter's printed copy is its original
                numbered = [doc for item in items for doc in item.documents[2:]]
                converted = iter(convert_to_pdf([item.documents[0] for item in items] + numbered, office.faces))
                masters = [next(converted) for _ in items]
                for item, master_pdf, (_, number) in zip(items, masters, numbers, strict=True):
                    pdfs = [master_pdf] + [next(converted) for _ in item.documents[2:]]
                    item.pdfs = [clear_pdf_metadata(pdf, title=f"{number} {item.composition.title}",
                                                    author=archive.config.organisation) for pdf in pdfs]
            results = []
            scans: dict[str, str] = {}
            for item, (n, number) in zip(items, numbers, strict=True):
                records = _file(archive, act, session, item, number, signed_on, scan, scans, stored)
                dispatch = record_dispatch(
                    archive, act, draft=item.draft, series=f"{archive.config.org_code}{office.series(item.kind)}字",
                    year=year, number=n, document_number=number, level=item.case.level, signer=sign_off.signer,
                    signed_on=signed_on, on_paper=scan is not None, copies=copies,
                    records=[r.record_id for r in records],
                )
                results.append(Issued(dispatch, item.kind, [], records))
                if progress is not None:
                    progress(1)
    except BaseException:
        for info in stored:
            archive.record_path(info.record_id).unlink(missing_ok=True)
        raise
    return results


def _printable(item: _Item) -> list[bytes]:
    """The copies to print: one per 份号 for a classified document, else the original itself."""
    return item.documents[2:] or item.documents[:1]


def _printable_pdfs(item: _Item) -> list[bytes]:
    """The PDFs of :func:`_printable`, in the same order: ``item.pdfs`` is the original's, then each 份号's."""
    return item.pdfs[1:] or item.pdfs[:1]


def _file(
    archive: Archive, act: Act, session: Session, item: _Item, number: str, signed_on: date, scan: bytes | None,
    scans: dict[str, str], stored: list[RecordInfo],
) -> list[RecordInfo]:
    """File the original (DOCX, and PDF when made), the 定稿 and, once per case, the paper form's scan."""
    level_key = session.level_keys.get(item.case.level)
    if level_key is None:
        raise Refused(f"您的密级授权不含{item.case.level.label}，不能归档此文书")
    title = f"{number} {item.composition.title}"
    files = [(item.documents[0], f"{number}{item.kind.name}.docx", title, None)]
    if item.pdfs:
        files.append((item.pdfs[0], f"{number}{item.kind.name}.pdf", f"{title}（PDF）", None))
    files.append((item.documents[1], f"{number}{item.kind.name}（定稿）.docx", f"{title}（定稿）", SIGNED_DRAFT))
    if scan is not None and item.case.case_id not in scans:
        files.append((scan, f"{number}签发单扫描件", f"{number} 等文书的纸质签发单扫描件", SIGN_OFF_SCAN))
    schedule = archive.config.sections.get("retention", {})
    records = []
    for data, name, record_title, record_kind in files:
        kind = record_kind or parse_kind(item.kind.id)
        info = store_record(
            archive, act, io.BytesIO(data), name, case_id=item.case.case_id, title=record_title, kind=kind,
            level_key=level_key, retention=scheduled_retention(schedule, kind.id), formed=signed_on,
        )
        stored.append(info)
        records.append(info)
        if record_kind is SIGN_OFF_SCAN:
            scans[item.case.case_id] = info.record_id
    return records


def _write_originals(result: Issued, items: Sequence[_Item], out: Path) -> None:
    item = next(i for i in items if i.draft.draft_id == result.dispatch.draft_id)
    stem = f"{result.dispatch.document_number}{item.kind.name}"
    classified = len(item.documents) > 2
    pdfs = _printable_pdfs(item)
    for index, data in enumerate(_printable(item), 1):
        suffix = f"-份号{copy_number(index)}" if classified else ""
        path = out / f"{stem}{suffix}.docx"
        write_output(path, data)
        result.paths.append(path)
        if pdfs:
            pdf_path = path.with_suffix(".pdf")
            write_output(pdf_path, pdfs[index - 1])
            result.paths.append(pdf_path)


def _follow_up(archive: Archive, session: Session, issued: Sequence[Issued], signed_on: date) -> None:
    """What an issued letter does to its case: a 催办函 is a 催办 by letter, a 督办函 answers a 督办 request."""
    for result in issued:
        if result.kind.id not in ("reminder", "supervision"):
            continue
        case = open_case(archive, session, result.dispatch.case_id)
        try:
            if result.kind.id == "supervision" and case.state != "closed":
                record_supervision_letter(archive, session, case.case_id,
                                          document_number=result.dispatch.document_number, on=signed_on)
            elif result.kind.id == "reminder" and series_of(case) == "纪群字" and case.state in ("assigned", "returned"):
                record_reminder(archive, session, case.case_id, mode="函件", on=signed_on)
        except ArchiveError as exc:
            result.warnings.append(f"{result.kind.name}已发出，但未能记入信访件的办理记录：{exc}")
