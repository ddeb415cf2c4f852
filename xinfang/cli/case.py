"""``xinfang case``: the case register and its handling cycle."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from archive import InvalidInput, parse_level
from archive.cases import CaseFile, CaseRegistration, Petitioner, ReportedPerson, list_cases, read_case, register_case
from archive.days import parse_date
from archive.handling import (
    STATE_LABELS,
    assign_case,
    close_case,
    decide_extension,
    extend_case,
    instruct_case,
    propose_route,
    record_reminder,
    reply_case,
    report_case,
    request_extension,
    review_case,
    step_label,
    supervise_case,
    write_summary_out,
)
from archive.supervision import cases_due

from ._output import echo_json, echo_table
from ._runtime import Runtime, pass_runtime
from .search import index_filed

__all__ = ["case"]

_ON = click.option("--on", "on", help="办理日期，默认今天；如 2026-11-05。")


def _date(value: str | None, label: str) -> date | None:
    return parse_date(value, label) if value else None


def _aligned(values: tuple[str, ...], count: int, option: str) -> list[str | None]:
    """The i-th value belongs to the i-th person; fewer values leave the rest empty."""
    if len(values) > count:
        raise InvalidInput(f"{option} 给出了 {len(values)} 个值，但只有 {count} 人")
    return [*values, *([None] * (count - len(values)))]


def _done(case: CaseFile, what: str) -> None:
    click.echo(f"信访件 {case.case_id}：{what}（当前状态：{STATE_LABELS[case.state]}）")


@click.group()
def case() -> None:
    """信访件登记与办理：登记 → 拟办 → 批示 → 交办/转办 → 报结 → 审核 → 答复 → 结案。

    \b
    例：
      xinfang case register --channel 来信 --received 2026-11-02 --category 检举 --importance 一般 \\
          --anonymous --reported 张某某 --summary "反映某镇财政所挪用扶贫资金" --classification 秘密
      xinfang case list --due-for reminder
    """


@case.command("register")
@click.option("--channel", required=True, help="来源渠道：来信、来访、来电、举报箱、网上。")
@click.option("--received", required=True, help="收信/来访日期，如 2026-11-02。")
@click.option("--category", required=True, help="问题类别：检举、控告、申诉、意见建议。")
@click.option("--importance", required=True, help="重要程度：一般、重要。")
@click.option("--real-name", "real_name", flag_value=True, default=None, help="署实名（须登记信访人）。")
@click.option("--anonymous", "real_name", flag_value=False, help="匿名。")
@click.option("--petitioner", "petitioners", multiple=True, help="信访人姓名，可重复。")
@click.option("--id-number", "id_numbers", multiple=True, help="身份证号码，按顺序对应 --petitioner。")
@click.option("--phone", "phones", multiple=True, help="联系电话，按顺序对应 --petitioner。")
@click.option("--address", "addresses", multiple=True, help="住址，按顺序对应 --petitioner。")
@click.option("--work-unit", "work_units", multiple=True, help="工作单位，按顺序对应 --petitioner。")
@click.option("--reported", "reported", multiple=True, help="被反映人姓名，可重复。")
@click.option("--reported-unit", "reported_units", multiple=True, help="被反映人单位，按顺序对应 --reported。")
@click.option("--reported-post", "reported_posts", multiple=True, help="被反映人职务，按顺序对应 --reported。")
@click.option("--reported-rank", "reported_ranks", multiple=True, help="被反映人级别，按顺序对应 --reported。")
@click.option("--party-member", "party_members", multiple=True, is_flag=False, flag_value="*",
              help="被反映人是党员；有多名被反映人时写明姓名：--party-member 张某某。")
@click.option("--witness", "witnesses", multiple=True, help="证人姓名，可重复（其身份同样受保护，不得外传）。")
@click.option("--witness-phone", "witness_phones", multiple=True, help="证人电话，按顺序对应 --witness。")
@click.option("--discipline", "disciplines", multiple=True, help="违纪类别，可重复：政治、组织、廉洁、群众、工作、生活。")
@click.option("--summary", help="内容摘要。")
@click.option("--summary-file", type=click.Path(dir_okay=False, path_type=Path), help="从 UTF-8 文本文件读取内容摘要。")
@click.option("--people", type=int, help="来访人数。")
@click.option("--representatives", type=int, help="集体访推选的代表人数（3–5 人）。")
@click.option("--to-beijing", "beijing_intent", is_flag=True, help="来访人表示要进京上访（10 人以上即为重大事项）。")
@click.option("--first-receiver", help="首问责任人（默认为登记人）。")
@click.option("--from-above", is_flag=True, help="上级交办件。")
@click.option("--above-number", help="上级交办的发文字号。")
@click.option("--above-deadline", help="上级要求的办结期限。")
@click.option("--repeat-of", help="重复信访：原信访件编号。")
@click.option("--classification", required=True, help="密级：公开、内部、秘密、机密、绝密。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出新编号。")
@pass_runtime
def register(runtime: Runtime, **options: Any) -> None:
    """登记信访件，给出编号、办理期限，以及可能的重复件。

    同一人的多项信息按顺序对应：第 1 个 --id-number 属于第 1 个 --petitioner。

    \b
    例：
      xinfang case register --channel 来访 --received 2026-11-02 --category 控告 --importance 重要 \\
          --real-name --petitioner 李某 --phone 13800000000 --reported 王某 --reported-unit 某镇政府 \\
          --summary-file 摘要.txt --people 6 --representatives 3 --classification 秘密
    """
    archive, session = runtime.archive(), runtime.session()
    registered = register_case(archive, session, _registration(options))
    report = click.echo if not options["as_json"] else (lambda line: click.echo(line, err=True))
    for warning in registered.warnings:
        report(f"提示：{warning}")
    for case_id, reasons in registered.likely_repeats:
        report(f"可能重复：{case_id}（{reasons}）")
    if options["as_json"]:
        echo_json({"case_id": registered.case_id})
    else:
        click.echo(f"已登记 {registered.case_id}，办理期限 {registered.deadline.isoformat()}")


def _registration(o: dict[str, Any]) -> CaseRegistration:
    if o["real_name"] is None:
        raise InvalidInput("请指明 --real-name（署实名）或 --anonymous（匿名）")
    if (o["summary"] is None) == (o["summary_file"] is None):
        raise InvalidInput("请用 --summary 或 --summary-file 给出内容摘要（二选一）")
    summary = o["summary"]
    if o["summary_file"] is not None:
        try:
            summary = o["summary_file"].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"无法以 UTF-8 读取摘要文件 {o['summary_file']}") from exc
    count = len(o["petitioners"])
    details = [_aligned(o[key], count, f"--{key[:-1].replace('_', '-')}")
               for key in ("id_numbers", "phones", "addresses", "work_units")]
    petitioners = [Petitioner(name, *fields) for name, *fields in zip(o["petitioners"], *details, strict=True)]
    count = len(o["reported"])
    members = set(o["party_members"])
    if "*" in members and count > 1:
        raise InvalidInput("有多名被反映人时，请写明谁是党员：--party-member 姓名")
    about = [_aligned(o[key], count, f"--{key[:-1].replace('_', '-')}")
             for key in ("reported_units", "reported_posts", "reported_ranks")]
    reported = [
        ReportedPerson(name, unit, post, rank, party_member=("*" in members or name in members))
        for name, unit, post, rank in zip(o["reported"], *about, strict=True)
    ]
    phones = _aligned(o["witness_phones"], len(o["witnesses"]), "--witness-phone")
    witnesses = [Petitioner(name, phone=phone) for name, phone in zip(o["witnesses"], phones, strict=True)]
    if o["from_above"] and not o["above_number"]:
        raise InvalidInput("上级交办件须给出 --above-number")
    return CaseRegistration(
        channel=o["channel"], received=parse_date(o["received"], "收件日期"), category=o["category"],
        importance=o["importance"], classification=parse_level(o["classification"]), summary=summary,
        real_name=o["real_name"], petitioners=petitioners, reported=reported, witnesses=witnesses,
        disciplines=o["disciplines"],
        people=o["people"], representatives=o["representatives"], beijing_intent=o["beijing_intent"],
        first_receiver=o["first_receiver"], above_number=o["above_number"] if o["from_above"] else None,
        above_deadline=_date(o["above_deadline"], "上级期限"), repeat_of=o["repeat_of"],
    )


@case.command("propose")
@click.argument("case_id")
@click.option("--route", required=True, help="拟办方式：自办、转办、交办、摘报、要信请示。")
@click.option("--unit", help="承办单位（转办、交办时必填）。")
@click.option("--opinion", required=True, help="拟办意见。")
@_ON
@pass_runtime
def propose(runtime: Runtime, case_id: str, route: str, unit: str | None, opinion: str, on: str | None) -> None:
    """提出拟办意见（文秘）。

    \b
    例：
      xinfang case propose XF-2026-0001 --route 交办 --unit 某镇纪委 --opinion 建议交某镇纪委调查核实
    """
    done = propose_route(runtime.archive(), runtime.session(), case_id, route=route, unit=unit, opinion=opinion,
                         on=_date(on, "办理日期"))
    _done(done, f"拟办：{route}")


@case.command("instruct")
@click.argument("case_id")
@click.option("--text", required=True, help="批示内容。")
@_ON
@pass_runtime
def instruct(runtime: Runtime, case_id: str, text: str, on: str | None) -> None:
    """领导批示。

    \b
    例：
      xinfang case instruct XF-2026-0001 --text 同意，交某镇纪委办理并按期报结
    """
    _done(instruct_case(runtime.archive(), runtime.session(), case_id, text=text, on=_date(on, "办理日期")), "已批示")


@case.command("assign")
@click.argument("case_id")
@click.option("--unit", required=True, help="承办单位。")
@click.option("--series", required=True, help="文种：纪群字（须报结，3 个月）或 纪信字（转办，只需反馈）。")
@click.option("--acknowledged", help="承办单位签收日期；报结期限自此起算（缺省自交办日起算）。")
@_ON
@pass_runtime
def assign(runtime: Runtime, case_id: str, unit: str, series: str, acknowledged: str | None, on: str | None) -> None:
    """交办（纪群字）或转办（纪信字）给承办单位。

    \b
    例：
      xinfang case assign XF-2026-0001 --unit 某镇纪委 --series 纪群字 --acknowledged 2026-11-30
    """
    done = assign_case(runtime.archive(), runtime.session(), case_id, unit=unit, series=series,
                       acknowledged=_date(acknowledged, "签收日期"), on=_date(on, "办理日期"))
    data = done.events[-1]["data"]
    for warning in data["warnings"]:
        click.echo(f"提示：{warning}")
    _done(done, f"已{series}交承办单位 {unit}" + (f"，应于 {data['report_due']} 前报结" if data["report_due"] else ""))


@case.command("report")
@click.argument("case_id")
@click.option("--file", "files", multiple=True, required=True, type=click.Path(path_type=Path),
              help="办理结果报告文件，可重复；作为该件的记录归入档案库。")
@click.option("--by-unit", help="报结单位（缺省为承办单位）。")
@_ON
@pass_runtime
def report(runtime: Runtime, case_id: str, files: tuple[Path, ...], by_unit: str | None, on: str | None) -> None:
    """登记报结：承办单位（或本室自办）的办理结果报告。

    \b
    例：
      xinfang case report XF-2026-0001 --file 调查报告.pdf --by-unit 某镇纪委
    """
    done = report_case(runtime.archive(), runtime.session(), case_id, list(files), by_unit=by_unit,
                       on=_date(on, "办理日期"))
    _done(done, "已报结，报告归入 " + "、".join(done.events[-1]["data"]["records"]))
    index_filed(runtime)


@case.command("review")
@click.argument("case_id")
@click.option("--accept", is_flag=True, help="审核通过：材料齐全、回答了信访人的问题、事实证据定性处理程序无误。")
@click.option("--return", "reason", help="退回重报，并写明理由。")
@_ON
@pass_runtime
def review(runtime: Runtime, case_id: str, accept: bool, reason: str | None, on: str | None) -> None:
    """审核报结材料：通过，或退回重报。

    \b
    例：
      xinfang case review XF-2026-0001 --return "未回答信访人反映的第二个问题"
      xinfang case review XF-2026-0001 --accept
    """
    if accept == (reason is not None):
        raise click.UsageError("请给出 --accept 或 --return REASON 之一")
    done = review_case(runtime.archive(), runtime.session(), case_id, accept=accept, reason=reason,
                       on=_date(on, "办理日期"))
    _done(done, "审核通过" if accept else "已退回重报")


@case.command("extend")
@click.argument("case_id")
@click.option("--days", required=True, type=int, help="延长的天数（一次，最多 30 日）。")
@click.option("--reason", required=True, help="延期理由（将告知信访人）。")
@_ON
@pass_runtime
def extend(runtime: Runtime, case_id: str, days: int, reason: str, on: str | None) -> None:
    """延长本室的办理期限（领导，一次，最多 30 日）。

    \b
    例：
      xinfang case extend XF-2026-0001 --days 30 --reason 需调取银行流水
    """
    done = extend_case(runtime.archive(), runtime.session(), case_id, days=days, reason=reason,
                       on=_date(on, "办理日期"))
    _done(done, f"办理期限延至 {done.row['deadline']}")


@case.command("extension-request")
@click.argument("case_id")
@click.option("--unit", required=True, help="申请延期的承办单位。")
@click.option("--until", required=True, help="申请延至的日期。")
@click.option("--reason", required=True, help="申请理由。")
@_ON
@pass_runtime
def extension_request(runtime: Runtime, case_id: str, unit: str, until: str, reason: str, on: str | None) -> None:
    """登记承办单位的延期申请。

    \b
    例：
      xinfang case extension-request XF-2026-0001 --unit 某镇纪委 --until 2027-04-15 --reason 当事人外出
    """
    done = request_extension(runtime.archive(), runtime.session(), case_id, unit=unit,
                             until=parse_date(until, "申请延至日期"), reason=reason, on=_date(on, "办理日期"))
    _done(done, f"已登记 {unit} 的延期申请，待领导审批")


@case.command("extension-decide")
@click.argument("case_id")
@click.option("--approve/--deny", required=True, help="批准或不批准。")
@click.option("--reason", help="审批意见。")
@_ON
@pass_runtime
def extension_decide(runtime: Runtime, case_id: str, approve: bool, reason: str | None, on: str | None) -> None:
    """审批承办单位的延期申请（领导）。批准后报结期限随之顺延，期间不催办。

    \b
    例：
      xinfang case extension-decide XF-2026-0001 --approve
    """
    done = decide_extension(runtime.archive(), runtime.session(), case_id, approve=approve, reason=reason,
                            on=_date(on, "办理日期"))
    _done(done, "已批准延期" if approve else "未批准延期")


@case.command("reply")
@click.argument("case_id")
@click.option("--mode", required=True, help="答复方式：电话、信件、回访。")
@click.option("--text", required=True, help="答复内容。")
@_ON
@pass_runtime
def reply(runtime: Runtime, case_id: str, mode: str, text: str, on: str | None) -> None:
    """登记对信访人的答复。

    \b
    例：
      xinfang case reply XF-2026-0001 --mode 电话 --text 已将调查结果电话告知信访人
    """
    _done(reply_case(runtime.archive(), runtime.session(), case_id, mode=mode, text=text,
                     on=_date(on, "办理日期")), f"已{mode}答复")


@case.command("close")
@click.argument("case_id")
@_ON
@pass_runtime
def close(runtime: Runtime, case_id: str, on: str | None) -> None:
    """结案（署实名件须先答复）。

    \b
    例：
      xinfang case close XF-2026-0001
    """
    _done(close_case(runtime.archive(), runtime.session(), case_id, on=_date(on, "办理日期")), "已结案")


@case.command("supervise")
@click.argument("case_id")
@click.option("--reason", required=True, help="督办理由。")
@_ON
@pass_runtime
def supervise(runtime: Runtime, case_id: str, reason: str, on: str | None) -> None:
    """领导要求督办。

    \b
    例：
      xinfang case supervise XF-2026-0001 --reason 群众反映强烈，要求加快办理
    """
    _done(supervise_case(runtime.archive(), runtime.session(), case_id, reason=reason,
                         on=_date(on, "办理日期")), "已列入督办")


@case.command("remind")
@click.argument("case_id")
@click.option("--mode", required=True, help="催办方式：电话、函件、实地。")
@_ON
@pass_runtime
def remind(runtime: Runtime, case_id: str, mode: str, on: str | None) -> None:
    """登记一次催办（纪群字交办件一般每月一次）。

    \b
    例：
      xinfang case remind XF-2026-0001 --mode 电话
    """
    _done(record_reminder(runtime.archive(), runtime.session(), case_id, mode=mode,
                          on=_date(on, "办理日期")), f"已{mode}催办")


@case.command("summary-out")
@click.argument("case_id")
@click.option("--text", help="转出摘要。")
@click.option("--file", "source", type=click.Path(dir_okay=False, path_type=Path), help="从 UTF-8 文本文件读取转出摘要。")
@click.option("--confirm", is_flag=True, help="复核人确认：摘要不含信访人的直接或间接身份信息。")
@_ON
@pass_runtime
def summary_out(runtime: Runtime, case_id: str, text: str | None, source: Path | None, confirm: bool,
                on: str | None) -> None:
    """撰写转出摘要（摘要转出，不许原件转出）。发现身份信息时拒绝，除非复核人确认。

    \b
    例：
      xinfang case summary-out XF-2026-0001 --file 摘要.txt --confirm
    """
    if (text is None) == (source is None):
        raise InvalidInput("请用 --text 或 --file 给出转出摘要（二选一）")
    if source is not None:
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"无法以 UTF-8 读取文件 {source}") from exc
    done, report = write_summary_out(runtime.archive(), runtime.session(), case_id, text=text or "",
                                     reviewed=confirm, on=_date(on, "办理日期"))
    for category, entry in report.entries.items():
        click.echo(f"复核确认：{category} {entry['count']} 处")
    _done(done, "转出摘要已保存" + ("（已复核确认）" if confirm else "；尚未复核，发出前须加 --confirm 确认"))


_DATA_LABELS = {
    "route": "方式", "unit": "单位", "series": "文种", "acknowledged": "签收", "report_due": "报结期限",
    "records": "报告", "points": "审核要点", "mode": "方式", "days": "延长天数", "deadline": "新期限",
    "until": "延至", "approved": "批准", "reviewed": "已复核", "from": "原首问责任人", "to": "接手人",
}


def _describe(event: dict[str, Any]) -> str:
    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return "是" if value else "否"
        return "、".join(map(str, value)) if isinstance(value, list) else str(value)

    parts = [f"{_DATA_LABELS[k]}：{shown(v)}" for k, v in event["data"].items()
             if k in _DATA_LABELS and v not in (None, [], "")]
    if event["text"]:
        parts.append(str(event["text"]))
    return "；".join(parts)


@case.command("show")
@click.argument("case_id")
@click.option("--as-of", help="计算剩余天数所用的日期，默认今天。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def show(runtime: Runtime, case_id: str, as_of: str | None, as_json: bool) -> None:
    """显示信访件的登记信息与全部办理经过。

    \b
    例：
      xinfang case show XF-2026-0001
    """
    shown = read_case(runtime.archive(), runtime.session(), case_id)
    today = _date(as_of, "计算日期") or date.today()
    history = [{"kind": e["kind"], "on": e["on_date"], "actor": e["actor"], "data": e["data"], "text": e["text"]}
               for e in shown.events]
    data = shown.to_json(today)
    if as_json:
        echo_json(data | {"history": history})
        return
    click.echo(f"{shown.case_id}  {data['channel']}  {data['category']}  {data['importance']}  "
               f"{data['classification']}  {'署实名' if data['real_name'] else '匿名'}")
    click.echo(f"收件 {data['received']}，办理期限 {data['deadline']}（剩余 {data['days_left']} 日），"
               f"当前状态：{STATE_LABELS[shown.state]}")
    for person in data["petitioners"]:
        click.echo(f"信访人：{person['name']}" + "".join(f"，{v}" for k, v in person.items() if k != "name" and v))
    for person in shown.parties.get("witnesses", []):
        click.echo(f"证人：{person['name']}" + (f"，{person['phone']}" if person.get("phone") else ""))
    for person in data["reported"]:
        click.echo(f"被反映人：{person['name']}" + "".join(
            f"，{v}" for k, v in person.items() if k not in ("name", "party_member") and v)
            + ("，党员" if person["party_member"] else ""))
    click.echo(f"摘要：{data['summary']}")
    echo_table(["日期", "经办人", "环节", "内容"],
               [(e["on"], e["actor"], step_label(e["kind"]), _describe(e)) for e in history],
               empty="（尚无办理记录）")


@case.command("list")
@click.option("--state", type=click.Choice(sorted(STATE_LABELS)), help="只列出该状态的信访件。")
@click.option("--due-for", type=click.Choice(["supervision", "reminder"]), help="只列出应督办或应催办的信访件。")
@click.option("--as-of", help="按此日期计算期限与督办、催办条件，默认今天。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def list_(runtime: Runtime, state: str | None, due_for: str | None, as_of: str | None, as_json: bool) -> None:
    """列出您有权查看的信访件；--due-for 列出应督办或应催办的件及原因。

    \b
    例：
      xinfang case list --due-for supervision --as-of 2027-03-15 --json
    """
    archive, session = runtime.archive(), runtime.session()
    today = _date(as_of, "计算日期") or date.today()
    if due_for:
        due = [(d.case, d.reasons) for d in cases_due(archive, session, due_for, today) if state in (None, d.case.state)]
    else:
        due = [(c, []) for c in list_cases(archive, session, state=state)]
    if as_json:
        echo_json([c.to_json(today, with_parties=False) | ({"reasons": r} if due_for else {}) for c, r in due])
        return
    echo_table(["编号", "渠道", "类别", "重要程度", "收件", "期限", "状态", "原因" if due_for else "密级"],
               [(c.case_id, c.row["channel"], c.row["category"], c.row["importance"], c.row["received"],
                 c.row["deadline"], STATE_LABELS[c.state], "；".join(r) if due_for else c.level.label)
                for c, r in due],
               empty="没有符合条件的信访件")
