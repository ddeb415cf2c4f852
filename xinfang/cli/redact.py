"""``xinfang redact`` and ``xinfang gate``: nothing identifying leaves the office."""

from __future__ import annotations

import json
from pathlib import Path

import click

from archive import InvalidInput
from archive.files import write_atomic
from archive.outgoing import check_document, read_document, redact_for_case
from generators.conversion import convert_to_pdf

from ._runtime import Runtime, pass_runtime

__all__ = ["gate", "redact"]

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.argument("source", type=_FILE)
@click.option("--case", "case_id", required=True, help="文件所涉信访件；按其登记的信访人身份信息脱敏。")
@click.option("--out", required=True, type=_FILE, help="脱敏后的文件（DOCX 仍为 DOCX；文本与 PDF 输出为文本）。")
@click.option("--style", type=click.Choice(["label", "mask", "surname"]), default="label", show_default=True,
              help="label：【身份证号】【举报人】；mask：每字一个■；surname：张某、张某甲、某甲。")
@click.option("--report", type=_FILE, help="把脱敏报告（类别、数量、位置，不含原值）写成 JSON。")
@click.option("--pdf", "as_pdf", is_flag=True, help="由脱敏后的 DOCX 生成 PDF（经 LibreOffice，清除元数据，再过外发检查）。")
@pass_runtime
def redact(runtime: Runtime, source: Path, case_id: str, out: Path, style: str, report: Path | None,
           as_pdf: bool) -> None:
    """脱敏：去除文件中信访人、举报人、证人的身份信息，并按规则识别身份证号、电话等。

    DOCX 按整个文件包处理：正文、表格、文本框、页眉页脚、脚注尾注、批注与修订、超链接、
    域代码、替代文字、文档属性、缩略图与嵌入对象。PDF 原件不得转出，只输出脱敏文本。

    \b
    例：
      xinfang redact 来信.docx --case XF-2026-0001 --out 来信-脱敏.docx --style surname --report 报告.json
      xinfang redact 来信.docx --case XF-2026-0001 --out 来信-脱敏.pdf --pdf
    """
    for target in (out, report):
        if target is not None and target.exists():
            raise InvalidInput(f"输出文件 {target} 已存在，请换一个文件名")
    archive, session = runtime.archive(), runtime.session()
    document = redact_for_case(archive, session, case_id, source, style)
    data = document.data
    if as_pdf:
        if document.kind != "docx":
            raise InvalidInput("--pdf 只适用于 DOCX：外发的 PDF 只能由脱敏后的 DOCX 生成")
        (data,) = convert_to_pdf([document.data])
        check_document(archive, session, case_id, data, out.name)
    write_atomic(out, data)
    if report is not None:
        write_atomic(report, json.dumps(document.report.to_json(), ensure_ascii=False, indent=2).encode())
    for category, entry in document.report.entries.items():
        click.echo(f"{category}：{entry['count']} 处（{'、'.join(entry['places'][:5])}{'等' if len(entry['places']) > 5 else ''}）")
    click.echo(f"共脱敏 {document.report.total} 处 → {out}")
    if document.note:
        click.echo(f"注意：{document.note}")
    click.echo("自动识别不了间接身份信息（如“我是该村会计”），发出前请人工复核。")


@click.command()
@click.argument("source", type=_FILE)
@click.option("--case", "case_id", required=True, help="文件所涉信访件。")
@click.option("--to-petitioner", "addressee", type=int,
              help="文件是发给第 N 名信访人本人的告知书：允许出现其本人姓名和住址。")
@pass_runtime
def gate(runtime: Runtime, source: Path, case_id: str, addressee: int | None) -> None:
    """外发前检查：文件的每一部分都不得含有信访人身份信息，否则拒绝（退出码 1）。

    \b
    例：
      xinfang gate 交办函.docx --case XF-2026-0001
      xinfang gate 受理告知书.pdf --case XF-2026-0001 --to-petitioner 1
    """
    if addressee is not None and addressee < 1:
        raise InvalidInput("--to-petitioner 从 1 开始计数")
    check_document(runtime.archive(), runtime.session(), case_id, read_document(source), source.name,
                   addressee=None if addressee is None else addressee - 1)
    click.echo("检查通过：文件的全部内容（正文、页眉页脚、批注、属性、元数据等）均不含信访人身份信息，可以发出")
