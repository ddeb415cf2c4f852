"""``xinfang access``: a leader's consent for an investigator to consult a case, and its register."""

from __future__ import annotations

from pathlib import Path

import click

from archive.access import (
    MAX_DAYS,
    PaperConsent,
    approve_request,
    deny_request,
    grant_access,
    list_grants,
    list_requests,
    request_access,
    revoke_grant,
)

from ._output import echo_json, echo_table
from ._runtime import Runtime, pass_runtime

__all__ = ["access"]

_STATES = {"live": "有效", "expired": "已过期", "revoked": "已撤销"}
_REQUEST_STATES = {"pending": "待审批", "approved": "已批准", "denied": "已驳回"}
_DAYS = click.option("--days", type=click.IntRange(1, MAX_DAYS), required=True, help=f"有效天数（1–{MAX_DAYS}），自现在起算。")


@click.group()
def access() -> None:
    """查阅授权：调查员经领导同意（须经领导同意后方可查询），在限定天数内查阅指定信访件。

    \b
    例：
      XINFANG_USER=吴领导 xinfang access grant XF-2026-0001 --to 周调查 --days 10 --reason 核查需要
      XINFANG_USER=周调查 xinfang access request XF-2026-0002 --reason 转办函所涉线索
      XINFANG_USER=吴领导 xinfang access list
    """


@access.command("grant")
@click.argument("case_id")
@click.option("--to", "grantee", required=True, help="被授权的调查员账户。")
@_DAYS
@click.option("--reason", required=True, help="授权理由。")
@click.option("--signed-on-paper", "paper", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="领导签字的纸质审批单扫描件：由文秘代为登记时使用，随案归档并标明。")
@click.option("--leader", help="纸质审批单上签字的领导（与 --signed-on-paper 同用）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def grant(runtime: Runtime, case_id: str, grantee: str, days: int, reason: str, paper: Path | None,
          leader: str | None, as_json: bool) -> None:
    """领导授权一名调查员查阅一件信访件，限定天数，到期自动失效。

    \b
    例：
      xinfang access grant XF-2026-0001 --to 周调查 --days 10 --reason 初核需要调阅原始来信
      XINFANG_USER=王文秘 xinfang access grant XF-2026-0001 --to 周调查 --days 10 --reason 初核 \\
          --signed-on-paper 审批单.pdf --leader 吴领导
    """
    if (paper is None) != (leader is None):
        raise click.UsageError("--signed-on-paper 与 --leader 须同时给出")
    consent = PaperConsent(leader, paper) if paper is not None and leader is not None else None
    made = grant_access(runtime.archive(), runtime.session(), case_id, to=grantee, days=days, reason=reason,
                        paper=consent)
    if as_json:
        echo_json({"grant_id": made.grant_id})
        return
    paper_note = "（纸质审批单，扫描件已归档）" if made.on_paper else ""
    click.echo(f"已授权 {made.grant_id}：{made.grantee} 可查阅 {made.case_id}，至 {made.expires_at} 止{paper_note}")


@access.command("request")
@click.argument("case_id")
@click.option("--reason", required=True, help="申请理由。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def request(runtime: Runtime, case_id: str, reason: str, as_json: bool) -> None:
    """调查员申请查阅一件已知编号的信访件，待领导审批。

    \b
    例：
      XINFANG_USER=周调查 xinfang access request XF-2026-0002 --reason 上级转办函所涉线索
    """
    made = request_access(runtime.archive(), runtime.session(), case_id, reason=reason)
    if as_json:
        echo_json({"request_id": made.request_id})
        return
    click.echo(f"已提交查阅申请 {made.request_id}，待领导审批")


@access.command("approve")
@click.argument("request_id")
@_DAYS
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def approve(runtime: Runtime, request_id: str, days: int, as_json: bool) -> None:
    """领导批准一份查阅申请（不能审批自己的申请）。

    \b
    例：
      xinfang access approve AR-2026-0001 --days 7
    """
    made = approve_request(runtime.archive(), runtime.session(), request_id, days=days)
    if as_json:
        echo_json({"grant_id": made.grant_id})
        return
    click.echo(f"已批准 {request_id}，授权 {made.grant_id}：{made.grantee} 可查阅 {made.case_id}，至 {made.expires_at} 止")


@access.command("deny")
@click.argument("request_id")
@click.option("--reason", required=True, help="驳回理由。")
@pass_runtime
def deny(runtime: Runtime, request_id: str, reason: str) -> None:
    """领导驳回一份查阅申请，并写明理由。

    \b
    例：
      xinfang access deny AR-2026-0002 --reason 与本次核查无关
    """
    done = deny_request(runtime.archive(), runtime.session(), request_id, reason=reason)
    click.echo(f"已驳回 {done.request_id}")


@access.command("revoke")
@click.argument("grant_id")
@pass_runtime
def revoke(runtime: Runtime, grant_id: str) -> None:
    """领导撤销一项查阅授权，立即生效。

    \b
    例：
      xinfang access revoke AG-2026-0001
    """
    done = revoke_grant(runtime.archive(), runtime.session(), grant_id)
    click.echo(f"已撤销 {done.grant_id}（{done.grantee} 不再能查阅 {done.case_id}）")


@access.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def list_(runtime: Runtime, as_json: bool) -> None:
    """查阅申请与授权登记（领导、档案员、安全保密管理员看全部；调查员看本人的）。

    \b
    例：
      xinfang access list --json
    """
    archive, session = runtime.archive(), runtime.session()
    grants, requests = list_grants(archive, session), list_requests(archive, session)
    if as_json:
        echo_json({"requests": [r.to_json() for r in requests], "grants": [g.to_json(session.now) for g in grants]})
        return
    echo_table(["申请号", "信访件", "申请人", "申请时间", "状态", "审批人", "授权", "理由"],
               [(r.request_id, r.case_id, r.requester, r.requested_at, _REQUEST_STATES[r.state], r.decided_by,
                 r.grant_id, r.reason) for r in requests], empty="没有查阅申请")
    echo_table(["授权号", "信访件", "调查员", "同意的领导", "起", "止", "状态", "纸质", "理由"],
               [(g.grant_id, g.case_id, g.grantee, g.consented_by, g.starts_at, g.expires_at,
                 _STATES[g.state(session.now)], "是" if g.on_paper else "", g.reason) for g in grants],
               empty="没有查阅授权")
