"""The demo's letters: one document of every kind, drafted by the secretary and signed off by the leader.

The values are what a secretary would type with ``--set``; everything else
comes from the cases (dates, units, the 转出摘要).  PDFs need LibreOffice: on
a machine without it the documents are issued as DOCX only, and the demo says
so — a failed conversion rolls the issue back, so no number is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from archive import Archive, Level, Session
from archive.cases import CaseRegistration, Petitioner, register_case
from archive.handling import write_summary_out
from generators.errors import ConverterMissing
from generators.issuing import Issued, SignOff, generate_draft, issue_drafts

__all__ = ["issue_every_kind"]


class _Staff(Protocol):
    archive: Archive

    def __getitem__(self, name: str) -> Session: ...


def _letters(assigned: str, own: str, declined: str, today: date) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, case, values) for one document of every kind."""
    return [
        ("notice-accept", assigned, {"matter": "某镇财政所会计挪用扶贫专项资金问题"}),
        ("notice-decline", declined, {"matter": "与邻居宅基地纠纷问题", "reason": "所反映问题属于民事纠纷，不属于纪检监察机关受理范围",
                                      "refer_to": "伊金霍洛旗人民法院或者所在镇人民调解委员会"}),
        ("notice-forward", assigned, {"matter": "某镇财政所会计挪用扶贫专项资金问题"}),
        ("notice-extension", assigned, {"matter": "某镇财政所会计挪用扶贫专项资金问题",
                                        "reason": "涉及多个年度的资金往来，需调取银行流水逐笔核实",
                                        "original_deadline": today + timedelta(days=10),
                                        "new_deadline": today + timedelta(days=40)}),
        ("reply", assigned, {"matter": "某镇财政所会计挪用扶贫专项资金问题",
                             "request": "请求查处某镇财政所会计挪用扶贫专项资金的问题。",
                             "facts": "经核查，某镇财政所会计于2026年3月至6月间将扶贫专项资金十二万元转入个人账户，用于购车。\n"
                                      "上述事实有银行流水、记账凭证和本人说明在卷佐证。",
                             "decision": "依据《中国共产党纪律处分条例》有关规定，给予其党内严重警告处分，责令退还全部款项。",
                             "review_office": "鄂尔多斯市纪委监委"}),
        ("talk-notice", assigned, {"talk_time": "2026年12月3日上午9时", "place": "旗纪委监委信访谈话室",
                                   "bring": "2026年度扶贫资金拨付台账、本人书面说明",
                                   "contact": "信访室王文秘"}),
        ("assignment", assigned, {}),
        ("forward", assigned, {"unit": "旗财政局"}),
        ("supervision", assigned, {"trigger": "旗委主要领导批示要求督办，限期查结。"}),
        ("reminder", assigned, {"trigger": "交办已近一月，未见阶段性进展报告。"}),
        ("hearing-minutes", own, {
            "matter": "某村村务公开问题", "held_on": today, "place": "某镇政府二楼会议室", "chair": "旗纪委监委副书记吴领导",
            "attendees": "吴领导、王文秘、某镇党委副书记、某村党支部书记", "observers": "镇农经站站长",
            "presentation": "来访群众反映村委会三年未公开账目，要求公开集体土地流转收入。",
            "petitioner_statement": "群众代表陈述：2023年以来村务公开栏未公布任何账目，土地流转收入去向不明。",
            "petitioner_evidence": "村务公开栏照片、土地流转合同复印件",
            "respondent_statement": "村委会主任陈述：账目已报镇农经站审核，因审核未完成暂未公开。",
            "department_answer": "镇农经站答复：审核已于本月完成，可即日公开。",
            "ruling": "村委会于七日内在村务公开栏张榜公布2023年至2026年全部账目及土地流转收支，镇纪委监督落实。",
        }),
        ("talk-form", assigned, {
            "talk_kind": "核实", "lead": "王文秘", "others": "信访室干部一名", "talk_time": "2026年12月3日上午9时",
            "place": "旗纪委监委信访谈话室", "matters": "就反映挪用扶贫专项资金问题了解核实。",
            "answers": "被谈话人承认将十二万元转入个人账户，称系临时周转，已归还五万元。",
            "materials": "书面说明一份、还款凭证一份", "funds": "责令退还剩余七万元，已于当日上缴。",
            "outcome": "移交案件检查部门",
        }),
    ]


def issue_every_kind(staff: _Staff, assigned: str, own: str, out: Path, say: Callable[[str], None],
                     today: date) -> list[Issued]:
    """Draft and issue one document of every kind into ``out``; returns what was issued."""
    archive, clerk, leader = staff.archive, staff["王文秘"], staff["吴领导"]
    declined = register_case(archive, clerk, CaseRegistration(
        channel="来信", received=today - timedelta(days=3), category="申诉", importance="一般",
        classification=Level.INTERNAL, real_name=True, petitioners=[Petitioner("赵某某", address="某镇某村5号")],
        summary="反映与邻居宅基地界线纠纷，要求纪委处理。"), today=today).case_id
    write_summary_out(archive, clerk, assigned, text="反映某镇财政所会计挪用扶贫专项资金约十二万元用于个人购车的问题。",
                      reviewed=False)
    drafts = [generate_draft(archive, clerk, kind, case_id, values, out / "草稿")
              for kind, case_id, values in _letters(assigned, own, declined, today)]
    say(f"   文秘拟稿 {len(drafts)} 份（不占发文字号）：{out / '草稿'}")
    sign_off = SignOff("吴领导", today, signed_by=leader)
    ids = [result.draft.draft_id for result in drafts]
    try:
        issued = issue_drafts(archive, clerk, ids, sign_off, out / "发文", copies=2, pdf=True)
    except ConverterMissing:
        say("   本机未安装 LibreOffice，只生成 DOCX（安装 libreoffice-writer-nogui 后可生成 PDF）")
        issued = issue_drafts(archive, clerk, ids, sign_off, out / "发文", copies=2)
    for result in issued:
        say(f"   {result.dispatch.document_number}  {result.kind.name}  {result.dispatch.classification}  "
            f"正本与定稿已归档：{'、'.join(r.record_id for r in result.records)}")
    say(f"   印制文件（涉密文书每份一个份号）：{out / '发文'}")
    return issued
