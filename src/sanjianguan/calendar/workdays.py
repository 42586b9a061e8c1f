"""工作日 and Chinese dates of the clue workflow.

The working-day data is the platform's own calendar (`sanjianguan.calendar`): code with
a workflow store reads it with `sanjianguan.calendar.table.calendar_for(session)`; the
two functions here use the shipped calendar, for code without a store at hand (the
demo). Neither ever fails for a year the calendar does not know: such a year is counted
provisionally (weekends and fixed-date holidays).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from sanjianguan.calendar.days import shipped

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day of the shipped calendar (make-up Saturday: yes; holiday Monday: no)."""
    return shipped().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start` (start not counted) by the shipped calendar; days >= 0."""
    return shipped().add_working_days(start, days).day


def china_date(moment: datetime) -> date:
    """The calendar date in China of an aware instant (deadlines are Chinese dates)."""
    return moment.astimezone(CHINA).date()


def start_of_day(day: date) -> datetime:
    """00:00 China time of `day`, as aware UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)
