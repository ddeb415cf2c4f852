"""``xinfang user handover`` from the command line: a departed secretary's cases go to a colleague.

The office's three 内部 cases were registered by 王文秘, their 首问责任人.
"""

from __future__ import annotations

import json

from tests.conftest import ADMIN, CASES, CliRun, Office

LEADER, DEPARTED, SUCCESSOR, ARCHIVIST, INVESTIGATOR, AUDITOR = "吴领导", "王文秘", "郑秘书", "孙档案", "周调查", "钱审计"
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_PERMISSION = 0, 1, 2, 3


def test_a_leader_hands_a_departed_users_cases_over(office: Office, cli: CliRun) -> None:
    assert cli("user", "disable", DEPARTED, user=ADMIN).exit_code == EXIT_OK
    done = cli("user", "handover", DEPARTED, SUCCESSOR, user=LEADER)
    assert done.exit_code == EXIT_OK, done.output
    assert done.stdout == f"{DEPARTED} → {SUCCESSOR}：移交信访件 3 件（{'、'.join(CASES)}），草稿 0 份\n"
    shown = cli("case", "show", CASES[0], user=SUCCESSOR)
    assert shown.exit_code == EXIT_OK and f"原首问责任人：{DEPARTED}；接手人：{SUCCESSOR}" in shown.stdout
    history = json.loads(cli("case", "show", CASES[0], "--json", user=SUCCESSOR).stdout)["history"]
    assert history[-1]["kind"] == "handover" and history[-1]["actor"] == LEADER
    again = cli("user", "handover", DEPARTED, SUCCESSOR, "--json", user=LEADER)
    assert again.exit_code == EXIT_OK and json.loads(again.stdout) == {"cases": [], "drafts": []}
    assert cli("archive", "verify", user=AUDITOR).exit_code == EXIT_OK
    assert cli("audit", "verify", user=AUDITOR).exit_code == EXIT_OK


def test_what_is_left_for_a_leader_is_named_on_stderr(office: Office, cli: CliRun) -> None:
    requested = cli("access", "request", CASES[1], "--reason", "核查关联线索", "--json", user=INVESTIGATOR)
    assert requested.exit_code == EXIT_OK, requested.output
    request_id = json.loads(requested.stdout)["request_id"]
    done = cli("user", "handover", INVESTIGATOR, SUCCESSOR, "--json", user=LEADER)
    assert done.exit_code == EXIT_OK and json.loads(done.stdout) == {"cases": [], "drafts": []}
    assert f"注意：{INVESTIGATOR} 尚有待审批的查阅申请（不移交，请另行处理）：{request_id}" in done.stderr


def test_refusals_and_their_exit_codes(office: Office, cli: CliRun) -> None:
    by_clerk = cli("user", "handover", DEPARTED, SUCCESSOR, user=DEPARTED)
    assert by_clerk.exit_code == EXIT_PERMISSION and "领导" in by_clerk.stderr
    by_admin = cli("user", "handover", DEPARTED, SUCCESSOR, user=ADMIN)
    assert by_admin.exit_code == EXIT_PERMISSION
    to_archivist = cli("user", "handover", DEPARTED, ARCHIVIST, user=LEADER)
    assert to_archivist.exit_code == EXIT_INVALID and "须为文秘或领导" in to_archivist.stderr
    assert cli("user", "handover", DEPARTED, user=LEADER).exit_code == EXIT_USAGE
