"""Working days follow the official calendar, make-up days included; unknown years are errors."""

from __future__ import annotations

from datetime import date

import pytest

from sanjianguan.cases.calendar import CalendarRangeError, add_working_days, is_working_day


def test_national_day_2025_and_make_up_days() -> None:
    assert all(not is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert is_working_day(date(2025, 9, 28))  # Sunday, make-up working day
    assert is_working_day(date(2025, 10, 11))  # Saturday, make-up working day
    assert not is_working_day(date(2025, 10, 12))  # ordinary Sunday


def test_add_working_days_skips_holidays_and_counts_make_up_days() -> None:
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Fri → make-up Sunday
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)  # across the Golden Week
    # 9, 10, 11 (make-up Saturday), 13, 14, 15, 16
    assert add_working_days(date(2025, 9, 30), 7) == date(2025, 10, 16)
    assert add_working_days(date(2026, 3, 16), 7) == date(2026, 3, 25)
    assert add_working_days(date(2026, 3, 16), 0) == date(2026, 3, 16)


def test_outside_the_known_years_is_an_explicit_error() -> None:
    with pytest.raises(CalendarRangeError) as raised:
        is_working_day(date(2099, 1, 5))
    assert raised.value.code == "calendar_out_of_range"
    assert "2099" in raised.value.message_zh
    with pytest.raises(CalendarRangeError):
        add_working_days(date(1999, 12, 30), 2)
