"""工作日: the official Chinese calendar (holidays and make-up working days, 调休).

Backed by `chinese_calendar`, which knows a fixed range of years (each State Council
notice is published late in the previous year). A date outside that range is an
explicit `CalendarRangeError`, never a guess: a deadline computed from weekends alone
would be wrong around every holiday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import chinese_calendar

from sanjianguan.cases.errors import WorkflowError

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991


class CalendarRangeError(WorkflowError):
    """The calendar does not know the year (日历不含该年份)."""

    code = "calendar_out_of_range"


def is_working_day(day: date) -> bool:
    """Whether `day` is an official working day (a make-up Saturday is; a holiday Monday is not)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        raise CalendarRangeError(
            f"法定节假日日历不含 {day.year} 年，无法计算工作日（请更新日历数据）",
            f"the official holiday calendar does not cover {day.year}: cannot count working days "
            "(update the calendar data)",
        ) from None


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start itself not counted); days >= 0."""
    if days < 0:
        raise ValueError("days must be >= 0")
    day, left = start, days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def china_date(moment: datetime) -> date:
    """The calendar date in China of an aware instant (deadlines are Chinese dates)."""
    return moment.astimezone(CHINA).date()


def start_of_day(day: date) -> datetime:
    """00:00 China time of `day`, as aware UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)
