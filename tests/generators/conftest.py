"""A realistic office for the issuing cycle: three cases built through the library, copied per test.

Building an office costs about a second (accounts, keyslots, cases), so the
office is built once per module and each test gets a copy of the folder at
``tmp_path / "archive"`` — where the ``cli`` fixture looks for it.

- :data:`REAL` (XF-2026-0001): 秘密, 署实名 by 张秀兰 (phone, address) against 张大山, 镇长 of
  红庆河镇; 拟办 交办 to 红庆河镇纪委, instructed by 吴领导, assigned 纪群字 on 2026-10-12,
  a 转出摘要 without identity, the deadline extended once, and a leader asking for 督办.
- :data:`ANONYMOUS` (XF-2026-0002): 内部, anonymous, 转办 (纪信字) to 札萨克镇纪委.
- :data:`NO_SUMMARY` (XF-2026-0003): 秘密, 署实名 by 李桂芝, assigned 纪群字, no 转出摘要 yet.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from archive import Level, login
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, register_case
from archive.handling import (
    assign_case,
    extend_case,
    instruct_case,
    propose_route,
    supervise_case,
    write_summary_out,
)
from tests.archive.test_statistics import month_template as month_template  # the scripted month, for test_reports
from tests.conftest import PASSPHRASE, Office, build_office

REAL, ANONYMOUS, NO_SUMMARY = "XF-2026-0001", "XF-2026-0002", "XF-2026-0003"
PETITIONER, PHONE, ADDRESS = "张秀兰", "13912345678", "伊金霍洛旗红庆河镇新街村三社12号"
REPORTED, REPORTED_UNIT, REPORTED_POST = "张大山", "红庆河镇人民政府", "镇长"
UNIT = "红庆河镇纪委"
SUMMARY = "实名举报红庆河镇镇长张大山挪用扶贫专项资金四十万元修建镇政府办公楼，附银行转账凭证复印件"
SUMMARY_OUT = "反映红庆河镇主要负责人挪用扶贫专项资金修建办公楼的问题。"
EXTENSION_REASON = "需调取银行流水核实资金去向"
SUPERVISION_REASON = "群众反映强烈，请督促红庆河镇纪委加快办理"
ANONYMOUS_SUMMARY = "反映札萨克镇某村村委会违规发放高龄津贴"
ANONYMOUS_UNIT = "札萨克镇纪委"
OTHER_PETITIONER, OTHER_PHONE = "李桂芝", "13800001111"

SECRETARY, LEADER = "王文秘", "吴领导"
TODAY = date.today()
YEAR = TODAY.year
DUE_DAY = date(2026, 11, 28)
"""A day :data:`REAL` is due for its monthly 催办 (acknowledged 2026-10-12) and :data:`NO_SUMMARY` not yet."""

# What each kind needs beyond the case's facts, as a secretary would type it.
REQUIRED: Mapping[str, Mapping[str, str]] = {
    "notice-accept": {},
    "notice-decline": {"reason": "所反映问题属于民事纠纷，不属于纪检监察机关受理范围", "refer_to": "伊金霍洛旗人民法院"},
    "notice-forward": {},
    "notice-extension": {},
    "reply": {"request": "要求查处镇长挪用扶贫款问题", "facts": "经查，反映的问题基本属实。",
              "decision": "已对张大山给予党内严重警告处分。", "review_office": "鄂尔多斯市纪委监委"},
    "talk-notice": {"talk_time": "2026年12月3日上午9时", "place": "旗纪委监委三楼谈话室"},
    "assignment": {},
    "forward": {},
    "supervision": {},
    "reminder": {},
    "hearing-minutes": {
        "matter": "红庆河镇扶贫专项资金使用问题", "held_on": "2026-11-20", "place": "旗纪委监委第一会议室",
        "chair": "吴领导", "attendees": "吴领导、王文秘、郑秘书", "presentation": "旗纪委信访室介绍了信访事项的基本情况。",
        "petitioner_statement": "信访人陈述了反映的问题。", "respondent_statement": "被信访人作了说明。",
        "department_answer": "旗财政局答复了扶贫资金的拨付情况。", "ruling": "责成红庆河镇于一个月内整改。",
    },
    "talk-form": {"talk_kind": "核实", "lead": "周调查", "talk_time": "2026年11月20日上午", "place": "镇政府会议室",
                  "matters": "扶贫专项资金使用情况", "answers": "承认部分资金用于办公楼维修", "outcome": "归入信访档案"},
}


def build_town(path: Path) -> Office:
    """The office of ``tests.conftest`` with the three cases of this module's docstring."""
    office = build_office(path)
    with office.open() as archive:
        secretary, leader = login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        real = CaseRegistration(
            channel="来信", received=date(2026, 10, 9), category="检举", importance="一般",
            classification=Level.SECRET, summary=SUMMARY, real_name=True,
            petitioners=[Petitioner(PETITIONER, phone=PHONE, address=ADDRESS)],
            reported=[ReportedPerson(REPORTED, unit=REPORTED_UNIT, post=REPORTED_POST, party_member=True)],
            disciplines=["廉洁"],
        )
        assert register_case(archive, secretary, real, today=date(2026, 11, 28)).case_id == REAL
        propose_route(archive, secretary, REAL, route="交办", unit=UNIT, opinion="建议交红庆河镇纪委调查核实",
                      on=date(2026, 10, 10))
        instruct_case(archive, leader, REAL, text="同意，交红庆河镇纪委办理并按期报结", on=date(2026, 10, 11))
        assign_case(archive, secretary, REAL, unit=UNIT, series="纪群字", acknowledged=date(2026, 10, 12),
                    on=date(2026, 10, 12))
        write_summary_out(archive, secretary, REAL, text=SUMMARY_OUT, reviewed=False, on=date(2026, 10, 12))
        extend_case(archive, leader, REAL, days=30, reason=EXTENSION_REASON, on=date(2026, 11, 5))
        supervise_case(archive, leader, REAL, reason=SUPERVISION_REASON, on=date(2026, 11, 20))

        anonymous = CaseRegistration(
            channel="举报箱", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.INTERNAL, summary=ANONYMOUS_SUMMARY, real_name=False,
        )
        assert register_case(archive, secretary, anonymous, today=date(2026, 11, 28)).case_id == ANONYMOUS
        propose_route(archive, secretary, ANONYMOUS, route="转办", unit=ANONYMOUS_UNIT, opinion="建议转札萨克镇纪委",
                      on=date(2026, 11, 3))
        instruct_case(archive, leader, ANONYMOUS, text="同意", on=date(2026, 11, 4))
        assign_case(archive, secretary, ANONYMOUS, unit=ANONYMOUS_UNIT, series="纪信字", on=date(2026, 11, 5))

        no_summary = CaseRegistration(
            channel="来访", received=date(2026, 11, 2), category="控告", importance="一般",
            classification=Level.SECRET, summary="李桂芝反映新街村支书王建国侵占集体土地补偿款", real_name=True,
            petitioners=[Petitioner(OTHER_PETITIONER, phone=OTHER_PHONE)],
            reported=[ReportedPerson("王建国", unit="新街村党支部", post="书记")],
        )
        assert register_case(archive, secretary, no_summary, today=date(2026, 11, 28)).case_id == NO_SUMMARY
        propose_route(archive, secretary, NO_SUMMARY, route="交办", unit=UNIT, opinion="建议交办", on=date(2026, 11, 3))
        instruct_case(archive, leader, NO_SUMMARY, text="同意", on=date(2026, 11, 4))
        assign_case(archive, secretary, NO_SUMMARY, unit=UNIT, series="纪群字", acknowledged=date(2026, 11, 6),
                    on=date(2026, 11, 6))
    return office


def copy_town(template: Office, destination: Path) -> Office:
    """A private copy of a built office (the archive folder is self-contained)."""
    shutil.copytree(template.path, destination)
    return Office(destination)


@pytest.fixture(scope="module")
def town_template(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return build_town(tmp_path_factory.mktemp("town") / "archive")


@pytest.fixture
def town(town_template: Office, tmp_path: Path) -> Office:
    """A fresh copy of the office with the three cases, at ``tmp_path / "archive"``."""
    return copy_town(town_template, tmp_path / "archive")


# --------------------------------------------------------------------------- reading a DOCX back

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def parts(data: bytes) -> dict[str, bytes]:
    """Every part of a package by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist()}


def own_text(paragraph: etree._Element) -> str:
    """A paragraph's text without the text of paragraphs nested in it (text boxes)."""
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t") if next(t.iterancestors(f"{W}p")) is paragraph)


def paragraphs(data: bytes, prefix: str = "word/document") -> list[str]:
    """The non-empty paragraphs of the parts whose names start with ``prefix`` (text boxes included)."""
    found = []
    for name, blob in sorted(parts(data).items()):
        if name.startswith(prefix) and name.endswith(".xml"):
            found += [text for p in etree.fromstring(blob).iter(f"{W}p") if (text := own_text(p))]
    return found


def header_texts(data: bytes) -> list[str]:
    """The text of each header part (default, even and, for letters, first page)."""
    return ["".join(own_text(p) for p in etree.fromstring(blob).iter(f"{W}p"))
            for name, blob in sorted(parts(data).items()) if name.startswith("word/header")]


def all_text(data: bytes) -> str:
    """Every XML part of the package, decoded: what a leak scan or a curious reader would look at."""
    return "\n".join(blob.decode("utf-8", "replace") for name, blob in parts(data).items()
                     if name.endswith((".xml", ".rels")))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder drafts and printed copies go to (not created until something is written)."""
    return tmp_path / "out"
