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


def left_zh(days_left: int) -> str:
    """The signed count as the pages and messages say it: 剩余 N 个工作日, 今日截止, 已逾期 N 个工作日."""
    if days_left > 0:
        return f"剩余 {days_left} 个工作日"
    if days_left == 0:
        return "今日截止"
    return f"已逾期 {-days_left} 个工作日"


def due_zh(calendar: WorkCalendar, today: date, due_on: date) -> str:
    """A deadline as shown everywhere (issue 14): the due date and the working days left,
    e.g. `2025-10-14（剩余 2 个工作日）`, by the official calendar."""
    return f"{due_on.isoformat()}（{left_zh(working_days_left(calendar, today, due_on))}）"
