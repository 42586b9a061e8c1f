"""The one period type: parsing, bounds and month arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanjianguan.period import Period, PeriodError, PeriodKind


def test_month_parses_and_prints_back() -> None:
    period = Period.parse("2025-03")
    assert (period.year, period.month, period.kind) == (2025, 3, PeriodKind.MONTH)
    assert str(period) == "2025-03"
    assert (period.start, period.end, period.last_day) == (
        dt.date(2025, 3, 1),
        dt.date(2025, 4, 1),
        dt.date(2025, 3, 31),
    )


def test_december_ends_on_next_new_year() -> None:
    assert Period.parse("2026-12").end == dt.date(2027, 1, 1)


def test_year_only_where_allowed() -> None:
    year = Period.parse("2025", allow_year=True)
    assert year.kind is PeriodKind.YEAR
    assert [str(m) for m in year.months()][::11] == ["2025-01", "2025-12"]
    assert (year.start, year.end) == (dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    with pytest.raises(PeriodError, match="YYYY-MM"):
        Period.parse("2025")


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-3", "25-03", " 2025-03", "2025-03-01", ""])
def test_malformed_months_are_refused_with_the_text(text: str) -> None:
    with pytest.raises(PeriodError) as caught:
        Period.parse(text)
    assert repr(text) in str(caught.value)


def test_leap_february() -> None:
    assert Period.parse("2024-02").last_day == dt.date(2024, 2, 29)
    assert Period.parse("2025-02").last_day == dt.date(2025, 2, 28)


@given(st.integers(1900, 2999), st.integers(1, 12), st.integers(-400, 400))
def test_shift_round_trips_and_orders(year: int, month: int, by: int) -> None:
    period = Period(year, month)
    moved = period.shift(by)
    assert moved.shift(-by) == period
    assert (moved > period) == (by > 0)
    assert Period.parse(str(moved)) == moved


def test_year_cannot_shift() -> None:
    with pytest.raises(PeriodError):
        Period(2025).shift(1)
