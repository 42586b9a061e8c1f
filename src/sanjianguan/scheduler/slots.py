"""Which slot of a job is due at a moment: the key of the once-only lock and of the catch-up.

A daily job's slot is the China date (`2025-10-09`); a monthly job's is the month it
runs in (`2025-10`, working on September). The due slot is always the *latest* one whose
time has come, so a worker that was down for days runs each daily job once, for today
(the tick itself handles every deadline past due by then), and a monthly job once, for
the latest month: never once per missed day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sanjianguan.calendar.days import WorkCalendar
from sanjianguan.period import Period


@dataclass(frozen=True)
class Daily:
    """Every day (China date)."""

    def slot(self, today: date, calendar: WorkCalendar) -> str:
        return today.isoformat()


@dataclass(frozen=True)
class Monthly:
    """Once a month, from day `day` (moved to the next working day when `working_day`)."""

    day: int
    working_day: bool = False

    def due_on(self, month: Period, calendar: WorkCalendar) -> date:
        day = month.start.replace(day=self.day)
        while self.working_day and not calendar.is_working_day(day):
            day = date.fromordinal(day.toordinal() + 1)
        return day

    def slot(self, today: date, calendar: WorkCalendar) -> str:
        month = this_month(today)
        return str(month if today >= self.due_on(month, calendar) else month.shift(-1))

    def slot_if_ready(self, today: date, calendar: WorkCalendar, ready: Callable[[str], bool]) -> str:
        """This month's slot before its day when `ready(slot)` (e.g. the batches are in)."""
        month = this_month(today)
        if today < self.due_on(month, calendar) and ready(str(month)):
            return str(month)
        return self.slot(today, calendar)


Schedule = Daily | Monthly


def this_month(today: date) -> Period:
    return Period.parse(f"{today.year:04d}-{today.month:02d}")


def previous_month(slot: str) -> str:
    """The month a monthly slot works on (`2025-10` → `2025-09`)."""
    return str(Period.parse(slot[:7]).shift(-1))
