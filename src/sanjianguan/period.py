"""期间: the one period type of the platform, a settlement month (`YYYY-MM`) or a year (`YYYY`).

Every module that takes a period from outside (a batch manifest, a CLI option, an API
path, a rule run) parses it here once and passes the `Period` on, so the pattern and
the month arithmetic are written once. A caller that must answer with its own error
class catches `PeriodError` and re-raises; the parsing rule itself is not repeated.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from sanjianguan.errors import SjgError

MONTH_TEXT = r"([0-9]{4})-(0[1-9]|1[0-2])"  # ASCII digits only (\d takes full-width ones)
YEAR_TEXT = r"([0-9]{4})"
_MONTH = re.compile(rf"^{MONTH_TEXT}$")
_YEAR = re.compile(rf"^{YEAR_TEXT}$")


class PeriodError(SjgError, ValueError):
    """A period that is neither `YYYY-MM` nor (where allowed) `YYYY`."""


class PeriodKind(StrEnum):
    """月 or 年."""

    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class Period:
    """A settlement month (结算月, `month` set) or a calendar year (`month` None)."""

    year: int
    month: int | None = None

    @classmethod
    def parse(cls, text: str, *, allow_year: bool = False) -> Period:
        """`2025-03` → month; `2025` → year when `allow_year`; anything else → PeriodError."""
        if match := _MONTH.match(text):
            return cls(int(match.group(1)), int(match.group(2)))
        if allow_year and (match := _YEAR.match(text)):
            return cls(int(match.group(1)))
        expected = "YYYY-MM 或 YYYY / YYYY-MM or YYYY" if allow_year else "YYYY-MM / YYYY-MM"
        raise PeriodError(f"期间格式应为 {expected}: {text!r}")

    @classmethod
    def is_month_text(cls, text: str) -> bool:
        """Whether `text` is a well-formed settlement month."""
        return _MONTH.match(text) is not None

    @classmethod
    def of_date(cls, day: dt.date) -> Period:
        """The month `day` falls in."""
        return cls(day.year, day.month)

    @property
    def kind(self) -> PeriodKind:
        return PeriodKind.YEAR if self.month is None else PeriodKind.MONTH

    @property
    def label(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> dt.date:
        """First day of the period."""
        return dt.date(self.year, self.month or 1, 1)

    @property
    def end(self) -> dt.date:
        """First day after the period (exclusive end)."""
        if self.month is None:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)

    @property
    def last_day(self) -> dt.date:
        """Last day of the period (inclusive end)."""
        if self.month is None:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def first_month(self) -> Period:
        return Period(self.year, self.month or 1)

    @property
    def last_month(self) -> Period:
        return Period(self.year, self.month or 12)

    def months(self) -> list[Period]:
        """The settlement months of the period, in order (one for a month, twelve for a year)."""
        return [
            Period(self.year, m)
            for m in range(self.first_month.month or 1, (self.last_month.month or 12) + 1)
        ]

    def shift(self, months: int) -> Period:
        """The month `months` later (negative: earlier); only for a month."""
        if self.month is None:
            raise PeriodError(f"{self.label}: 年度不能按月平移 / a year cannot be shifted by months")
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)
