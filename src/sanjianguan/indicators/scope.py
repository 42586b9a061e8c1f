"""The analysis period of an indicator run (统计期): one settlement month or one year.

A month P covers the encounters settled in P. A year Y covers the twelve settlement
months of Y, and its value is the year's numerator over the year's denominator: that
is how the platform reads the regulation's "年平均值" (yearly average), never as the
mean of twelve monthly values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sanjianguan.engines.base import Engine
from sanjianguan.errors import NoDataError
from sanjianguan.indicators.model import IndicatorError
from sanjianguan.rules.compile import BoundValue, compile_sql

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodKind(StrEnum):
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Scope:
    """A month (`2025-03`) or a year (`2025`) with its settlement months and days."""

    label: str
    kind: PeriodKind
    first_period: str
    last_period: str
    start: dt.date
    end: dt.date  # exclusive

    @property
    def calendar_days(self) -> int:
        return (self.end - self.start).days

    def working_days(self) -> int:
        """Working days of the official calendar shipped with the code (法定工作日); a year it
        does not know is an error (an indicator is not computed on a provisional calendar)."""
        from sanjianguan.calendar.days import shipped

        calendar = shipped()
        last = self.end - dt.timedelta(days=1)
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
        values: dict[str, BoundValue] = {
            "period": self.label,
            "period_start": self.start,
            "period_end": self.end,
            "calendar_days": self.calendar_days,
        }
        if need_working_days:
            values["working_days"] = self.working_days()
        return values


def month(label: str) -> Scope:
    """The scope of settlement month `YYYY-MM`."""
    match = _MONTH.match(label)
    if not match:
        raise IndicatorError(f"期间格式应为 YYYY-MM / period must be YYYY-MM: {label!r}")
    year, mon = int(match.group(1)), int(match.group(2))
    start = dt.date(year, mon, 1)
    end = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return Scope(label, PeriodKind.MONTH, label, label, start, end)


def year(label: str) -> Scope:
    """The scope of year `YYYY` (its twelve settlement months)."""
    if not _YEAR.match(label):
        raise IndicatorError(f"年度格式应为 YYYY / year must be YYYY: {label!r}")
    y = int(label)
    return Scope(label, PeriodKind.YEAR, f"{y}-01", f"{y}-12", dt.date(y, 1, 1), dt.date(y + 1, 1, 1))


def parse_scope(label: str) -> Scope:
    """`YYYY-MM` → month, `YYYY` → year."""
    return year(label) if _YEAR.match(label) else month(label)


_SETTLED = "SELECT count(*) FROM encounters WHERE period BETWEEN :first_period AND :last_period"


def settled_encounters(engine: Engine, scope: Scope) -> int:
    """How many encounters are settled in the scope's months (on any engine)."""
    values: dict[str, BoundValue] = {"first_period": scope.first_period, "last_period": scope.last_period}
    _, rows = engine.fetch(compile_sql(_SETTLED, values, engine.dialect, where="settled encounters"))
    return int(rows[0][0]) if rows else 0


def require_encounters(engine: Engine, scope: Scope) -> None:
    """Refuse a period without data (无数据): NoDataError naming it when no encounter is settled in it."""
    if settled_encounters(engine, scope) == 0:
        raise NoDataError(scope.label)
