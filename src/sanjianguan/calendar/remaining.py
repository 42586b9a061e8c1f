"""剩余工作日: how many working days are left until a deadline (or how many it is overdue)."""

from __future__ import annotations

from datetime import date, timedelta

from sanjianguan.calendar.days import WorkCalendar


def working_days_between(calendar: WorkCalendar, start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += calendar.is_working_day(day)
    return count


def working_days_left(calendar: WorkCalendar, today: date, due_on: date) -> int:
    """剩余工作日: working days after today up to the due day (0: due today); negative when
    overdue: minus the working days since the due day."""
    if due_on >= today:
        return working_days_between(calendar, today, due_on)
    return -working_days_between(calendar, due_on, today)
