"""Tests for archive/days.py: the due dates an office clerk would check by hand.

Holiday facts for 2026 are those of the State Council notice as shipped in
chinesecalendar: 中秋 9月25日–27日, 国庆 10月1日–7日, 调休上班 9月20日（周日）
and 10月10日（周六）; 10月8日 is an ordinary working Thursday.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from archive.days import (
    MAX_DAYS,
    MAX_MONTHS,
    HolidayCalendar,
    YearOverride,
    add_days,
    add_months,
    add_working_days,
    days_left,
    parse_year_overrides,
)
from archive.errors import InvalidInput

# A plausible 2027 arrangement as an office would type it into xinfang.toml
# (the real notice may differ; what matters is that 2027 then has data).
CONFIG_2027 = {
    "2027": {
        "holidays": [
            "2027-01-01", "2027-01-02", "2027-01-03",
            "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09",
            "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13",
            "2027-04-03", "2027-04-04", "2027-04-05",
            "2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05",
            "2027-06-09", "2027-06-10", "2027-06-11",
            "2027-09-15", "2027-09-16", "2027-09-17",
            "2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04",
            "2027-10-05", "2027-10-06", "2027-10-07",
        ],
        "workdays": ["2027-01-31", "2027-02-20", "2027-04-25", "2027-09-26", "2027-10-09"],
    }
}


@pytest.fixture
def package_calendar() -> HolidayCalendar:
    return HolidayCalendar()


def _skip_if_package_knows(year: int) -> None:
    if HolidayCalendar().has_data(year):
        pytest.skip(f"chinesecalendar now ships {year}; this no-data case needs a later year")


def test_installed_chinesecalendar_has_the_2026_arrangement(package_calendar):
    cal = package_calendar
    assert cal.has_data(2026)
    assert all(not cal.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2026, 10, 8))
    assert cal.is_working_day(date(2026, 9, 20))  # Sunday, 调休
    assert cal.is_working_day(date(2026, 10, 10))  # Saturday, 调休
    assert not cal.is_working_day(date(2026, 9, 25))  # Friday, 中秋
    assert not cal.is_working_day(date(2026, 10, 11))  # ordinary Sunday


def test_three_months_from_30_november_without_2027_data_warns(package_calendar):
    _skip_if_package_knows(2027)
    deadline = add_months(date(2026, 11, 30), 3, package_calendar)
    assert deadline.nominal == date(2027, 2, 28)  # there is no 30 February
    assert deadline.due == date(2027, 3, 1)  # 28 February 2027 is a Sunday
    assert deadline.rolled_forward
    assert len(deadline.warnings) == 1
    assert "2027年" in deadline.warnings[0]
    assert "xinfang.toml" in deadline.warnings[0]


def test_three_months_from_30_november_with_2027_override_has_no_warning():
    calendar = HolidayCalendar.from_config(CONFIG_2027)
    deadline = add_months(date(2026, 11, 30), 3, calendar)
    assert (deadline.nominal, deadline.due) == (date(2027, 2, 28), date(2027, 3, 1))
    assert deadline.warnings == ()


def test_thirty_days_landing_in_national_day_moves_to_8_october(package_calendar):
    deadline = add_days(date(2026, 9, 3), 30, package_calendar)
    assert deadline.nominal == date(2026, 10, 3)
    assert deadline.due == date(2026, 10, 8)
    assert deadline.warnings == ()


def test_roll_forward_can_be_switched_off(package_calendar):
    deadline = add_days(date(2026, 9, 3), 30, package_calendar, roll_to_working_day=False)
    assert deadline.due == deadline.nominal == date(2026, 10, 3)
    assert not deadline.rolled_forward


def test_start_day_is_not_counted_and_zero_days_is_the_start_day(package_calendar):
    assert add_days(date(2026, 3, 2), 1, package_calendar).due == date(2026, 3, 3)
    assert add_days(date(2026, 3, 2), 0, package_calendar).due == date(2026, 3, 2)


def test_deadline_on_an_ordinary_weekend_moves_to_monday(package_calendar):
    deadline = add_days(date(2026, 3, 2), 5, package_calendar)
    assert deadline.nominal == date(2026, 3, 7)  # Saturday
    assert deadline.due == date(2026, 3, 9)


def test_deadline_on_a_tiaoxiu_saturday_does_not_move(package_calendar):
    deadline = add_days(date(2026, 9, 10), 30, package_calendar)
    assert deadline.due == deadline.nominal == date(2026, 10, 10)


def test_tiaoxiu_weekend_days_count_as_working_days(package_calendar):
    start = date(2026, 9, 18)  # Friday before the Sunday 调休 day
    assert add_working_days(start, 1, package_calendar).due == date(2026, 9, 20)
    assert add_working_days(start, 11, package_calendar).due == date(2026, 10, 10)


def test_fifteen_working_days_skip_mid_autumn_and_national_day(package_calendar):
    deadline = add_working_days(date(2026, 9, 18), 15, package_calendar)
    # 9/20, 9/21–24, 9/28–30, 10/8–10, 10/12–15: the holidays are skipped.
    assert deadline.due == date(2026, 10, 15)
    assert deadline.nominal == deadline.due
    assert deadline.warnings == ()


def test_working_days_start_day_is_not_counted(package_calendar):
    assert add_working_days(date(2026, 3, 2), 1, package_calendar).due == date(2026, 3, 3)
    assert add_working_days(date(2026, 3, 6), 1, package_calendar).due == date(2026, 3, 9)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2026, 5, 15), date(2026, 6, 15)),
    ],
)
def test_one_month_ends_on_corresponding_or_last_day(package_calendar, start, expected):
    deadline = add_months(start, 1, package_calendar, roll_to_working_day=False)
    assert deadline.nominal == deadline.due == expected


def test_months_roll_over_the_year_end(package_calendar):
    deadline = add_months(date(2026, 10, 15), 14, package_calendar, roll_to_working_day=False)
    assert deadline.due == date(2027, 12, 15)


def test_leap_year_2028_without_data_gives_29_february_and_a_warning(package_calendar):
    _skip_if_package_knows(2028)
    deadline = add_months(date(2028, 1, 31), 1, package_calendar)
    assert deadline.nominal == deadline.due == date(2028, 2, 29)  # a Tuesday
    assert deadline.warnings and "2028年" in deadline.warnings[0]


def test_leap_year_2028_with_override_has_no_warning():
    calendar = HolidayCalendar({2028: YearOverride(frozenset({date(2028, 1, 1)}), frozenset())})
    deadline = add_months(date(2028, 1, 31), 1, calendar)
    assert deadline.due == date(2028, 2, 29)
    assert deadline.warnings == ()


def test_no_warning_when_roll_forward_is_off(package_calendar):
    deadline = add_days(date(2099, 1, 1), 10, package_calendar, roll_to_working_day=False)
    assert deadline.warnings == ()


def test_warnings_name_each_year_without_data_once(package_calendar):
    deadline = add_working_days(date(2098, 12, 1), 60, package_calendar)
    assert len(deadline.warnings) == 2
    assert deadline.warnings[0].startswith("2098年")
    assert deadline.warnings[1].startswith("2099年")


def test_year_without_data_counts_only_weekends_as_rest(package_calendar):
    # 2099-01-01 is a Thursday: no holiday data, so it is an ordinary working day.
    assert package_calendar.is_working_day(date(2099, 1, 1))
    assert not package_calendar.has_data(2099)
    assert add_days(date(2098, 12, 31), 1, package_calendar).due == date(2099, 1, 1)


def test_override_for_2026_takes_precedence_over_the_package():
    calendar = HolidayCalendar.from_config(
        {"2026": {"holidays": ["2026-01-01", "2026-10-01", "2026-10-02"]}}
    )
    # The package's 10/5–10/7 holidays and 9/20 调休 are gone; the override rules 2026.
    assert calendar.is_working_day(date(2026, 10, 5))
    assert not calendar.is_working_day(date(2026, 9, 20))
    deadline = add_days(date(2026, 9, 3), 30, calendar)
    assert deadline.due == date(2026, 10, 5)
    assert deadline.warnings == ()
    assert calendar.overridden_years == {2026}


def test_override_workdays_make_weekend_days_working():
    calendar = HolidayCalendar.from_config(CONFIG_2027)
    assert calendar.is_working_day(date(2027, 2, 20))  # Saturday 调休
    assert not calendar.is_working_day(date(2027, 2, 21))  # ordinary Sunday
    assert not calendar.is_working_day(date(2027, 2, 8))  # Monday in 春节
    assert calendar.next_working_day(date(2027, 2, 5)) == date(2027, 2, 15)


def test_next_working_day_returns_a_working_day_itself(package_calendar):
    assert package_calendar.next_working_day(date(2026, 10, 8)) == date(2026, 10, 8)
    assert package_calendar.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)


def test_config_accepts_toml_dates_and_int_years():
    overrides = parse_year_overrides({2027: {"holidays": [date(2027, 1, 1)]}})
    assert overrides == {2027: YearOverride(frozenset({date(2027, 1, 1)}), frozenset())}
    assert parse_year_overrides(None) == {}


@pytest.mark.parametrize(
    "table",
    [
        {"2027": {"holidays": ["2027-02-30"]}},  # no such day
        {"2027": {"holidays": ["2027/01/01"]}},
        {"2027": {"holidays": ["20270101"]}},
        {"2027": {"holidays": [20270101]}},
        {"2027": {"holidays": "2027-01-01"}},  # a string, not a list
        {"2027": {"holidays": [datetime(2027, 1, 1, 8, 0)]}},
        {"2027": {"holidays": ["2026-12-31"]}},  # listed under the wrong year
        {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-02-08"]}},  # a Monday
        {"2027": {"holidays": ["2027-02-06"], "workdays": ["2027-02-06"]}},  # both
        {"2027": {"holidays": ["2027-01-01"], "holiday": []}},  # typo
        {"2027": {"workdays": ["2027-02-20"]}},  # no holidays at all
        {"2027": {"holidays": []}},
        {"27": {"holidays": ["2027-01-01"]}},
        {"next": {"holidays": ["2027-01-01"]}},
        {"2027": ["2027-01-01"]},
        ["2027-01-01"],
    ],
)
def test_malformed_config_is_rejected_in_chinese(table):
    with pytest.raises(InvalidInput) as excinfo:
        HolidayCalendar.from_config(table)
    assert "节假日" in str(excinfo.value) or "调休" in str(excinfo.value)


def test_inconsistent_override_objects_are_rejected():
    with pytest.raises(InvalidInput, match="不属于该年"):
        HolidayCalendar({2027: YearOverride(frozenset({date(2028, 1, 1)}), frozenset())})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda cal: add_days(date(2026, 1, 5), -1, cal), "不能为负数"),
        (lambda cal: add_days(date(2026, 1, 5), MAX_DAYS + 1, cal), "过大"),
        (lambda cal: add_days(date(2026, 1, 5), True, cal), "整数"),
        (lambda cal: add_days(date(2026, 1, 5), 1.5, cal), "整数"),
        (lambda cal: add_working_days(date(2026, 1, 5), -3, cal), "不能为负数"),
        (lambda cal: add_working_days(date(2026, 1, 5), MAX_DAYS + 1, cal), "过大"),
        (lambda cal: add_months(date(2026, 1, 5), -1, cal), "不能为负数"),
        (lambda cal: add_months(date(2026, 1, 5), MAX_MONTHS + 1, cal), "过大"),
        (lambda cal: add_days(datetime(2026, 1, 5, 9), 3, cal), "日期"),
        (lambda cal: add_days("2026-01-05", 3, cal), "日期"),
        (lambda cal: add_days(date(9999, 12, 25), 30, cal), "日期范围"),
    ],
)
def test_absurd_inputs_are_rejected(package_calendar, call, message):
    with pytest.raises(InvalidInput, match=message):
        call(package_calendar)


def test_days_left_counts_calendar_days_and_goes_negative_when_overdue():
    due = date(2026, 10, 8)
    assert days_left(due, date(2026, 10, 1)) == 7
    assert days_left(due, due) == 0
    assert days_left(due, date(2026, 10, 10)) == -2
