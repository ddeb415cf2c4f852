"""The handling cycle of a case, from 拟办 to 结案, as a table of allowed steps.

Each step names the states it may start from, the state it leads to and the
roles that may take it; a step that does not fit is refused with the current
state named.  Texts people write along the way (opinions, instructions,
reasons, replies) are sealed under the case key; the plain part of an event
(route, unit, series, dates) is what deadlines and reminders are computed from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .accounts import Session
from .audit import Act, now_utc
from .cases import CaseFile, case_digests, deadline_rules, open_case, seal_case_text
from .errors import InvalidInput, PermissionDenied, Refused
from .folder import Archive
from .kinds import parse_kind
from .records import add_records
from .redaction import RedactionReport, Redactor, detector_for_case
from .roles import Role, require_role
from .text import check_text
from .vocabulary import REMINDER_MODES, REPLY_MODES, ROUTES, SERIES, choose

__all__ = [
    "HANDOVER_ROLES",
    "OPEN_STATES",
    "STATE_LABELS",
    "assign_case",
    "close_case",
    "decide_extension",
    "events_after",
    "extend_case",
    "instruct_case",
    "pending_extension_request",
    "propose_route",
    "record_handover",
    "step_label",
    "record_reminder",
    "record_supervision_letter",
    "reply_case",
    "report_due",
    "report_case",
    "request_extension",
    "review_case",
    "summary_out",
    "supervise_case",
    "write_summary_out",
]

STATE_LABELS = {
    "registered": "已登记",
    "proposed": "已拟办",
    "instructed": "已批示",
    "assigned": "已交办",
    "reported": "已报结",
    "returned": "已退回重报",
    "accepted": "已审核通过",
    "replied": "已答复",
    "closed": "已结案",
}
OPEN_STATES = frozenset(STATE_LABELS) - {"closed"}
SECRETARY, LEADER = Role.SECRETARY, Role.LEADER
HANDOVER_ROLES = frozenset({LEADER})
"""Who hands a departing user's open cases to another (交接): case responsibility is a leader's call."""
MAX_TEXT = 5_000


@dataclass(frozen=True)
class _Step:
    label: str
    starts: frozenset[str]
    leads_to: str | None
    roles: frozenset[Role]


_STEPS = {
    "propose": _Step("拟办", frozenset({"registered", "proposed"}), "proposed", frozenset({SECRETARY})),
    "instruct": _Step("领导批示", frozenset({"proposed", "instructed"}), "instructed", frozenset({LEADER})),
    "assign": _Step("交办/转办", frozenset({"instructed"}), "assigned", frozenset({SECRETARY})),
    "report": _Step("报结", frozenset({"assigned", "returned", "instructed"}), "reported", frozenset({SECRETARY})),
    "accept": _Step("审核通过", frozenset({"reported"}), "accepted", frozenset({SECRETARY, LEADER})),
    "return": _Step("退回重报", frozenset({"reported"}), "returned", frozenset({SECRETARY, LEADER})),
    "reply": _Step("答复", frozenset({"accepted", "assigned", "instructed"}), "replied", frozenset({SECRETARY})),
    "close": _Step(
        "结案", frozenset({"replied", "accepted", "assigned", "instructed"}), "closed", frozenset({SECRETARY, LEADER})
    ),
    "extend": _Step("延期", OPEN_STATES, None, frozenset({LEADER})),
    "extension-request": _Step("承办单位申请延期", frozenset({"assigned", "returned"}), None, frozenset({SECRETARY})),
    "extension-decide": _Step("审批延期申请", frozenset({"assigned", "returned"}), None, frozenset({LEADER})),
    "supervise": _Step("督办", OPEN_STATES, None, frozenset({LEADER})),
    "supervise-letter": _Step("发出督办函", OPEN_STATES, None, frozenset({SECRETARY, LEADER})),
    "remind": _Step("催办", frozenset({"assigned", "returned"}), None, frozenset({SECRETARY, LEADER})),
    "summary-out": _Step("撰写转出摘要", OPEN_STATES, None, frozenset({SECRETARY, LEADER})),
    "handover": _Step("交接", OPEN_STATES, None, HANDOVER_ROLES),
}


def step_label(kind: str) -> str:
    """The name of a handling step as the case history shows it (the kind itself for one this version lacks)."""
    step = _STEPS.get(kind)
    return step.label if step is not None else kind


def latest(case: CaseFile, kind: str) -> dict[str, Any] | None:
    """The most recent event of ``kind``, or None."""
    return next((event for event in reversed(case.events) if event["kind"] == kind), None)


def events_after(case: CaseFile, kind: str, event_id: int) -> list[dict[str, Any]]:
    """Events of ``kind`` recorded after event ``event_id``."""
    return [e for e in case.events if e["kind"] == kind and e["event_id"] > event_id]


def report_due(case: CaseFile) -> date | None:
    """The unit's report due date: the assignment's, or the one an approved extension set."""
    assignment = latest(case, "assign")
    if assignment is None or assignment["data"]["report_due"] is None:
        return None
    due = date.fromisoformat(assignment["data"]["report_due"])
    for decision in events_after(case, "extension-decide", assignment["event_id"]):
        if decision["data"]["approved"]:
            due = date.fromisoformat(decision["data"]["until"])
    return due


def route_of(case: CaseFile) -> str | None:
    """The route of the latest 拟办意见."""
    proposal = latest(case, "propose")
    return proposal["data"]["route"] if proposal else None


def series_of(case: CaseFile) -> str | None:
    """The letter series of the assignment, if assigned."""
    assignment = latest(case, "assign")
    return assignment["data"]["series"] if assignment else None


def _refuse(case: CaseFile, step: _Step, why: str | None = None) -> Refused:
    label = STATE_LABELS[case.state]
    return Refused(f"信访件 {case.case_id} 当前状态为“{label}”，不能{step.label}" + (f"：{why}" if why else ""))


def _take_step(
    archive: Archive,
    session: Session,
    case_id: str,
    kind: str,
    on: date | None,
    *,
    data: dict[str, Any] | None = None,
    text: Any = None,
    check: Callable[[CaseFile], str | None] | None = None,
    updates: dict[str, str] | None = None,
) -> CaseFile:
    """Check role, state and the step's own condition, then record the event in one transaction."""
    step = _STEPS[kind]
    case = open_case(archive, session, case_id)
    require_role(session.roles, step.roles, step.label)
    if case.state not in step.starts:
        raise _refuse(case, step)
    problem = check(case) if check else None
    if problem:
        raise _refuse(case, step, problem)
    on = _check_date(case, on)
    with archive.act(session) as act:
        _record_step(archive, act, case, kind, on, data=data, text=text, updates=updates)
    return open_case(archive, session, case.case_id)


def _record_step(
    archive: Archive,
    act: Act,
    case: CaseFile,
    kind: str,
    on: date,
    *,
    data: dict[str, Any] | None = None,
    text: Any = None,
    updates: dict[str, str] | None = None,
) -> None:
    """Write a checked step inside the caller's transaction: the event, its sealed text, the case's new columns, the log."""
    step = _STEPS[kind]
    cursor = archive.conn.execute(
        "INSERT INTO case_events (case_id, kind, on_date, recorded_at, actor, data) VALUES (?, ?, ?, ?, ?, ?)",
        (case.case_id, kind, on.isoformat(), now_utc(), act.actor, json.dumps(data or {}, ensure_ascii=False)),
    )
    event_id = cursor.lastrowid
    if text is not None:
        archive.conn.execute(
            "UPDATE case_events SET sealed_text = ? WHERE event_id = ?",
            (seal_case_text(case.key, case.case_id, f"event {event_id}", text), event_id),
        )
    changes = dict(updates or {})
    if step.leads_to is not None:
        changes["state"] = step.leads_to
    for column, value in changes.items():  # column names come from this module only
        archive.conn.execute(f"UPDATE cases SET {column} = ? WHERE case_id = ?", (value, case.case_id))
    act.log(
        f"case.{kind}",
        [case.case_id],
        digests={case.case_id: case_digests(archive.conn, case.case_id)},
        info={"on": on.isoformat(), **{k: v for k, v in (data or {}).items() if k != "records"}},
        details={"text": text} if text is not None else None,
        details_key=case.key if text is not None else None,
    )


def record_handover(archive: Archive, act: Act, case: CaseFile, to: str) -> None:
    """交接: ``to`` becomes the open case's 首问责任人, a step of its history, in the caller's transaction.

    :mod:`archive.handover` decides who may hand over and to whom, for all of a
    departing user's cases at once; the event keeps who had the case before.
    """
    step = _STEPS["handover"]
    if case.state not in step.starts:
        raise _refuse(case, step)
    _record_step(archive, act, case, "handover", date.today(),
                 data={"from": case.row["first_receiver"], "to": to}, updates={"first_receiver": to})


def _check_date(case: CaseFile, on: date | None) -> date:
    """The business date of a step: today by default, never before the case was received."""
    on = on or date.today()
    if on < date.fromisoformat(case.row["received"]):
        raise InvalidInput(f"日期 {on.isoformat()} 早于收件日期 {case.row['received']}")
    return on


def _text(value: str, label: str) -> str:
    return check_text(value, label, max_length=MAX_TEXT)


def propose_route(
    archive: Archive, session: Session, case_id: str, *, route: str, opinion: str, unit: str | None = None,
    on: date | None = None,
) -> CaseFile:
    """拟办意见: how the office proposes to handle the case."""
    route = choose(route, ROUTES, "拟办方式")
    if route in ("转办", "交办") and not unit:
        raise InvalidInput(f"{route}须指明承办单位（--unit）")
    data = {"route": route, "unit": check_text(unit, "承办单位", max_length=100) if unit else None}
    return _take_step(archive, session, case_id, "propose", on, data=data, text=_text(opinion, "拟办意见"))


def instruct_case(archive: Archive, session: Session, case_id: str, *, text: str, on: date | None = None) -> CaseFile:
    """领导批示 on the proposed handling."""
    return _take_step(archive, session, case_id, "instruct", on, text=_text(text, "批示"))


def assign_case(
    archive: Archive, session: Session, case_id: str, *, unit: str, series: str, acknowledged: date | None = None,
    on: date | None = None,
) -> CaseFile:
    """交办 (纪群字, result report due) or 转办 (纪信字, feedback only) to a handling unit."""
    series = choose(series, SERIES, "文种")
    unit = check_text(unit, "承办单位", max_length=100)
    if acknowledged is not None:
        _check_date(open_case(archive, session, case_id), acknowledged)

    def routed(case: CaseFile) -> str | None:
        return None if route_of(case) in ("转办", "交办") else "拟办方式不是转办或交办"

    clock = acknowledged or on or date.today()
    due = deadline_rules(archive).report_due(clock) if series == "纪群字" else None
    data: dict[str, Any] = {
        "unit": unit,
        "series": series,
        "acknowledged": acknowledged.isoformat() if acknowledged else None,
        "report_due": due.due.isoformat() if due else None,
        "warnings": list(due.warnings) if due else [],
    }
    return _take_step(archive, session, case_id, "assign", on, data=data, check=routed)


def report_case(
    archive: Archive, session: Session, case_id: str, files: Sequence[Path], *, by_unit: str | None = None,
    on: date | None = None,
) -> CaseFile:
    """报结: the unit's (or the office's own) result report, filed as records of the case."""
    case = open_case(archive, session, case_id)

    def reportable(case: CaseFile) -> str | None:
        if case.state == "instructed" and route_of(case) != "自办":
            return "只有自办件可以在批示后直接报结"
        return None

    require_role(session.roles, _STEPS["report"].roles, _STEPS["report"].label)
    problem = reportable(case) if case.state in _STEPS["report"].starts else None
    if case.state not in _STEPS["report"].starts or problem:
        raise _refuse(case, _STEPS["report"], problem)
    _check_date(case, on)
    unit = by_unit or (latest(case, "assign") or {"data": {}})["data"].get("unit") or "本室"
    records = add_records(
        archive, session, files, case_id=case.case_id, title=f"{unit}关于{case.case_id}的办理结果报告",
        kind=parse_kind("report"), classification=case.level, formed=on,
    )
    return _take_step(
        archive, session, case_id, "report", on, data={"unit": unit, "records": [r.record_id for r in records]},
        check=reportable,
    )


REVIEW_POINTS = ("材料齐全", "报告回答了信访人反映的问题", "违纪问题的事实、证据、定性、处理和程序")


def review_case(
    archive: Archive, session: Session, case_id: str, *, accept: bool, reason: str | None = None,
    on: date | None = None,
) -> CaseFile:
    """审核 the report on the three points; a return needs the reason the report fails them."""
    if accept:
        return _take_step(archive, session, case_id, "accept", on, data={"points": list(REVIEW_POINTS)})
    if not reason:
        raise InvalidInput("退回须说明理由（--return REASON）")
    return _take_step(archive, session, case_id, "return", on, text=_text(reason, "退回理由"))


def extend_case(
    archive: Archive, session: Session, case_id: str, *, days: int, reason: str, on: date | None = None
) -> CaseFile:
    """The office's own deadline, extended once by a leader, by at most the configured days."""
    rules = deadline_rules(archive)
    case = open_case(archive, session, case_id)
    extended = rules.extended(date.fromisoformat(case.row["deadline"]), days)

    def once(case: CaseFile) -> str | None:
        return "已延期过一次，不能再次延期" if latest(case, "extend") else None

    return _take_step(
        archive, session, case_id, "extend", on,
        data={"days": days, "deadline": extended.due.isoformat(), "previous": case.row["deadline"]},
        text=_text(reason, "延期理由"), check=once,
        updates={"deadline": extended.due.isoformat(), "deadline_nominal": extended.nominal.isoformat()},
    )


def request_extension(
    archive: Archive, session: Session, case_id: str, *, unit: str, until: date, reason: str, on: date | None = None
) -> CaseFile:
    """A handling unit asks for more time for its report."""

    def pending(case: CaseFile) -> str | None:
        if series_of(case) != "纪群字":
            return "只有纪群字交办件有报结期限"
        if pending_extension_request(case):
            return "已有一份待审批的延期申请"
        due = report_due(case)
        if due is not None and until <= due:
            return f"申请延至的日期应晚于现在的报结期限 {due.isoformat()}"
        return None

    data = {"unit": check_text(unit, "承办单位", max_length=100), "until": until.isoformat()}
    return _take_step(archive, session, case_id, "extension-request", on, data=data,
                      text=_text(reason, "延期理由"), check=pending)


def pending_extension_request(case: CaseFile) -> dict[str, Any] | None:
    """The extension request still waiting for a leader's decision, if any."""
    request = latest(case, "extension-request")
    decision = latest(case, "extension-decide")
    if request and (decision is None or decision["event_id"] < request["event_id"]):
        return request
    return None


def decide_extension(
    archive: Archive, session: Session, case_id: str, *, approve: bool, reason: str | None = None,
    on: date | None = None,
) -> CaseFile:
    """A leader approves or denies the pending request; approval moves the unit's report due date."""
    case = open_case(archive, session, case_id)
    request = pending_extension_request(case)
    if request is None:
        raise _refuse(case, _STEPS["extension-decide"], "没有待审批的延期申请")
    if request["actor"] == session.account.name and Role.LEADER not in session.roles:
        raise PermissionDenied("申请人不能审批自己的申请")
    data = {"approved": approve, "until": request["data"]["until"] if approve else None}
    return _take_step(archive, session, case_id, "extension-decide", on, data=data,
                      text=_text(reason, "审批意见") if reason else None)


def reply_case(
    archive: Archive, session: Session, case_id: str, *, mode: str, text: str, on: date | None = None
) -> CaseFile:
    """答复 the petitioner after handling (电话, 信件 or 回访)."""
    mode = choose(mode, REPLY_MODES, "答复方式")

    def may_reply(case: CaseFile) -> str | None:
        if case.state == "assigned" and series_of(case) != "纪信字":
            return "纪群字交办件须待承办单位报结并审核通过后答复"
        if case.state == "instructed" and route_of(case) not in ("摘报", "要信请示"):
            return "须先交办、转办或报结"
        return None

    return _take_step(archive, session, case_id, "reply", on, data={"mode": mode}, text=_text(text, "答复内容"),
                      check=may_reply)


def close_case(archive: Archive, session: Session, case_id: str, *, on: date | None = None) -> CaseFile:
    """结案; a real-name case must have been answered first."""

    def may_close(case: CaseFile) -> str | None:
        if case.state == "replied":
            return None
        if case.row["real_name"]:
            return "署实名信访件须先答复信访人"
        if case.state == "assigned" and series_of(case) != "纪信字":
            return "纪群字交办件须待报结并审核通过"
        if case.state == "instructed" and route_of(case) not in ("摘报", "要信请示"):
            return "须先交办、转办或报结"
        return None

    return _take_step(archive, session, case_id, "close", on, check=may_close)


def supervise_case(archive: Archive, session: Session, case_id: str, *, reason: str, on: date | None = None) -> CaseFile:
    """A leader asks for formal supervision (督办) of a case."""
    return _take_step(archive, session, case_id, "supervise", on, text=_text(reason, "督办理由"))


def record_supervision_letter(
    archive: Archive, session: Session, case_id: str, *, document_number: str, on: date | None = None
) -> CaseFile:
    """A 督办函 went out: the supervision a leader asked for has been made."""
    data = {"document_number": check_text(document_number, "发文字号", max_length=40)}
    return _take_step(archive, session, case_id, "supervise-letter", on, data=data)


def record_reminder(archive: Archive, session: Session, case_id: str, *, mode: str, on: date | None = None) -> CaseFile:
    """A 催办 made by phone, letter or visit to the unit: the monthly clock restarts."""
    mode = choose(mode, REMINDER_MODES, "催办方式")

    def assigned_for_report(case: CaseFile) -> str | None:
        return None if series_of(case) == "纪群字" else "只有纪群字交办件需要催办"

    return _take_step(archive, session, case_id, "remind", on, data={"mode": mode}, check=assigned_for_report)


def summary_out(case: CaseFile) -> dict[str, Any] | None:
    """The latest 转出摘要: ``{"text", "reviewed", "findings"}``, or None if none was written."""
    event = latest(case, "summary-out")
    if event is None:
        return None
    return {"text": event["text"], **event["data"]}


def write_summary_out(
    archive: Archive, session: Session, case_id: str, *, text: str, reviewed: bool, on: date | None = None
) -> tuple[CaseFile, RedactionReport]:
    """The 转出摘要 a forwarded letter carries instead of the original (摘要转出，不许原件转出).

    Identities found in it are reported by category and place and refuse it,
    unless the reviewer confirms having checked them — and indirect ones no
    pattern can see ("我是该村会计") — which is recorded.
    """
    text = _text(text, "转出摘要")
    case = open_case(archive, session, case_id)
    redactor = Redactor(detector_for_case(case, archive.config.contacts))
    redactor.redact(text, "转出摘要")
    findings = [{"category": c, "count": e["count"]} for c, e in redactor.report.entries.items()]
    if findings and not reviewed:
        listed = "、".join(f"{f['category']} {f['count']} 处" for f in findings)
        raise Refused(f"转出摘要中发现身份信息：{listed}。请删除后重写，或经复核确认无误后加 --confirm")
    done = _take_step(archive, session, case_id, "summary-out", on, data={"reviewed": reviewed, "findings": findings},
                      text=text)
    return done, redactor.report
