"""剩余工作日: how many working days are left until a deadline (or how many it is overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sanjianguan.calendar.days import WorkCalendar


def working_days_left(calendar: WorkCalendar, today: date, due_on: date) -> int:
    """剩余工作日: working days after today up to the due day (0: due today); negative when
    overdue: minus the working days since the due day."""
    if due_on >= today:
        return calendar.working_days_between(today, due_on)
    return -calendar.working_days_between(due_on, today)


def left_zh(calendar: WorkCalendar, today: date, due_on: date) -> str:
    """The working days left as the pages and messages say it: 剩余 N 个工作日, 今日截止,
    已逾期 N 个工作日, or 已逾期 alone when no working day has passed since (a holiday)."""
    if due_on < today:
        behind = calendar.working_days_between(due_on, today)
        return f"已逾期 {behind} 个工作日" if behind else "已逾期"
    days_left = calendar.working_days_between(today, due_on)
    return f"剩余 {days_left} 个工作日" if days_left else "今日截止"


def due_zh(calendar: WorkCalendar, today: date, due_on: date) -> str:
    """A deadline as shown everywhere (issue 14): the due date and the working days left,
    e.g. `2025-10-14（剩余 2 个工作日）`, by the official calendar; `，暂定` is added when a year
    between today and the due date has no official calendar loaded (its holidays are unknown)."""
    first, last = sorted((today, due_on))
    provisional = any(not calendar.official(year) for year in range(first.year, last.year + 1))
    return f"{due_on.isoformat()}（{left_zh(calendar, today, due_on)}{'，暂定' if provisional else ''}）"


@dataclass(frozen=True)
class DueText:
    """`due_zh` bound to one calendar and one day: the pages call it as `due(d)` for each deadline
    they show (nothing for no date)."""

    calendar: WorkCalendar
    today: date

    def __call__(self, due_on: date | None) -> str:
        return "" if due_on is None else due_zh(self.calendar, self.today, due_on)
