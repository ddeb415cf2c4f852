"""The report box (举报箱): openings by two people, the weeks it stayed shut, and the log that covers each opening."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from archive import Archive, InvalidInput, PermissionDenied, Session, login
from archive.auditing import verify_audit
from archive.reportbox import DEFAULT_BOX, Opening, list_openings, record_opening, weeks_without_opening
from tests.conftest import PASSPHRASE, Office, build_office

SECRETARY, LEADER, ARCHIVIST = "王文秘", "吴领导", "孙档案"
PAIR = [SECRETARY, LEADER]
TODAY = date.today()


@pytest.fixture(scope="module")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Office:
    return build_office(tmp_path_factory.mktemp("box") / "archive")


@dataclass
class Box:
    archive: Archive
    secretary: Session
    office: Office

    def open(self, on: date, letters: int = 1, witnesses: list[str] | None = None, **extra: str) -> Opening:
        return record_opening(self.archive, self.secretary, opened_on=on, letters=letters,
                              witnesses=PAIR if witnesses is None else witnesses, **extra)

    def openings(self) -> list[Opening]:
        return list_openings(self.archive, date(2000, 1, 1), date(2100, 1, 1))


@pytest.fixture
def box(office_template: Office, tmp_path: Path) -> Iterator[Box]:
    shutil.copytree(office_template.path, tmp_path / "archive")
    office = Office(tmp_path / "archive")
    with office.open() as archive:
        yield Box(archive, login(archive, SECRETARY, PASSPHRASE), office)


def test_an_opening_is_recorded_with_its_witnesses_and_listed(box: Box) -> None:
    opening = box.open(date(2026, 10, 12), letters=3, witnesses=[" 王文秘 ", "钱审计"])
    assert (opening.opening_id, opening.opened_on, opening.box, opening.letters, opening.witnesses,
            opening.recorded_by) == (1, date(2026, 10, 12), DEFAULT_BOX, 3, [SECRETARY, "钱审计"], SECRETARY)
    assert box.openings() == [opening]
    shown = opening.to_json()
    assert set(shown) == {"opening_id", "opened_on", "box", "letters", "witnesses", "recorded_by", "recorded_at"}
    assert (shown["opened_on"], shown["witnesses"]) == ("2026-10-12", [SECRETARY, "钱审计"])
    json.dumps(shown, ensure_ascii=False)


def test_openings_are_listed_oldest_first_within_the_days_asked(box: Box) -> None:
    later = box.open(date(2026, 10, 19), box="二号举报箱")
    earlier = box.open(date(2026, 10, 12))
    same_day = box.open(date(2026, 10, 19))
    assert list_openings(box.archive, date(2026, 10, 12), date(2026, 10, 19)) == [earlier, later, same_day]
    assert list_openings(box.archive, date(2026, 10, 13), date(2026, 10, 19)) == [later, same_day]
    assert list_openings(box.archive, date(2026, 10, 13), date(2026, 10, 18)) == []
    assert later.box == "二号举报箱"


@pytest.mark.parametrize(("witnesses", "message"), [
    ([SECRETARY], "至少 2 名不同的人员"),
    ([SECRETARY, SECRETARY], "至少 2 名不同的人员"),
    ([SECRETARY, f" {SECRETARY}　"], "至少 2 名不同的人员"),  # the same name typed with spaces
    ([], "至少 2 名不同的人员"),
    ([SECRETARY, "孙书记"], "开启人不是本档案库的在职用户：孙书记"),
    (["路人甲", "路人乙"], "开启人不是本档案库的在职用户：路人甲、路人乙"),
    ([SECRETARY, " "], "开启人（--witness）不能为空"),
])
def test_two_distinct_witnesses_with_accounts_open_the_box(box: Box, witnesses: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        box.open(date(2026, 10, 12), witnesses=witnesses)
    assert box.openings() == []


def test_a_third_witness_is_recorded_too(box: Box) -> None:
    assert box.open(date(2026, 10, 12), witnesses=[SECRETARY, LEADER, "郑秘书"]).witnesses == [SECRETARY, LEADER, "郑秘书"]


def test_an_opening_today_is_accepted_and_tomorrow_refused(box: Box) -> None:
    with pytest.raises(InvalidInput, match=f"开启日期 {(TODAY + timedelta(days=1)).isoformat()} 晚于今天"):
        box.open(TODAY + timedelta(days=1))
    assert box.openings() == []
    assert box.open(TODAY).opened_on == TODAY


@pytest.mark.parametrize("letters", [-1, 10_001, True])
def test_the_letter_count_is_between_0_and_10000(box: Box, letters: int) -> None:
    with pytest.raises(InvalidInput, match="取出信件数应为 0 至 10000"):
        box.open(date(2026, 10, 12), letters=letters)
    assert box.openings() == []


def test_an_empty_box_and_a_full_one_are_recorded(box: Box) -> None:
    assert [box.open(date(2026, 10, 12), letters=n).letters for n in (0, 10_000)] == [0, 10_000]


@pytest.mark.parametrize("user", [ARCHIVIST, "周调查", "钱审计"])
def test_only_secretaries_and_leaders_record_an_opening(box: Box, user: str) -> None:
    with pytest.raises(PermissionDenied, match="登记举报箱开启"):
        record_opening(box.archive, login(box.archive, user, PASSPHRASE), opened_on=date(2026, 10, 12), letters=1,
                       witnesses=PAIR)
    assert box.openings() == []
    assert record_opening(box.archive, login(box.archive, LEADER, PASSPHRASE), opened_on=date(2026, 10, 12),
                          letters=1, witnesses=PAIR).recorded_by == LEADER


# --------------------------------------------------------------------------- weeks without an opening


def _opened(*days: str) -> list[Opening]:
    return [Opening(n, date.fromisoformat(day), DEFAULT_BOX, 1, PAIR, SECRETARY, "") for n, day in enumerate(days, 1)]


W = [(date(2026, 10, 5) + timedelta(weeks=n), date(2026, 10, 11) + timedelta(weeks=n)) for n in range(4)]
"""The Monday–Sunday weeks from 5 October 2026: W[0] = 10-05–10-11, …, W[3] = 10-26–11-01."""


@pytest.mark.parametrize(("openings", "start", "end", "missing"), [
    # opened in the first week and on the last Sunday: the two weeks between are missing
    (_opened("2026-10-07", "2026-11-01"), "2026-10-05", "2026-11-01", [W[1], W[2]]),
    # the partial week before the first Monday and the one after the last Sunday are not judged
    (_opened(), "2026-09-30", "2026-10-31", [W[0], W[1], W[2]]),
    (_opened(), "2026-10-06", "2026-10-25", [W[1], W[2]]),
    # an opening on a Monday or a Sunday covers its own week only
    (_opened("2026-10-12", "2026-10-25"), "2026-10-05", "2026-11-01", [W[0], W[3]]),
    # openings outside the span change nothing
    (_opened("2026-09-28", "2026-11-02"), "2026-10-05", "2026-10-18", [W[0], W[1]]),
    # every week opened, twice in one of them
    (_opened("2026-10-05", "2026-10-16", "2026-10-17", "2026-10-21"), "2026-10-05", "2026-10-25", []),
    # shorter than a whole week
    (_opened(), "2026-10-06", "2026-10-11", []),
])
def test_weeks_without_opening_are_the_whole_weeks_with_none(
    openings: list[Opening], start: str, end: str, missing: list[tuple[date, date]]
) -> None:
    assert weeks_without_opening(openings, date.fromisoformat(start), date.fromisoformat(end)) == missing


def test_a_box_forgotten_for_a_month_shows_every_week(box: Box) -> None:
    box.open(date(2026, 9, 28))
    box.open(date(2026, 11, 2))
    start, end = date(2026, 9, 28), date(2026, 11, 8)
    assert weeks_without_opening(list_openings(box.archive, start, end), start, end) == W


# --------------------------------------------------------------------------- the log covers each opening


def _problems(office: Office) -> list[tuple[str, str]]:
    with office.open() as archive:
        report = verify_audit(archive)
    return [(p.where, p.message) for p in report.archive.problems]


def test_an_opening_is_logged_and_verifies(box: Box) -> None:
    box.open(date(2026, 10, 12), letters=3)
    (body,) = [json.loads(b) for (b,) in box.archive.conn.execute("SELECT body FROM audit_entries")
               if '"reportbox.open"' in b]
    assert body["objects"] == ["reportbox:1"] and body["actor"] == SECRETARY
    assert body["info"] == {"opened_on": "2026-10-12", "box": DEFAULT_BOX, "letters": 3, "witnesses": PAIR}
    assert _problems(box.office) == []


@pytest.mark.parametrize(("column", "value"), [
    ("letters", 30),
    ("witnesses", json.dumps([SECRETARY, "孙档案"], ensure_ascii=False)),
    ("opened_on", "2026-10-13"),
])
def test_an_edited_opening_is_caught_by_verification(box: Box, column: str, value: object) -> None:
    box.open(date(2026, 10, 12), letters=3)
    box.open(date(2026, 10, 19), letters=1)
    with box.office.raw_catalogue() as conn:
        conn.execute(f"UPDATE reportbox_openings SET {column} = ? WHERE opening_id = 1", (value,))
    assert _problems(box.office) == [("举报箱开启记录 1", "开启记录与审计日志不符（目录被改动）")]


def test_a_deleted_opening_is_caught_by_verification(box: Box) -> None:
    box.open(date(2026, 10, 12), letters=3)
    with box.office.raw_catalogue() as conn:
        conn.execute("DELETE FROM reportbox_openings WHERE opening_id = 1")
    assert _problems(box.office) == [("举报箱开启记录 1", "审计日志记录了此项，目录中却没有（被删除）")]
