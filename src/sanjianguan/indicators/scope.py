"""The analysis period of an indicator run (统计期): one settlement month or one year.

A month P covers the encounters settled in P. A year Y covers the twelve settlement
months of Y, and its value is the year's numerator over the year's denominator: that
is how the platform reads the regulation's "年平均值" (yearly average), never as the
mean of twelve monthly values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sanjianguan.engines.base import Engine
from sanjianguan.indicators.model import IndicatorError
from sanjianguan.period import Period, PeriodError
from sanjianguan.period import PeriodKind as PeriodKind
from sanjianguan.queries import period as query_period
from sanjianguan.queries.compile import BoundValue


@dataclass(frozen=True)
class Scope:
    """A month (`2025-03`) or a year (`2025`) with its settlement months and days."""

    period: Period

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def kind(self) -> PeriodKind:
        return self.period.kind

    @property
    def first_period(self) -> str:
        """The first settlement month (`2025-01` for the year 2025)."""
        return self.period.first_month.label

    @property
    def last_period(self) -> str:
        """The last settlement month (`2025-12` for the year 2025)."""
        return self.period.last_month.label

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        """The day after the period (exclusive)."""
        return self.period.end

    @property
    def calendar_days(self) -> int:
        return (self.end - self.start).days

    def working_days(self) -> int:
        """Working days of the official calendar shipped with the code (法定工作日); a year it
        does not know is an error (an indicator is not computed on a provisional calendar)."""
        from sanjianguan.calendar.days import shipped

        calendar = shipped()
        last = self.period.last_day
        missing = [y for y in range(self.start.year, last.year + 1) if not calendar.official(y)]
        if missing:
            raise IndicatorError(
                f"{self.label}: 法定工作日历未覆盖 {missing[0]} 年 / the official working-day calendar "
                f"does not cover {missing[0]}"
            )
        days = (last - self.start).days + 1
        return sum(calendar.is_working_day(self.start + dt.timedelta(days=i)) for i in range(days))

    def values(self, *, need_working_days: bool) -> dict[str, BoundValue]:
        """The built-in placeholders (working days only when a query uses them)."""
        values = query_period.period_values(self.period)
        values["calendar_days"] = self.calendar_days
        if need_working_days:
            values["working_days"] = self.working_days()
        return values


def month(label: str) -> Scope:
    """The scope of settlement month `YYYY-MM`."""
    try:
        return Scope(Period.parse(label))
    except PeriodError:
        raise IndicatorError(f"期间格式应为 YYYY-MM / period must be YYYY-MM: {label!r}") from None


def year(label: str) -> Scope:
    """The scope of year `YYYY` (its twelve settlement months)."""
    try:
        period = Period.parse(label, allow_year=True)
    except PeriodError:
        period = None
    if period is None or period.month is not None:
        raise IndicatorError(f"年度格式应为 YYYY / year must be YYYY: {label!r}")
    return Scope(period)


def parse_scope(label: str) -> Scope:
    """`YYYY-MM` → month, `YYYY` → year."""
    try:
        return Scope(Period.parse(label, allow_year=True))
    except PeriodError:
        return month(label)


def settled_encounters(engine: Engine, scope: Scope) -> int:
    """How many encounters are settled in the scope's months (on any engine)."""
    return query_period.settled_encounters(engine, scope.period)


def require_encounters(engine: Engine, scope: Scope) -> None:
    """Refuse a period without data (无数据): NoDataError naming it when no encounter is settled in it."""
    query_period.require_encounters(engine, scope.period)
