"""剩余工作日: working days left to a deadline, the inverse of adding working days."""

from __future__ import annotations

from datetime import date, timedelta

from sanjianguan.calendar.days import DayKind, Entry, WorkCalendar, shipped


def test_days_left_counts_working_days_between_today_up_to_the_deadline() -> None:
    calendar = shipped()
    # National Day 2025: 10-01 .. 10-08 off, Saturday 10-11 a make-up working day.
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert calendar.working_days_between(date(2025, 10, 9), date(2025, 10, 11)) == 2  # Fri 10-10, Sat 10-11
    assert calendar.working_days_between(date(2025, 10, 9), date(2025, 10, 9)) == 0  # due today: none left
    assert calendar.working_days_between(date(2025, 10, 9), date(2025, 10, 1)) == 0  # past due


def test_it_is_the_inverse_of_add_working_days() -> None:
    entries = [
        Entry(date(2027, 1, 1), DayKind.HOLIDAY, "元旦"),
        Entry(date(2027, 1, 4), DayKind.HOLIDAY, "元旦"),
        Entry(date(2027, 1, 9), DayKind.WORKDAY, "元旦"),
    ]
    calendar = WorkCalendar.of(entries, {2027})
    start = date(2026, 12, 28)
    for offset in range(20):
        day = start + timedelta(days=offset)
        for n in (0, 1, 5, 10):
            due = calendar.add_working_days(day, n).day
            assert calendar.working_days_between(day, due) == n, (day, n)
