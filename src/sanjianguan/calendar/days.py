"""工作日历: one calendar of holidays and make-up working days, and working-day arithmetic.

A `WorkCalendar` knows the official (法定, loaded) years. For any other year it counts
provisionally (暂定): Saturdays and Sundays are days off, and so are the holidays whose
Gregorian date is fixed by the State Council's rule (全国年节及纪念日放假办法, 2025 onwards):
元旦 1 Jan, 劳动节 1-2 May, 国庆节 1-3 Oct. The lunar and solar-term holidays (春节, 清明节,
端午节, 中秋节), the bridging days and the make-up working days cannot be known before the
notice and are not guessed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources

# (month, day) -> name: the holidays a provisional year keeps (fixed Gregorian dates only).
FIXED_HOLIDAYS: Mapping[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

SHIPPED = "official.csv"


class DayKind(StrEnum):
    """The kind of a calendar entry."""

    HOLIDAY = "holiday"  # 法定节假日 (a day off, weekend days of the holiday included)
    WORKDAY = "workday"  # 调休上班 (a Saturday or Sunday that is a working day)


KIND_ZH = {DayKind.HOLIDAY: "法定节假日", DayKind.WORKDAY: "调休上班"}


@dataclass(frozen=True)
class Entry:
    """One day of the official calendar."""

    day: date
    kind: DayKind
    name: str


@dataclass(frozen=True)
class Due:
    """A computed deadline and whether it rests on a provisional (not loaded) year."""

    day: date
    provisional: bool


@dataclass(frozen=True)
class WorkCalendar:
    """The official entries of the loaded `years`; other years are provisional."""

    holidays: Mapping[date, str]
    workdays: Mapping[date, str]
    years: frozenset[int]

    @classmethod
    def of(cls, entries: Iterable[Entry], years: Iterable[int]) -> WorkCalendar:
        holidays: dict[date, str] = {}
        workdays: dict[date, str] = {}
        for e in entries:
            (holidays if e.kind is DayKind.HOLIDAY else workdays)[e.day] = e.name
        return cls(holidays, workdays, frozenset(years))

    def official(self, year: int) -> bool:
        """Whether `year` is loaded (else its working days are provisional)."""
        return year in self.years

    def is_working_day(self, day: date) -> bool:
        """A make-up Saturday is a working day, a holiday Monday is not (provisional years: fixed dates)."""
        if day.year in self.years:
            return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def add_working_days(self, start: date, days: int) -> Due:
        """The `days`-th working day after `start` (start not counted); provisional when a day
        counted lies in a year that is not loaded. Never fails for an unknown year."""
        if days < 0:
            raise ValueError("days must be >= 0")
        day, left, provisional = start, days, False
        while left:
            day += timedelta(days=1)
            provisional = provisional or day.year not in self.years
            if self.is_working_day(day):
                left -= 1
        return Due(day, provisional)

    def working_days_after(self, start: date, end: date) -> int:
        """How many working days lie after `start` up to and including `end` (0 when `end` <= `start`).

        The working days left to a deadline `end` seen on day `start`: the inverse of
        `add_working_days` (`working_days_after(s, add_working_days(s, n).day) == n`).
        """
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def entries(self, year: int) -> list[Entry]:
        """The official entries of `year` (provisional years: the fixed-date holidays), by date."""
        if year not in self.years:
            return [
                Entry(date(year, m, d), DayKind.HOLIDAY, name)
                for (m, d), name in sorted(FIXED_HOLIDAYS.items())
            ]
        found = [Entry(d, DayKind.HOLIDAY, n) for d, n in self.holidays.items() if d.year == year]
        found += [Entry(d, DayKind.WORKDAY, n) for d, n in self.workdays.items() if d.year == year]
        return sorted(found, key=lambda e: e.day)


def format_entries(entries: Iterable[Entry]) -> str:
    """The CSV text of `entries` (header date,kind,name), the shipped file's format."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "kind", "name"])
    for e in sorted(entries, key=lambda e: e.day):
        writer.writerow([e.day.isoformat(), e.kind.value, e.name])
    return out.getvalue()


def shipped_text() -> str:
    return resources.files("sanjianguan.calendar").joinpath("data", SHIPPED).read_text(encoding="utf-8")


@cache
def shipped_entries() -> tuple[Entry, ...]:
    """The entries shipped with the code (the years known at release)."""
    rows = csv.DictReader(io.StringIO(shipped_text()))
    return tuple(Entry(date.fromisoformat(r["date"]), DayKind(r["kind"]), r["name"]) for r in rows)


@cache
def shipped() -> WorkCalendar:
    """The shipped calendar: for code that has no workflow store at hand."""
    entries = shipped_entries()
    return WorkCalendar.of(entries, {e.day.year for e in entries})
