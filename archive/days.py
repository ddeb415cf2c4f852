"""Day counting for deadlines: the one place that decides when a time limit ends.

Petition and discipline-inspection time limits are written as "N日", "N个工作日"
or "N个月", and a wrong due date is a procedural error that a petitioner can
complain about.  The office rules are therefore kept here and nowhere else:

* the start day is not counted — N 日 from D ends on D + N;
* a deadline that falls on a rest day moves to the next working day (the caller
  may switch this off).  A rest day is a weekend day that 调休 has not made a
  working day, or a statutory holiday, including weekdays inside the holiday block;
* 工作日 skip rest days and count 调休 working Saturdays and Sundays;
* months end on the corresponding day, or on the month's last day when that day
  does not exist (30 November + 3 months → 28 February).

Holiday data comes per year from ``chinesecalendar``.  Overrides from
``xinfang.toml`` (handed in as plain data; this module reads no files) replace
the package for the years they list, which is how an office adds a year as soon
as the State Council publishes it.  A year with neither is counted with ordinary
weekends only and the result carries a Chinese warning: a due date is never
silently guessed.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType

import chinese_calendar

from .errors import InvalidInput

__all__ = [
    "MAX_DAYS",
    "MAX_MONTHS",
    "Deadline",
    "HolidayCalendar",
    "YearOverride",
    "add_days",
    "add_months",
    "add_working_days",
    "days_left",
    "parse_date",
    "parse_year_overrides",
]

MAX_DAYS = 3650
"""Largest count of 日 or 工作日 accepted; anything longer is a typing mistake."""

MAX_MONTHS = 120
"""Largest count of months accepted, the same ten years as :data:`MAX_DAYS`."""

_ONE_DAY = timedelta(days=1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHINESE_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_OVERRIDE_KEYS = frozenset({"holidays", "workdays"})


@dataclass(frozen=True)
class YearOverride:
    """One year's holiday arrangement as the State Council published it.

    ``holidays`` are the statutory rest days (weekdays and weekend days of each
    holiday block); ``workdays`` are the weekend days 调休 turns into working days.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]


@dataclass(frozen=True)
class Deadline:
    """A computed due date, the date before roll-forward, and why to double-check it.

    ``warnings`` are Chinese sentences to show next to the date — one per year
    the computation needed holiday data for and had none.
    """

    due: date
    nominal: date
    warnings: tuple[str, ...] = ()

    @property
    def rolled_forward(self) -> bool:
        """Whether the nominal date was a rest day and the deadline moved (顺延)."""
        return self.due != self.nominal


class HolidayCalendar:
    """Answers "is this a working day?" from overrides first, then ``chinesecalendar``.

    A year listed in the overrides uses only that override plus ordinary weekends,
    so a partial package year cannot mix with the office's own list.
    """

    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        checked: dict[int, YearOverride] = {}
        for year, override in (overrides or {}).items():
            _check_override(year, override)
            checked[year] = override
        self._overrides: Mapping[int, YearOverride] = MappingProxyType(checked)

    @classmethod
    def from_config(cls, table: Mapping[str, object] | None) -> HolidayCalendar:
        """Build a calendar from the ``[holidays]`` table of ``xinfang.toml``.

        The table is the parsed TOML, e.g.
        ``{"2027": {"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07"]}}``;
        a malformed table raises :class:`InvalidInput` naming the offending entry.
        """
        return cls(parse_year_overrides(table))

    @property
    def overridden_years(self) -> frozenset[int]:
        """The years whose arrangement comes from the office's configuration."""
        return frozenset(self._overrides)

    def has_data(self, year: int) -> bool:
        """Whether holiday data exists for ``year``, from an override or the package."""
        if year in self._overrides:
            return True
        if not 1 <= year <= 9999:
            return False
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day; years without data fall back to weekends."""
        _require_date(day, "日期")
        override = self._overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            if day in override.holidays:
                return False
            return day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        return _roll_forward(day, self, set())


def parse_year_overrides(table: Mapping[str, object] | None) -> dict[int, YearOverride]:
    """Turn the TOML-shaped holiday table into checked :class:`YearOverride` values.

    Dates may be ISO strings (``"2027-01-01"``) or TOML dates.  Every date must lie
    in the year it is listed under, 调休 working days must be weekend days, and a
    day cannot be both; anything else raises :class:`InvalidInput`.
    """
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        raise InvalidInput("节假日配置应为按年份分组的表，例如 [holidays.2027]")
    overrides: dict[int, YearOverride] = {}
    for key, entry in table.items():
        year = _parse_year(key)
        if not isinstance(entry, Mapping):
            raise InvalidInput(f"节假日配置 {key} 应为包含 holidays 和 workdays 的表")
        unknown = sorted(str(name) for name in entry if name not in _OVERRIDE_KEYS)
        if unknown:
            raise InvalidInput(
                f"节假日配置 {key} 含有无法识别的项：{'、'.join(unknown)}（只允许 holidays、workdays）"
            )
        if year in overrides:
            raise InvalidInput(f"节假日配置中 {year} 年重复出现")
        override = YearOverride(
            holidays=_parse_dates(entry.get("holidays"), f"{key}.holidays"),
            workdays=_parse_dates(entry.get("workdays", []), f"{key}.workdays"),
        )
        _check_override(year, override)
        overrides[year] = override
    return overrides


def parse_date(text: str, what: str = "日期") -> date:
    """A date typed by a person: ``2026-11-05`` or ``2026年11月5日``; ``what`` names the field."""
    value = unicodedata.normalize("NFKC", text).strip()  # full-width digits typed by an IME
    match = _CHINESE_DATE.fullmatch(value)
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{what}“{text}”不存在") from exc
    raise InvalidInput(f"{what}“{text}”格式不对，应为 2026-11-05 或 2026年11月5日")


def add_days(
    start: date,
    days: int,
    calendar: HolidayCalendar,
    *,
    roll_to_working_day: bool = True,
) -> Deadline:
    """The deadline ``days`` 日 after ``start``, the start day not counted.

    Calendar days do not depend on holidays; only the roll-forward of a deadline
    that lands on a rest day does, so only the years it looks at can warn.
    """
    _require_date(start, "起算日")
    _require_count(days, MAX_DAYS, "日数")
    nominal = _shift(start, days)
    return _finish(nominal, calendar, roll_to_working_day)


def add_working_days(start: date, days: int, calendar: HolidayCalendar) -> Deadline:
    """The deadline ``days`` 工作日 after ``start``, the start day not counted.

    Rest days are skipped and 调休 working weekend days count, so the result is
    itself a working day and never rolls; ``nominal`` equals ``due``.
    """
    _require_date(start, "起算日")
    _require_count(days, MAX_DAYS, "工作日数")
    seen_years: set[int] = set()
    current = start
    remaining = days
    while remaining:
        current = _shift(current, 1)
        seen_years.add(current.year)
        if calendar.is_working_day(current):
            remaining -= 1
    return Deadline(due=current, nominal=current, warnings=_warnings(seen_years, calendar))


def add_months(
    start: date,
    months: int,
    calendar: HolidayCalendar,
    *,
    roll_to_working_day: bool = True,
) -> Deadline:
    """The deadline ``months`` months after ``start``, on the corresponding day.

    When the target month is too short, the month's last day is the nominal date
    (2026-11-30 + 3 months → 2027-02-28); roll-forward then applies as for 日.
    """
    _require_date(start, "起算日")
    _require_count(months, MAX_MONTHS, "月数")
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    if year > date.max.year:
        raise InvalidInput("期限超出可计算的日期范围")
    day = min(start.day, monthrange(year, month)[1])
    return _finish(date(year, month, day), calendar, roll_to_working_day)


def days_left(due: date, today: date) -> int:
    """Calendar days from ``today`` to ``due``: 0 on the due day, negative once overdue.

    ``today`` is passed in rather than read from the clock so listings and tests
    agree on what "today" is.
    """
    _require_date(due, "到期日")
    _require_date(today, "当前日期")
    return (due - today).days


def _finish(nominal: date, calendar: HolidayCalendar, roll_to_working_day: bool) -> Deadline:
    """Apply the optional roll-forward and attach warnings for the years consulted."""
    if not roll_to_working_day:
        return Deadline(due=nominal, nominal=nominal)
    seen_years: set[int] = set()
    due = _roll_forward(nominal, calendar, seen_years)
    return Deadline(due=due, nominal=nominal, warnings=_warnings(seen_years, calendar))


def _roll_forward(day: date, calendar: HolidayCalendar, seen_years: set[int]) -> date:
    """Move ``day`` to the first working day on or after it, noting the years looked at."""
    seen_years.add(day.year)
    while not calendar.is_working_day(day):
        day = _shift(day, 1)
        seen_years.add(day.year)
    return day


def _warnings(years: Iterable[int], calendar: HolidayCalendar) -> tuple[str, ...]:
    """One warning per consulted year that has no holiday data, in year order."""
    return tuple(
        f"{year}年没有节假日数据（chinesecalendar 不含该年，xinfang.toml 也未配置），"
        "按普通周末计算，请补充配置"
        for year in sorted(set(years))
        if not calendar.has_data(year)
    )


def _shift(day: date, days: int) -> date:
    """``day + days``, with running off the calendar reported as bad input."""
    try:
        return day + timedelta(days=days)
    except OverflowError as exc:
        raise InvalidInput("期限超出可计算的日期范围") from exc


def _require_date(value: object, what: str) -> None:
    """Reject anything but a plain date; a datetime would never match a holiday list."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInput(f"{what}应为日期（不含时刻），收到 {type(value).__name__}")


def _require_count(value: object, limit: int, what: str) -> None:
    """Reject non-integers, negatives and counts too large to be meant."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what}应为整数，收到 {type(value).__name__}")
    if value < 0:
        raise InvalidInput(f"{what}不能为负数：{value}")
    if value > limit:
        raise InvalidInput(f"{what}过大：{value}（最多 {limit}）")


def _parse_year(key: object) -> int:
    """A table key such as ``"2027"`` as an int year."""
    if isinstance(key, int) and not isinstance(key, bool):
        year = key
    elif isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4:
        year = int(key)
    else:
        raise InvalidInput(f"节假日配置的年份无效：{key!r}（应为四位数字，例如 2027）")
    if not 1 <= year <= 9999:
        raise InvalidInput(f"节假日配置的年份无效：{key!r}")
    return year


def _parse_dates(values: object, where: str) -> frozenset[date]:
    """A TOML array of ISO date strings or TOML dates as a set of dates."""
    if values is None:
        raise InvalidInput(f"节假日配置 {where} 缺失：每年至少应列出法定节假日")
    if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple)):
        raise InvalidInput(f"节假日配置 {where} 应为日期列表，例如 [\"2027-01-01\"]")
    parsed: set[date] = set()
    for value in values:
        if isinstance(value, date) and not isinstance(value, datetime):
            parsed.add(value)
        elif isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                parsed.add(date.fromisoformat(value))
            except ValueError as exc:
                raise InvalidInput(f"节假日配置 {where} 中的日期不存在：{value}") from exc
        else:
            raise InvalidInput(
                f"节假日配置 {where} 中的日期格式错误：{value!r}（应为 YYYY-MM-DD）"
            )
    return frozenset(parsed)


def _check_override(year: object, override: object) -> None:
    """Check one year's arrangement is consistent before it is trusted."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInput(f"节假日覆盖的年份应为整数，收到 {year!r}")
    if not isinstance(override, YearOverride):
        raise InvalidInput(f"{year}年的节假日覆盖类型错误")
    if not override.holidays:
        raise InvalidInput(f"{year}年的节假日覆盖没有列出法定节假日")
    for label, days in (("法定节假日", override.holidays), ("调休上班日", override.workdays)):
        for day in days:
            if not isinstance(day, date) or isinstance(day, datetime):
                raise InvalidInput(f"{year}年的{label}中含有非日期值：{day!r}")
            if day.year != year:
                raise InvalidInput(
                    f"{year}年的{label}中含有 {day.isoformat()}，不属于该年，请写在 {day.year} 年下"
                )
    for day in sorted(override.workdays):
        if day.weekday() < 5:
            raise InvalidInput(
                f"{year}年的调休上班日 {day.isoformat()} 不是周六或周日，工作日无需列出"
            )
    both = sorted(override.holidays & override.workdays)
    if both:
        raise InvalidInput(
            f"{year}年的 {both[0].isoformat()} 同时列为法定节假日和调休上班日"
        )
