"""The workflow clock: real, or pinned to a day (`--today`) and running on from there."""

from __future__ import annotations

from datetime import date, timedelta

from sanjianguan.calendar.workdays import china_date
from sanjianguan.clock import clock_on
from sanjianguan.workflow_db.base import utcnow


def test_the_real_clock_reads_today_in_china() -> None:
    assert china_date(clock_on(None)()) == china_date(utcnow())


def test_a_pinned_clock_reads_the_given_day_and_runs_on() -> None:
    for day in (date(2026, 12, 31), date(2027, 1, 1), date(2028, 2, 29), date(2020, 1, 1)):
        clock = clock_on(day)
        first, second = clock(), clock()
        assert china_date(first) == day
        assert timedelta(0) <= second - first < timedelta(seconds=5)
        # The time of day stays real: the shift is a whole number of days.
        moment = clock()
        assert (utcnow() - moment) % timedelta(days=1) < timedelta(seconds=5)
