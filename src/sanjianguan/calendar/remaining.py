"""剩余工作日: how many working days are left until a deadline (or how many it is overdue)."""

from __future__ import annotations

from datetime import date

from sanjianguan.calendar.days import WorkCalendar


def working_days_left(calendar: WorkCalendar, today: date, due_on: date) -> int:
    """剩余工作日: working days after today up to the due day (0: due today); negative when
    overdue: minus the working days since the due day."""
    if due_on >= today:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)
