"""时钟: the workflow's clock, real or pinned to a given day (`--today` of `sjg demo` / `sjg serve`).

A pinned clock is the real clock shifted by whole days, so that it reads `today` in
China when it starts and then runs on (the time of day, and any request's order, stay
real). Deadlines, the case file's next moves and every audited action use it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sanjianguan.calendar.workdays import china_date, start_of_day
from sanjianguan.workflow_db.base import utcnow

Clock = Callable[[], datetime]


def clock_on(today: date | None) -> Clock:
    """The real clock (`today` None), or the real clock moved to `today` (China date)."""
    if today is None:
        return utcnow
    shift = start_of_day(today) - start_of_day(china_date(utcnow()))

    def shifted() -> datetime:
        return utcnow() + shift

    return shifted
