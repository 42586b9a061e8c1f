"""The shipped calendar equals chinese_calendar where it knows; other years are provisional, never errors."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from sanjianguan.calendar.days import DayKind, Entry, WorkCalendar, format_entries, shipped, shipped_text
from sanjianguan.calendar.seed import library_entries, library_years
from sanjianguan.calendar.workdays import add_working_days, is_working_day
from sanjianguan.points.config import Deadlines
from sanjianguan.points.deadlines import appeal_decision_due


def test_the_shipped_file_is_what_chinese_calendar_knows() -> None:
    assert shipped_text() == format_entries(library_entries())
    assert shipped().years == frozenset(library_years())
    assert min(shipped().years) == 2004


def test_every_day_of_the_known_years_agrees_with_chinese_calendar() -> None:
    calendar = shipped()
    day, last = date(library_years().start, 1, 1), date(library_years().stop - 1, 12, 31)
    while day <= last:
        assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


def test_national_day_2025_and_make_up_days() -> None:
    assert all(not is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert is_working_day(date(2025, 9, 28))  # Sunday, make-up working day
    assert is_working_day(date(2025, 10, 11))  # Saturday, make-up working day
    assert not is_working_day(date(2025, 10, 12))  # ordinary Sunday
    assert add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 16)
    assert shipped().add_working_days(date(2026, 3, 16), 7).provisional is False


def test_a_year_not_loaded_is_counted_provisionally_and_never_fails() -> None:
    calendar = shipped()
    assert not calendar.official(2099)
    # 2099-01-01 is a Thursday: 元旦 (fixed date) is off, the weekend too.
    due = calendar.add_working_days(date(2098, 12, 30), 2)
    assert due == type(due)(date(2099, 1, 2), provisional=True)
    assert [(e.day.month, e.day.day) for e in calendar.entries(2099)] == [
        (1, 1),
        (5, 1),
        (5, 2),
        (10, 1),
        (10, 2),
        (10, 3),
    ]
    assert not is_working_day(date(2099, 10, 2))  # a Friday, 国庆节
    assert is_working_day(date(2099, 10, 5))  # 10-4 onwards: not fixed by the rule, not guessed
    assert add_working_days(date(1999, 12, 30), 2) == date(2000, 1, 3)


def test_loaded_entries_count_make_up_days_and_holidays() -> None:
    entries = [
        Entry(date(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
        Entry(date(2027, 1, 4), DayKind.HOLIDAY, "元旦"),
        Entry(date(2027, 1, 9), DayKind.WORKDAY, "元旦"),
    ]
    calendar = WorkCalendar.of(entries, {2027})
    assert calendar.add_working_days(date(2027, 1, 1), 1).day == date(2027, 1, 5)
    assert calendar.add_working_days(date(2027, 1, 8), 1).day == date(2027, 1, 9)  # make-up Saturday
    assert not calendar.add_working_days(date(2026, 12, 31), 1).provisional  # counts 2027 days only
    assert calendar.add_working_days(date(2027, 12, 30), 2).provisional  # reaches 2028, not loaded


def test_the_appeal_decision_due_is_provisional_in_an_unloaded_year() -> None:
    d = Deadlines(
        notice_days=3,
        report_days=10,
        register_days=3,
        appeal_days=3,
        appeal_decision_working_days=10,
        monthly_return_day=10,
        disclosure_day=10,
    )
    assert appeal_decision_due(d, date(2026, 12, 1), shipped()).provisional is False
    late = appeal_decision_due(d, date(2026, 12, 28), shipped())
    assert late.provisional
    assert late.day == date(2027, 1, 12)  # 29,30,31, (1-1 元旦, weekend), 4,5,6,7,8, 11,12


def test_indicator_working_days_come_from_the_shipped_calendar() -> None:
    from sanjianguan.indicators.model import IndicatorError
    from sanjianguan.indicators.scope import month, year

    assert month("2025-10").working_days() == 18  # 1-8 off, 11 (Sat) worked
    assert month("2026-12").working_days() == 23
    assert year("2025").working_days() == 248
    with pytest.raises(IndicatorError, match="2099"):
        month("2099-01").working_days()
