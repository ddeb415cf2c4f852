"""``xinfang archive``: file records, read them back, list and verify them, and export numbered copies."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from archive import (
    InvalidInput,
    RecordInfo,
    add_records,
    list_records,
    parse_kind,
    parse_level,
    parse_retention,
    read_record,
    verify_archive,
)
from archive.copies import CopyRequest, issue_copy, list_copies, settle_copy
from archive.days import parse_date
from archive.files import write_atomic
from archive.filing import file_case
from archive.kinds import kind_label
from generators.copies import render_copy
from generators.fonts import font_map

from ._errors import EXIT_INTEGRITY
from ._output import echo_destructions, echo_json, echo_table, progress_bar
from ._runtime import Runtime, pass_runtime
from .search import index_filed

__all__ = ["archive_group"]

_RECORD_COLUMNS = ["记录号", "档号", "信访件", "类别", "密级", "保管期限", "形成日期", "题名"]


def _record_row(info: RecordInfo) -> tuple:
    return (info.record_id, info.archival_code, info.case_id, kind_label(info.kind),
            info.classification, info.retention, info.formed, info.title)


@click.group("archive")
def archive_group() -> None:
    """记录的归入、读取、列表与校验。

    \b
    例：
      xinfang archive add 来信.pdf --case XF-2026-0001 --title 来信原件 --kind letter --classification 秘密
    """


@archive_group.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--case", "case_id", required=True, help="所属信访件编号，如 XF-2026-0001。")
@click.option("--title", required=True, help="题名。")
@click.option("--kind", required=True, help="类别：letter 来信原件、visit-record 来访记录、phone-record 电话记录、evidence 证据材料、report 调查报告、other 其他。")
@click.option("--classification", required=True, help="密级：公开、内部、秘密、机密、绝密。")
@click.option("--retention", help="保管期限：Y（永久）、D30（30年）、D10（10年）；默认按 xinfang.toml 的期限表。")
@click.option("--formed", help="形成日期，默认今天；如 2026-11-05。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出新记录。")
@pass_runtime
def add(runtime: Runtime, files: tuple[Path, ...], case_id: str, title: str, kind: str,
        classification: str, retention: str | None, formed: str | None, as_json: bool) -> None:
    """把文件归入档案库，每个文件一条记录（加密保存）。

    \b
    例：
      xinfang archive add 来信.pdf 附件.jpg --case XF-2026-0001 --title 关于某村账目的来信 \\
          --kind 来信原件 --classification 秘密 --retention D30
    """
    archive, session = runtime.archive(), runtime.session()
    total = sum(path.stat().st_size for path in files if path.is_file())
    with progress_bar("归入", total) as bar:
        records = add_records(
            archive, session, list(files),
            case_id=case_id, title=title, kind=parse_kind(kind), classification=parse_level(classification),
            retention=parse_retention(retention) if retention else None,
            formed=parse_date(formed, "形成日期") if formed else None,
            progress=bar.advance,
            filed=None if as_json else lambda info: click.echo(f"已归入 {info.record_id}"),
        )
    index_filed(runtime)
    if as_json:
        echo_json({"records": [info.to_json() for info in records]})


@archive_group.command("get")
@click.argument("record_id")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出文件（明文，由您负责保管）。")
@pass_runtime
def get(runtime: Runtime, record_id: str, out: Path) -> None:
    """取出一条记录的原文，写到 --out 指定的文件。

    \b
    例：
      xinfang archive get R-2026-000001 --out 来信.pdf
    """
    if out.exists():
        raise InvalidInput(f"输出文件 {out} 已存在，请换一个文件名")
    info, content = read_record(runtime.archive(), runtime.session(), record_id)
    write_atomic(out, content)
    click.echo(f"已取出 {info.record_id}（{info.title}）→ {out}")


@archive_group.command("list")
@click.option("--case", "case_id", help="只列出该信访件的记录。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def list_(runtime: Runtime, case_id: str | None, as_json: bool) -> None:
    """列出您有权查看的记录。

    \b
    例：
      xinfang archive list --case XF-2026-0001 --json
    """
    records = list_records(runtime.archive(), runtime.session(), case_id)
    if as_json:
        echo_json([info.to_json() for info in records])
        return
    echo_table(_RECORD_COLUMNS, [_record_row(info) for info in records], empty="没有可查看的记录")


@archive_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
@pass_runtime
def verify(runtime: Runtime, as_json: bool) -> None:
    """校验档案库：审计日志、口令槽、密钥封装与每条记录的密文摘要；持有密钥时逐块解密认证。

    发现问题时退出码为 4。安全审计员无需任何内容密钥即可运行。

    \b
    例：
      XINFANG_USER=钱审计 xinfang archive verify
    """
    with progress_bar("校验") as bar:
        report = verify_archive(runtime.archive(), runtime.session(), progress=bar.update)
    if as_json:
        echo_json({
            "ok": report.ok,
            "problems": [{"where": p.where, "message": p.message} for p in report.problems],
            "warnings": report.warnings,
            "records_checked": report.records_checked,
            "records_decrypted": report.records_decrypted,
            "records_destroyed": report.records_destroyed,
            "log_entries": report.log_entries,
            "destructions": [asdict(check) for check in report.destructions],
        })
    else:
        for problem in report.problems:
            click.echo(f"问题  {problem.where}：{problem.message}")
        for warning in report.warnings:
            click.echo(f"提示  {warning}")
        echo_destructions(report.destructions)
        signers = "、".join(f"{name} {n}" for name, n in sorted(report.signers.items()))
        click.echo(
            f"审计日志 {report.log_entries} 条（检查点签署人：{signers or '无'}）；"
            f"记录 {report.records_checked} 条，其中 {report.records_decrypted} 条已逐块解密认证"
            + (f"，{report.records_destroyed} 条为已销毁的存根" if report.records_destroyed else "")
        )
        click.echo("校验通过" if report.ok else f"发现 {len(report.problems)} 个问题")
    if not report.ok:
        click.get_current_context().exit(EXIT_INTEGRITY)


@archive_group.command("file")
@click.argument("case_id")
@click.option("--force", is_flag=True, help="未结案也归档（仅限领导）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出归档的记录及其档号。")
@pass_runtime
def file_(runtime: Runtime, case_id: str, force: bool, as_json: bool) -> None:
    """归档：把已结案信访件的全部记录作为档案文件，按形成顺序编定档号（一案一档）。

    \b
    例：
      XINFANG_USER=孙档案 xinfang archive file XF-2026-0001
    """
    records = file_case(runtime.archive(), runtime.session(), case_id, force=force)
    index_filed(runtime)
    if as_json:
        echo_json({"records": [info.to_json() for info in records]})
        return
    echo_table(["档号", "记录号", "类别", "密级", "形成日期", "题名"],
               [(r.archival_code, r.record_id, kind_label(r.kind), r.classification, r.formed, r.title)
                for r in records], empty="没有记录")


@archive_group.command("export")
@click.argument("record_id")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件（带水印的 PDF；--docx 时为 DOCX）。")
@click.option("--copy-no", "copy_no", type=int, help="份号；默认取该记录的下一个份号。")
@click.option("--docx", "as_docx", is_flag=True, help="导出可编辑的 DOCX 原件副本（仅限文秘和领导）。")
@pass_runtime
def export(runtime: Runtime, record_id: str, out: Path, copy_no: int | None, as_docx: bool) -> None:
    """导出一条记录的编号副本：PDF 每页加盖“仅供某某查阅”、时间、档号和份号水印，登记在分发登记簿中。

    调查员只能以这种方式取得记录内容（须持有领导批准、在有效期内的查阅授权）。

    \b
    例：
      xinfang archive export R-2026-000001 --out 来信-副本.pdf
      xinfang archive export R-2026-000020 --out 通知书.docx --docx
    """
    if out.exists():
        raise InvalidInput(f"输出文件 {out} 已存在，请换一个文件名")
    faces = font_map(runtime.archive().config.sections.get("fonts"))

    def render(request: CopyRequest) -> bytes:
        return request.content if as_docx else render_copy(request, faces)

    entry = issue_copy(runtime.archive(), runtime.session(), record_id, fmt="docx" if as_docx else "pdf",
                       render=render, deliver=lambda data: write_atomic(out, data), copy_no=copy_no)
    click.echo(f"已导出 {entry.record_id} 第{entry.copy_no:03d}份（{entry.format.upper()}，已登记）→ {out}")


@archive_group.command("copies")
@click.option("--record", "record_id", help="只列出该记录的副本。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def copies(runtime: Runtime, record_id: str | None, as_json: bool) -> None:
    """分发登记簿：每份导出副本的份号、领取人、时间、依据的授权和去向（档案员、领导看全部，其他人看本人的）。

    \b
    例：
      xinfang archive copies --record R-2026-000001
    """
    entries = list_copies(runtime.archive(), runtime.session(), record_id)
    if as_json:
        echo_json([entry.to_json() for entry in entries])
        return
    states = {"out": "在外", "returned": "已收回", "destroyed": "已销毁"}
    echo_table(["记录号", "份号", "领取人", "导出时间", "格式", "授权", "去向", "登记时间"],
               [(e.record_id, f"{e.copy_no:03d}", e.viewer, e.exported_at, e.format.upper(), e.grant_id,
                 states[e.state], e.state_at) for e in entries], empty="分发登记簿中没有副本")


@archive_group.command("settle-copy")
@click.argument("record_id")
@click.argument("copy_no", type=int)
@click.option("--returned", "state", flag_value="returned", help="副本已收回。")
@click.option("--destroyed", "state", flag_value="destroyed", help="副本已销毁。")
@pass_runtime
def settle_copy_command(runtime: Runtime, record_id: str, copy_no: int, state: str | None) -> None:
    """登记一份副本已收回或已销毁（档案员、领导）。

    \b
    例：
      xinfang archive settle-copy R-2026-000001 3 --returned
    """
    if state is None:
        raise click.UsageError("请指明 --returned（已收回）或 --destroyed（已销毁）")
    entry = settle_copy(runtime.archive(), runtime.session(), record_id, copy_no, state=state)
    click.echo(f"已登记：{entry.record_id} 第{entry.copy_no:03d}份{'已收回' if state == 'returned' else '已销毁'}")
