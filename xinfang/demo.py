"""``xinfang demo``: a small office, end to end, in a fresh archive folder.

It plays each role once — the administrator creates the staff accounts, the
security officer hands out clearances, the secretary and the leader file
records at different levels, the administrator is refused content, the
auditor verifies without any key — and reports through ``say`` so the
command line decides how to show it.  Sample originals are written to a
private temporary folder and removed once filed: only the archive keeps them,
encrypted.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archive import (
    Archive,
    Founder,
    KdfParams,
    Level,
    NotFound,
    Role,
    add_account,
    add_records,
    create_archive,
    list_records,
    login,
    parse_kind,
    read_record,
    set_clearance,
    verify_archive,
)

__all__ = ["DEMO_PASSPHRASE", "DEMO_STAFF", "DemoResult", "run_demo"]

DEMO_PASSPHRASE = "演示口令-仅供试用"
ADMIN, OFFICER = "李管理", "赵保密"
DEMO_STAFF: dict[str, tuple[Role, Level | None]] = {
    "王文秘": (Role.SECRETARY, Level.CONFIDENTIAL),
    "孙档案": (Role.ARCHIVIST, Level.CONFIDENTIAL),
    "吴领导": (Role.LEADER, Level.TOP_SECRET),
    "周调查": (Role.INVESTIGATOR, Level.SECRET),
    "钱审计": (Role.AUDITOR, None),
}

_SAMPLES = [
    # (filer, file name, case, title, kind, level, text)
    ("王文秘", "来信-0001.txt", "XF-2026-0001", "反映某镇财政所挪用扶贫资金的来信", "letter", Level.SECRET,
     "纪委信访室：我反映某镇财政所会计挪用扶贫专项资金十二万元，用于个人购车。附银行流水复印件。"),
    ("王文秘", "来访记录-0002.txt", "XF-2026-0002", "关于村务公开问题的来访记录", "visit-record", Level.INTERNAL,
     "来访人反映村委会三年未公开账目，要求公开集体土地流转收入。接待人当面做了记录并由来访人核对签字。"),
    ("王文秘", "银行流水-0001.txt", "XF-2026-0001", "银行流水复印件", "evidence", Level.CONFIDENTIAL,
     "2026年3月至6月某账户流水：转入扶贫专项资金十二万元，当日转出至个人账户。"),
    ("吴领导", "初核报告-0001.txt", "XF-2026-0001", "关于挪用扶贫资金问题的初步核实报告", "report", Level.TOP_SECRET,
     "经初步核实，反映问题基本属实，建议移送案件检查部门立案审查。"),
]


@dataclass(frozen=True)
class DemoResult:
    """What the demo made: the folder, the record ids and whether verification passed."""

    folder: Path
    record_ids: list[str]
    verified: bool


def run_demo(folder: Path, say: Callable[[str], None], kdf: KdfParams) -> DemoResult:
    """Create a demo archive in ``folder`` (which must not exist or be empty) and walk every role through it."""
    say(f"① 系统管理员 {ADMIN} 新建档案库 {folder}，同时创建安全保密管理员 {OFFICER}")
    archive = create_archive(
        folder,
        organisation="伊金霍洛旗纪委监委",
        org_code="伊纪",
        fonds="J001",
        admin=Founder(ADMIN, DEMO_PASSPHRASE),
        security_officer=Founder(OFFICER, DEMO_PASSPHRASE),
        kdf=kdf,
    )
    with archive:
        admin = login(archive, ADMIN, DEMO_PASSPHRASE)
        say("② 系统管理员创建各岗位账户（新账户没有任何密级授权）")
        for name, (role, _) in DEMO_STAFF.items():
            add_account(archive, admin, name, [role], DEMO_PASSPHRASE, kdf)
            say(f"   {name}：{role.label}")
        officer = login(archive, OFFICER, DEMO_PASSPHRASE)
        say("③ 安全保密管理员授予密级（把各级密钥封装给本人公钥）")
        for name, (_, level) in DEMO_STAFF.items():
            if level is not None:
                set_clearance(archive, officer, name, level)
                say(f"   {name}：{level.label}")
        record_ids = _file_samples(archive, say)
        _show_listings(archive, say)
        say("⑥ 系统管理员尝试读取记录：")
        try:
            read_record(archive, admin, record_ids[0])
        except NotFound as exc:
            say(f"   被拒绝 —— {exc}")
        auditor = login(archive, "钱审计", DEMO_PASSPHRASE)
        report = verify_archive(archive, auditor)
        say(
            f"⑦ 安全审计员不持有任何密钥，校验审计日志与密文摘要：{'通过' if report.ok else '发现问题'}"
            f"（日志 {report.log_entries} 条，记录 {report.records_checked} 条）"
        )
    return DemoResult(folder, record_ids, report.ok)


def _file_samples(archive: Archive, say: Callable[[str], None]) -> list[str]:
    say("④ 文秘与领导把材料归入档案库（每条记录一把随机密钥，按密级封装）")
    record_ids = []
    with tempfile.TemporaryDirectory(prefix="xinfang-demo-") as scratch:
        sessions = {}
        for filer, file_name, case_id, title, kind, level, text in _SAMPLES:
            session = sessions.get(filer) or login(archive, filer, DEMO_PASSPHRASE)
            sessions[filer] = session
            source = Path(scratch) / file_name
            source.write_text(text, encoding="utf-8")
            (info,) = add_records(
                archive, session, [source], case_id=case_id, title=title, kind=parse_kind(kind), classification=level
            )
            source.unlink()
            record_ids.append(info.record_id)
            say(f"   {info.record_id}  {level.label}  {title}（{filer}）")
    return record_ids


def _show_listings(archive: Archive, say: Callable[[str], None]) -> None:
    say("⑤ 各人能看到的记录（按密级授权与岗位）：")
    for name in ("吴领导", "王文秘", "周调查"):
        visible = list_records(archive, login(archive, name, DEMO_PASSPHRASE))
        ids = "、".join(info.record_id for info in visible) or "无（调查员须经领导批准查阅，授权功能随后提供）"
        say(f"   {name}：{ids}")
