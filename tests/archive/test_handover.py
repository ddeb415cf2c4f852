"""Handover (交接): a departed secretary's open cases and unissued drafts go to a successor.

The office's three 内部 cases were registered by 王文秘, so she is their 首问责任人. She has left
(her account is disabled) by the time the leader hands over, as in life.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from archive import (
    Archive,
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    disable_account,
    login,
    verify_archive,
)
from archive.access import grant_access, request_access
from archive.cases import CaseRegistration, ReportedPerson, open_case, register_case
from archive.copies import issue_copy
from archive.dispatch import Draft, record_dispatch, save_draft
from archive.handling import close_case, instruct_case, propose_route
from archive.handover import hand_over
from tests.conftest import ADMIN, CASES, OFFICER, PASSPHRASE, Office

LEADER, DEPARTED, SUCCESSOR, ARCHIVIST, INVESTIGATOR = "吴领导", "王文秘", "郑秘书", "孙档案", "周调查"
DAY = date(2026, 11, 10)


@dataclass
class Desk:
    office: Office
    archive: Archive

    def session(self, name: str):
        return login(self.archive, name, PASSPHRASE)

    def draft(self, case_id: str) -> Draft:
        case = open_case(self.archive, self.session(DEPARTED), case_id)
        return save_draft(self.archive, self.session(DEPARTED), case, "notice-accept", {"受理": case_id}, b"PK docx",
                          lambda draft_id: None)

    def receivers(self) -> dict[str, str]:
        return dict(self.archive.conn.execute("SELECT case_id, first_receiver FROM cases").fetchall())

    def register(self, level: Level, reported: str | None = None) -> str:
        registration = CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般", classification=level,
            summary="反映某局违规发放津贴", real_name=False,
            reported=[ReportedPerson(reported)] if reported else [],
        )
        return register_case(self.archive, self.session(DEPARTED), registration, today=date(2026, 11, 28)).case_id


@pytest.fixture
def desk(office: Office) -> Iterator[Desk]:
    with office.open() as archive:
        yield Desk(office, archive)


def _issue(desk: Desk, draft: Draft) -> None:
    """Register ``draft`` as issued (伊纪告字〔2026〕1号), as the issuing cycle does in its transaction."""
    with desk.archive.act(desk.session(DEPARTED)) as act:
        record_dispatch(desk.archive, act, draft=draft, series="伊纪告字", year=2026, number=1,
                        document_number="伊纪告字〔2026〕1号", level=Level.INTERNAL, signer=LEADER, signed_on=DAY,
                        on_paper=False, copies=1, records=[])


def test_open_cases_and_unissued_drafts_go_to_the_successor_even_after_the_departure(desk: Desk) -> None:
    closed, *open_cases = CASES
    propose_route(desk.archive, desk.session(DEPARTED), closed, route="摘报", opinion="摘报上级", on=DAY)
    instruct_case(desk.archive, desk.session(LEADER), closed, text="同意", on=DAY)
    close_case(desk.archive, desk.session(DEPARTED), closed, on=DAY)
    pending, issued = desk.draft(open_cases[0]), desk.draft(open_cases[1])
    _issue(desk, issued)
    disable_account(desk.archive, desk.session(ADMIN), DEPARTED)

    done = hand_over(desk.archive, desk.session(LEADER), DEPARTED, SUCCESSOR)

    assert done.to_json() == {"cases": open_cases, "drafts": [pending.draft_id]}
    assert desk.receivers() == {closed: DEPARTED, **dict.fromkeys(open_cases, SUCCESSOR)}
    history = open_case(desk.archive, desk.session(SUCCESSOR), open_cases[0]).events
    assert (history[-1]["kind"], history[-1]["actor"], history[-1]["data"]) == (
        "handover", LEADER, {"from": DEPARTED, "to": SUCCESSOR})
    drafted = dict(desk.archive.conn.execute("SELECT draft_id, created_by FROM drafts").fetchall())
    assert drafted == {pending.draft_id: SUCCESSOR, issued.draft_id: DEPARTED}
    report = verify_archive(desk.archive, desk.session(LEADER))
    assert report.ok, report.problems
    assert hand_over(desk.archive, desk.session(LEADER), DEPARTED, SUCCESSOR).to_json() == {"cases": [], "drafts": []}


@pytest.mark.parametrize("name", [DEPARTED, ARCHIVIST, ADMIN, OFFICER])
def test_only_a_leader_hands_over(desk: Desk, name: str) -> None:
    with pytest.raises(PermissionDenied, match="领导"):
        hand_over(desk.archive, desk.session(name), DEPARTED, SUCCESSOR)
    assert set(desk.receivers().values()) == {DEPARTED}


@pytest.mark.parametrize(("from_user", "to_user", "error", "message"), [
    (DEPARTED, ARCHIVIST, Refused, "须为文秘或领导"),
    (DEPARTED, "无此人", Refused, "不是本档案库中在职的账户"),
    ("无此人", SUCCESSOR, NotFound, "不存在"),
    (DEPARTED, DEPARTED, InvalidInput, "同一用户"),
])
def test_who_may_take_over(desk: Desk, from_user: str, to_user: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        hand_over(desk.archive, desk.session(LEADER), from_user, to_user)


def test_a_disabled_successor_is_refused(desk: Desk) -> None:
    disable_account(desk.archive, desk.session(ADMIN), SUCCESSOR)
    with pytest.raises(Refused, match=f"“{SUCCESSOR}”不是本档案库中在职的账户"):
        hand_over(desk.archive, desk.session(LEADER), DEPARTED, SUCCESSOR)


def test_cases_beyond_the_successors_clearance_or_naming_them_refuse_the_whole_handover(desk: Desk) -> None:
    above = desk.register(Level.CONFIDENTIAL)  # 郑秘书 is cleared for 秘密
    recused = desk.register(Level.INTERNAL, reported=SUCCESSOR)
    desk.draft(CASES[0])
    before = desk.receivers()
    with pytest.raises(Refused) as refused:
        hand_over(desk.archive, desk.session(LEADER), DEPARTED, SUCCESSOR)
    assert str(refused.value) == (f"{SUCCESSOR} 不能接手以下信访件（及其草稿），未作任何移交："
                                  f"{above}（机密，超出其密级授权）、{recused}（须回避）")
    assert desk.receivers() == before
    assert {by for (by,) in desk.archive.conn.execute("SELECT created_by FROM drafts")} == {DEPARTED}


def test_a_case_hidden_from_the_leader_is_neither_moved_nor_named(desk: Desk) -> None:
    hidden = desk.register(Level.INTERNAL, reported=LEADER)
    done = hand_over(desk.archive, desk.session(LEADER), DEPARTED, SUCCESSOR)
    assert done.cases == list(CASES) and hidden not in str(done)
    assert desk.receivers()[hidden] == DEPARTED


def test_requests_grants_and_copies_of_the_departed_are_listed_not_moved(filed_office: Office) -> None:
    with filed_office.open() as archive:
        investigator, leader = login(archive, INVESTIGATOR, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        request = request_access(archive, investigator, CASES[1], reason="核查关联线索")
        grant = grant_access(archive, leader, CASES[0], to=INVESTIGATOR, days=30, reason="核查")
        record_id = filed_office.records[Level.INTERNAL]
        copy = issue_copy(archive, login(archive, INVESTIGATOR, PASSPHRASE), record_id, fmt="pdf",
                          render=lambda wanted: b"%PDF-1.4 stamped", deliver=lambda data: None)
        disable_account(archive, login(archive, ADMIN, PASSPHRASE), INVESTIGATOR)
        done = hand_over(archive, leader, INVESTIGATOR, SUCCESSOR)
    assert done.to_json() == {"cases": [], "drafts": []}
    assert (done.requests, done.grants, done.copies) == ([request.request_id], [grant.grant_id], [copy.copy_id])
