"""``xinfang demo``: a small office, end to end, in a fresh archive folder.

It plays each role once.  The administrator creates the staff accounts; the
security officer hands out clearances; the secretary registers two petitions
and files their material; the leader instructs; one case is assigned to a
township commission and shows up as due for a reminder a month later; the
secretary drafts one document of every kind and the leader signs them off, so
they are numbered, filed and printed (:mod:`xinfang.demo_letters`); the other
case is handled by the office itself, closed and filed by the archivist with
档号; an expired 2010 record is destroyed with approval and two witnesses; then every register, statistic and archival list is made once
(:mod:`xinfang.demo_reports`).  The administrator is refused content and the auditor verifies without
any key.  Everything is reported through ``say`` so the command line decides
how to show it.  Sample originals are written to a private temporary folder and
removed once filed: only the archive keeps them, encrypted.  The printable
letters go to a separate folder, since they are plaintext by intent.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from archive import (
    Archive,
    Founder,
    InvalidInput,
    KdfParams,
    Level,
    NotFound,
    Retention,
    Role,
    Session,
    add_account,
    add_records,
    create_archive,
    list_records,
    login,
    parse_kind,
    parse_level,
    read_record,
    set_clearance,
    verify_archive,
)
from archive.access import grant_access
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, register_case
from archive.copies import issue_copy
from archive.destruction import approve_batch, execute_batch, propose_batch, witness_batch
from archive.files import write_atomic
from archive.filing import file_case
from archive.handling import (
    assign_case,
    close_case,
    instruct_case,
    propose_route,
    report_case,
    review_case,
)
from archive.supervision import cases_due
from generators.copies import render_copy
from generators.fonts import font_map
from generators.reporting import render_destruction_register
from search import index_queued, search_archive

from .demo_letters import issue_every_kind
from .demo_reports import make_every_report

__all__ = ["ADMIN", "DEMO_PASSPHRASE", "DEMO_STAFF", "OFFICER", "DemoResult", "run_demo"]

DEMO_PASSPHRASE = "演示口令-仅供试用"
ADMIN, OFFICER = "李管理", "赵保密"
DEMO_STAFF: dict[str, tuple[Role, Level | None]] = {
    "王文秘": (Role.SECRETARY, Level.CONFIDENTIAL),
    "孙档案": (Role.ARCHIVIST, Level.CONFIDENTIAL),
    "吴领导": (Role.LEADER, Level.TOP_SECRET),
    "周调查": (Role.INVESTIGATOR, Level.SECRET),
    "钱审计": (Role.AUDITOR, None),
}


@dataclass(frozen=True)
class DemoResult:
    """What the demo made: the folder, the case and record ids, and whether verification passed."""

    folder: Path
    documents: Path
    case_ids: list[str]
    record_ids: list[str]
    verified: bool


class _Office:
    """The demo archive and the staff's sessions, logged in once each."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._sessions: dict[str, Session] = {}

    def __getitem__(self, name: str) -> Session:
        if name not in self._sessions:
            self._sessions[name] = login(self.archive, name, DEMO_PASSPHRASE)
        return self._sessions[name]


def run_demo(folder: Path, documents: Path, say: Callable[[str], None], kdf: KdfParams, today: date | None = None
             ) -> DemoResult:
    """Create a demo archive in ``folder`` and its letters in ``documents`` (both absent or empty)."""
    today = today or date.today()
    if documents.exists() and (not documents.is_dir() or any(documents.iterdir())):
        raise InvalidInput(f"文书文件夹 {documents} 已存在且不为空，演示不会覆盖它")
    say(f"① 系统管理员 {ADMIN} 新建档案库 {folder}，同时创建安全保密管理员 {OFFICER}")
    archive = create_archive(
        folder, organisation="伊金霍洛旗纪委监委", org_code="伊纪", fonds="J001",
        admin=Founder(ADMIN, DEMO_PASSPHRASE), security_officer=Founder(OFFICER, DEMO_PASSPHRASE), kdf=kdf,
    )
    with archive:
        office = _Office(archive)
        say("② 系统管理员创建各岗位账户（新账户没有任何密级授权）")
        for name, (role, _) in DEMO_STAFF.items():
            add_account(archive, office[ADMIN], name, [role], DEMO_PASSPHRASE, kdf)
            say(f"   {name}：{role.label}")
        say("③ 安全保密管理员授予密级（把各级密钥封装给本人公钥）")
        for name, (_, level) in DEMO_STAFF.items():
            if level is not None:
                set_clearance(archive, office[OFFICER], name, level)
                say(f"   {name}：{level.label}")
        case_ids = _register(office, say, today)
        with tempfile.TemporaryDirectory(prefix="xinfang-demo-") as scratch:
            record_ids = _file_material(office, case_ids, Path(scratch), say)
            _assign(office, case_ids[0], say, today)
            say("⑦ 文秘按每种文书各拟一稿，领导签发，分配发文字号，正本和定稿随案归档（DOCX 与 PDF）")
            issue_every_kind(office, case_ids[0], case_ids[1], documents, say, today)
            _handle_own(office, case_ids[1], Path(scratch), say)
            batch_id = _destroy_expired(office, Path(scratch), say, today)
        say(f"⑩ 登记表、统计报表和归档目录（每种一份，DOCX 与 PDF）：{documents / '报表'}")
        make_every_report(office, case_ids[0], case_ids[1], batch_id, documents / "报表", say, today)
        _show_listings(office, say)
        _search(office, say)
        _grant_and_copy(office, case_ids[0], record_ids[0], documents, say)
        say("⑫ 系统管理员尝试读取记录：")
        try:
            read_record(archive, office[ADMIN], record_ids[0])
        except NotFound as exc:
            say(f"   被拒绝 —— {exc}")
        report = verify_archive(archive, office["钱审计"])
        say(
            f"⑬ 安全审计员不持有任何密钥，校验审计日志与密文摘要：{'通过' if report.ok else '发现问题'}"
            f"（日志 {report.log_entries} 条，记录 {report.records_checked} 条）"
        )
    return DemoResult(folder, documents, case_ids, record_ids, report.ok)


def _register(office: _Office, say: Callable[[str], None], today: date) -> list[str]:
    say("④ 文秘登记两件信访件（信访人、被反映人与摘要加密保存）")
    registrations = [
        CaseRegistration(
            channel="来信", received=today - timedelta(days=20), category="检举", importance="一般",
            classification=Level.SECRET, real_name=True,
            petitioners=[Petitioner("刘某某", id_number="11010519491231002X", phone="13800000000")],
            reported=[ReportedPerson("张某某", unit="某镇财政所", post="会计", party_member=True)],
            disciplines=["廉洁"], summary="反映某镇财政所会计张某某挪用扶贫专项资金十二万元，用于个人购车。",
        ),
        CaseRegistration(
            channel="来访", received=today - timedelta(days=10), category="意见建议", importance="一般",
            classification=Level.INTERNAL, real_name=False, people=6, representatives=3,
            summary="来访群众反映村委会三年未公开账目，要求公开集体土地流转收入。",
        ),
    ]
    case_ids = []
    for registration in registrations:
        registered = register_case(office.archive, office["王文秘"], registration, today=today)
        case_ids.append(registered.case_id)
        say(f"   {registered.case_id}  {registration.channel}  {registration.classification.label}  "
            f"办理期限 {registered.deadline.isoformat()}")
    return case_ids


_MATERIAL = [
    # (filer, case index, file name, title, kind, level, text)
    ("王文秘", 0, "来信.txt", "反映某镇财政所挪用扶贫资金的来信", "letter", Level.SECRET,
     "纪委信访室：我反映某镇财政所会计挪用扶贫专项资金十二万元，用于个人购车。附银行流水复印件。"),
    ("王文秘", 0, "银行流水.txt", "银行流水复印件", "evidence", Level.CONFIDENTIAL,
     "2026年3月至6月某账户流水：转入扶贫专项资金十二万元，当日转出至个人账户。"),
    ("吴领导", 0, "初核报告.txt", "关于挪用扶贫资金问题的初步核实报告", "report", Level.TOP_SECRET,
     "经初步核实，反映问题基本属实，建议移送案件检查部门立案审查。"),
    ("王文秘", 1, "来访记录.txt", "关于村务公开问题的来访记录", "visit-record", Level.INTERNAL,
     "来访人反映村委会三年未公开账目，要求公开集体土地流转收入。接待人当面做了记录并由来访人核对签字。"),
]


def _file_material(office: _Office, case_ids: list[str], scratch: Path, say: Callable[[str], None]) -> list[str]:
    say("⑤ 文秘与领导把材料归入档案库（每条记录一把随机密钥，按密级封装）")
    record_ids = []
    for filer, case_index, file_name, title, kind, level, text in _MATERIAL:
        source = scratch / file_name
        source.write_text(text, encoding="utf-8")
        (info,) = add_records(
            office.archive, office[filer], [source], case_id=case_ids[case_index], title=title,
            kind=parse_kind(kind), classification=level,
        )
        source.unlink()
        record_ids.append(info.record_id)
        say(f"   {info.record_id}  {info.case_id}  {level.label}  {title}（{filer}）")
    return record_ids


def _assign(office: _Office, assigned: str, say: Callable[[str], None], today: date) -> None:
    archive, clerk, leader = office.archive, office["王文秘"], office["吴领导"]
    say(f"⑥ {assigned}：拟办交办 → 领导批示 → 以纪群字交某镇纪委（3 个月内报结）")
    propose_route(archive, clerk, assigned, route="交办", unit="某镇纪委", opinion="建议交某镇纪委调查核实并报结")
    instruct_case(archive, leader, assigned, text="同意，请某镇纪委认真核查，按期报结")
    case = assign_case(archive, clerk, assigned, unit="某镇纪委", series="纪群字", acknowledged=today)
    say(f"   应于 {case.events[-1]['data']['report_due']} 前报结")
    month_later = today + timedelta(days=31)
    for due in cases_due(archive, clerk, "reminder", month_later):
        say(f"   {month_later.isoformat()} 应催办：{due.case.case_id}（{'；'.join(due.reasons)}）")


def _handle_own(office: _Office, own: str, scratch: Path, say: Callable[[str], None]) -> None:
    archive, clerk, leader = office.archive, office["王文秘"], office["吴领导"]
    say(f"⑧ {own}：自办 → 批示 → 本室报结 → 审核通过 → 结案（匿名件无须答复）")
    propose_route(archive, clerk, own, route="自办", opinion="由本室约谈村委会负责人，督促公开账目")
    instruct_case(archive, leader, own, text="同意")
    report = scratch / "办理报告.txt"
    report.write_text("经约谈，村委会已于本月张榜公开近三年账目。", encoding="utf-8")
    report_case(archive, clerk, own, [report], by_unit="信访室")
    report.unlink()
    review_case(archive, clerk, own, accept=True)
    close_case(archive, clerk, own)
    say(f"⑨ 档案员归档 {own}（一案一档，按形成顺序编档号）：")
    for info in file_case(archive, office["孙档案"], own):
        say(f"   {info.archival_code}  {info.record_id}  {info.title}")


def _destroy_expired(office: _Office, scratch: Path, say: Callable[[str], None], today: date) -> str:
    """A 2010 case whose 定期10年 material ran out in 2021: proposed, approved, witnessed, erased."""
    archive, clerk, archivist = office.archive, office["王文秘"], office["孙档案"]
    old = register_case(archive, clerk, CaseRegistration(
        channel="来信", received=date(2010, 3, 1), category="申诉", importance="一般", classification=Level.INTERNAL,
        real_name=False, summary="2010年来信申诉低保资格被取消，已于当年办结。"), today=today).case_id
    source = scratch / "旧案来信.txt"
    source.write_text("2010年来信：申诉本人低保资格被取消，请求复查。", encoding="utf-8")
    (info,) = add_records(archive, clerk, [source], case_id=old, title="2010年申诉低保资格的来信",
                          kind=parse_kind("letter"), classification=Level.INTERNAL, retention=Retention.TEN_YEARS,
                          formed=date(2010, 3, 1))
    source.unlink()
    batch = propose_batch(archive, archivist, [info.record_id], note="定期10年，2021年届满")
    approve_batch(archive, office["吴领导"], batch.batch_id)
    for witness in ("王文秘", "钱审计"):
        witness_batch(archive, office[witness], batch.batch_id)
    done = execute_batch(archive, archivist, batch.batch_id, render_destruction_register(archive, archivist))
    say(f"   到期档案 {info.record_id}（{old}，定期10年）：档案员提出 {batch.batch_id} → 吴领导批准 → "
        "王文秘、钱审计监销 → 密码擦除")
    say(f"   销毁清册随即作为永久档案归入 {done.register_record}")
    return batch.batch_id


def _search(office: _Office, say: Callable[[str], None]) -> None:
    indexed = index_queued(office.archive, office["吴领导"])
    say(f"⑪ 全文检索（各级索引分别加密；命令行在每次归入后自动编入，此处一次编入 {indexed.total} 件）：")
    for name in ("王文秘", "吴领导", "周调查"):
        found = search_archive(office.archive, office[name], "扶贫资金")
        say(f"   {name} 检索“扶贫资金”：{found.count} 条")
        for hit in found.results[:2]:
            say(f"      {hit['record_id']}  {hit['title']}  {hit['snippet']}")
    say("   （文秘只见到机密及以下的记录；调查员尚未获授权，一条也见不到）")


def _grant_and_copy(office: _Office, case_id: str, record_id: str, documents: Path, say: Callable[[str], None]
                    ) -> None:
    made = grant_access(office.archive, office["吴领导"], case_id, to="周调查", days=10, reason="初核需要调阅原始来信")
    say(f"   领导授权 {made.grant_id}：周调查 可查阅 {case_id} 十天；周调查再检索：")
    found = search_archive(office.archive, office["周调查"], "扶贫资金")
    say(f"   周调查 检索“扶贫资金”：{found.count} 条（仅 {case_id} 中秘密及以下的记录）")
    out = documents / "副本" / f"{record_id}-周调查.pdf"
    faces = font_map(office.archive.config.sections.get("fonts"))
    entry = issue_copy(office.archive, office["周调查"], record_id, fmt="pdf",
                       render=lambda request: render_copy(request, faces),
                       deliver=lambda data: write_atomic(out, data))
    say(f"   周调查 只能导出带水印的编号副本：第{entry.copy_no:03d}份 → {out}（已登记分发登记簿）")


def _show_listings(office: _Office, say: Callable[[str], None]) -> None:
    say("   各人能看到的记录（按密级授权与岗位）：")
    for name in ("吴领导", "王文秘", "周调查"):
        visible = list_records(office.archive, office[name])
        if not visible:
            say(f"   {name}：无（调查员须经领导批准方可查阅）")
            continue
        levels = sorted({info.classification for info in visible}, key=lambda label: parse_level(label).value)
        say(f"   {name}：{len(visible)} 条（{'、'.join(levels)}），{visible[0].record_id} 至 {visible[-1].record_id} 之间")
