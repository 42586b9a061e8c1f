"""The analysis period of an indicator run (统计期): one settlement month or one year.

A month P covers the encounters settled in P. A year Y covers the twelve settlement
months of Y, and its value is the year's numerator over the year's denominator: that
is how the platform reads the regulation's "年平均值" (yearly average), never as the
mean of twelve monthly values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from sanjianguan.engines.base import Engine
from sanjianguan.indicators.model import IndicatorError
from sanjianguan.period import Period, PeriodError
from sanjianguan.period import PeriodKind as PeriodKind
from sanjianguan.queries import period as query_period
from sanjianguan.queries.compile import BoundValue

if TYPE_CHECKING:
    from sanjianguan.calendar.days import WorkCalendar


class CalendarMissingError(IndicatorError):
    """The official calendar lacks a year of the period: its working days are unknown."""

    def __init__(self, label: str, years: list[int]) -> None:
        self.years = years
        super().__init__(
            f"{label}: 法定工作日历未覆盖 {years[0]} 年 / the official working-day calendar does not "
            f"cover {years[0]}"
        )


@dataclass(frozen=True)
class Scope:
    """A month (`2025-03`) or a year (`2025`) with its settlement months and days.

    `calendar` is the official calendar its working days are counted with: None is the
    shipped one; the runner passes the analysis calendar (the shipped years and the data
    folder's loaded ones, `sanjianguan.calendar.analysis`). It is not part of equality.
    """

    period: Period
    calendar: WorkCalendar | None = field(default=None, compare=False, repr=False)

    def using(self, calendar: WorkCalendar) -> Scope:
        """The same period, its working days counted with `calendar`."""
        return replace(self, calendar=calendar)

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

    def _calendar(self) -> WorkCalendar:
        from sanjianguan.calendar.days import shipped

        return shipped() if self.calendar is None else self.calendar

    def missing_years(self) -> list[int]:
        """The period's years its calendar does not have officially (no working days for them)."""
        calendar = self._calendar()
        return [y for y in range(self.start.year, self.period.last_day.year + 1) if not calendar.official(y)]

    def working_days(self) -> int:
        """Working days of the period by the scope's official calendar (法定工作日); a year it
        does not have is a `CalendarMissingError` (an indicator is not computed on a
        provisional calendar)."""
        missing = self.missing_years()
        if missing:
            raise CalendarMissingError(self.label, missing)
        calendar = self._calendar()
        last = self.period.last_day
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
