"""Working days between two dates (days left to a due date, days overdue), across a holiday;
and signed (`calendar.remaining.working_days_left`: negative when overdue)."""

from __future__ import annotations

from datetime import date

from sanjianguan.calendar.days import WorkCalendar, shipped
from sanjianguan.calendar.remaining import DueText, left_zh, working_days_left


def test_national_day_is_not_counted() -> None:
    calendar = shipped()
    # 2025-09-30 (Tue) → 2025-10-09 (Thu): 1-8 Oct are holidays, 11 Oct is a make-up Saturday.
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 9)) == 1
    assert calendar.working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3


def test_an_ordinary_week_and_the_empty_cases() -> None:
    calendar = shipped()
    assert calendar.working_days_between(date(2025, 3, 14), date(2025, 3, 21)) == 5  # Fri → Fri
    assert calendar.working_days_between(date(2025, 3, 21), date(2025, 3, 21)) == 0
    assert calendar.working_days_between(date(2025, 3, 21), date(2025, 3, 14)) == 0


def test_it_agrees_with_adding_working_days() -> None:
    calendar = shipped()
    start = date(2026, 1, 30)
    for days in range(0, 25):
        due = calendar.add_working_days(start, days).day
        assert calendar.working_days_between(start, due) == days


def test_working_days_left_is_signed() -> None:
    calendar = WorkCalendar.of([], [])
    friday, monday = date(2026, 3, 13), date(2026, 3, 16)
    assert working_days_left(calendar, friday, monday) == 1
    assert working_days_left(calendar, monday, friday) == -1
    assert working_days_left(calendar, monday, monday) == 0
    assert working_days_left(calendar, date(2026, 3, 18), monday) == -2


def test_a_deadline_reads_with_its_working_days_across_national_day_2025() -> None:
    calendar = shipped()  # 10-01..10-08 off, Sunday 09-28 and Saturday 10-11 worked
    due = DueText(calendar, date(2025, 9, 29))
    assert due(date(2025, 10, 9)) == "2025-10-09（剩余 2 个工作日）"  # 09-30 and 10-09
    assert due(date(2025, 9, 29)) == "2025-09-29（今日截止）"
    assert due(None) == ""
    on_the_saturday = DueText(calendar, date(2025, 10, 11))
    assert on_the_saturday(date(2025, 10, 9)) == "2025-10-09（已逾期 2 个工作日）"  # 10-10, 10-11
    assert on_the_saturday(date(2025, 10, 14)) == "2025-10-14（剩余 2 个工作日）"  # 10-13, 10-14
    in_the_holiday = DueText(calendar, date(2025, 10, 7))
    assert in_the_holiday(date(2025, 10, 6)) == "2025-10-06（已逾期）"  # no working day since
    assert left_zh(calendar, date(2025, 10, 9), date(2025, 9, 30)) == "已逾期 1 个工作日"


def test_a_deadline_in_a_year_not_loaded_reads_provisional() -> None:
    calendar = WorkCalendar.of([], [2026])  # 2027 not loaded: only weekends are known
    assert DueText(calendar, date(2026, 3, 13))(date(2026, 3, 16)) == "2026-03-16（剩余 1 个工作日）"
    # 01-01 is a fixed-date holiday even in a year not loaded: only 01-04 counts
    assert DueText(calendar, date(2026, 12, 31))(date(2027, 1, 4)) == "2027-01-04（剩余 1 个工作日，暂定）"
    assert DueText(calendar, date(2027, 1, 5))(date(2027, 1, 4)) == "2027-01-04（已逾期 1 个工作日，暂定）"
