"""``xinfang issue``: 签发 and 编号 of drafts, the 发文登记簿, and voiding a number."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from archive import Session, login
from archive.days import parse_date
from archive.dispatch import list_dispatches, void_dispatch
from generators.issuing import SignOff, issue_drafts
from generators.kinds import find_kind

from ._groups import DefaultCommandGroup
from ._output import echo_json, echo_table, progress_bar
from ._runtime import Runtime, pass_runtime, read_secret
from .search import index_filed

__all__ = ["issue"]


class _IssueGroup(DefaultCommandGroup):
    """``issue DRAFT …`` is ``issue sign DRAFT …``: signing off is what the command is mostly for."""

    default_command = "sign"


@click.group(cls=_IssueGroup)
def issue() -> None:
    """签发与编号：领导签发后分配发文字号，印制份号，归档正本与定稿，登记发文登记簿。

    发文字号按系列和年度连续分配，不跳号、不重号；作废的字号留档，永不再用。

    \b
    例：
      xinfang issue NG-2026-000001 --signer 吴领导 --pdf --out 发文/
      xinfang issue 草稿/NG-2026-000002-交办函（草稿）.docx --signer 吴领导 --signed-on-paper 签发单.pdf
      xinfang issue void 伊纪群字〔2026〕3号 --reason 主送单位有误
      xinfang issue list --year 2026
    """


def _signer_session(runtime: Runtime, signer: str, passphrase_file: Path | None) -> Session:
    """The leader's own session: the acting user when that is the signer, else the signer logs in here."""
    if runtime.user == signer:
        return runtime.session()
    passphrase = read_secret("XINFANG_SIGNER_PASSPHRASE", passphrase_file, f"签发人 {signer} 的口令")
    return login(runtime.archive(), signer, passphrase)


@issue.command("sign")
@click.argument("drafts", nargs=-1, required=True)
@click.option("--signer", required=True, help="签发人（领导账户名）。")
@click.option("--signed-on", "signed_on", help="签发日期，默认今天；如 2026-11-05。")
@click.option("--copies", type=click.IntRange(1, 999), default=1, show_default=True,
              help="印制份数；涉密文书每份一个份号。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF（嵌入字体）。")
@click.option("--signed-on-paper", "paper", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="纸质签发单的扫描件：签发人未在本系统确认时使用，扫描件随文归档并标明。")
@click.option("--signer-passphrase-file", "signer_passphrase_file", type=click.Path(dir_okay=False, path_type=Path),
              help="签发人口令文件（否则取 XINFANG_SIGNER_PASSPHRASE，或提示签发人输入）。")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="印制文件写入的文件夹（明文文件，请妥善保管）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def sign(runtime: Runtime, drafts: tuple[str, ...], signer: str, signed_on: str | None, copies: int, pdf: bool,
         paper: Path | None, signer_passphrase_file: Path | None, out: Path, as_json: bool) -> None:
    """签发并编号一份或多份草稿（草稿编号或草稿文件）。

    签发人本人登录操作，或由文秘操作时签发人当场输入口令；否则须以 --signed-on-paper 附纸质签发单扫描件。
    外发文书先经外发检查（含身份信息的不能签发）；生成 PDF 前检查每个字都有字形。任何一步失败都不占用发文字号。

    \b
    例：
      xinfang issue sign NG-2026-000001 NG-2026-000002 --signer 吴领导 --copies 3 --pdf --out 发文/
    """
    archive, session = runtime.archive(), runtime.session()
    day = parse_date(signed_on, "--signed-on") if signed_on else date.today()
    signed_by = None if paper else _signer_session(runtime, signer, signer_passphrase_file)
    with progress_bar("签发编号", total=len(drafts)) as bar:
        issued = issue_drafts(archive, session, list(drafts), SignOff(signer, day, signed_by, paper), out,
                              copies=copies, pdf=pdf, progress=bar.advance)
    index_filed(runtime)
    if as_json:
        documents: list[dict[str, Any]] = [
            {"document_number": r.dispatch.document_number, "paths": [str(p) for p in r.paths],
             "records": [record.to_json() for record in r.records], "warnings": r.warnings}
            for r in issued
        ]
        echo_json(documents[0] if len(documents) == 1 else {"documents": documents})
        return
    for result in issued:
        paper_note = "（纸质签发单）" if result.dispatch.on_paper else ""
        click.echo(f"{result.dispatch.document_number}  {result.kind.name}  信访件 {result.dispatch.case_id}  "
                   f"签发：{result.dispatch.signer} {result.dispatch.signed_on}{paper_note}")
        click.echo(f"  归档：{'、'.join(r.record_id for r in result.records)}")
        for path in result.paths:
            click.echo(f"  印制：{path}")
        for warning in result.warnings:
            click.echo(f"注意：{warning}", err=True)
    click.echo(f"共签发 {len(issued)} 份文书。")


@issue.command("void")
@click.argument("number")
@click.option("--reason", required=True, help="作废理由。")
@pass_runtime
def void(runtime: Runtime, number: str, reason: str) -> None:
    """作废一个已分配的发文字号：登记簿保留并注明作废，字号永不再用。

    \b
    例：
      xinfang issue void 伊纪群字〔2026〕3号 --reason 主送单位有误，重新发文
    """
    dispatch = void_dispatch(runtime.archive(), runtime.session(), number, reason)
    click.echo(f"发文字号 {dispatch.document_number} 已作废（{dispatch.voided_at}），该字号不再使用。")


@issue.command("list")
@click.option("--year", type=int, help="只列出某一年度。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def register(runtime: Runtime, year: int | None, as_json: bool) -> None:
    """发文登记簿：发文字号、文种、信访件、签发人和日期、份数、归档记录、作废情况。

    \b
    例：
      xinfang issue list --year 2026
    """
    dispatches = list_dispatches(runtime.archive(), runtime.session(), year=year)
    if as_json:
        echo_json({"documents": [d.to_json() for d in dispatches]})
        return
    echo_table(
        ("发文字号", "文种", "信访件", "密级", "签发人", "签发日期", "份数", "归档", "状态"),
        [(d.document_number, find_kind(d.kind).name, d.case_id, d.classification,
          d.signer + ("（纸质签发单）" if d.on_paper else ""), d.signed_on, d.copies, f"{len(d.records)} 件",
          f"作废：{d.void_reason}" if d.voided_at else "有效")
         for d in dispatches],
        empty="发文登记簿中没有您可查看的文书。",
    )
