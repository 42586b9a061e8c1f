"""Scoring (记分) and standing (累计记分与后果). Pure: tables and records in, numbers out.

Staff (医务人员, one record set per doctor across institutions): an event of level L
scores within L's range by responsibility (一般/重要/主要 = low/middle/high). Within a
calendar year, ≥ 9 points suspends the payment qualification for 1-6 months; ≥ 12
terminates it, with re-registration barred for 1 year, or 3 years when one event
brought 12 points at once. Emergency rescue (急危重症抢救) is exempt. Points reset
with the year; a bar does not.

Institutions: levels 1-5 score 1, 2, 4, 6, 10 points; the year's total falls in a band
(below 12, 12 to under 16, 16-20, over 20) with its sanction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sanjianguan.errors import InvalidInputError
from sanjianguan.points.config import Band, PointsConfig


@dataclass(frozen=True)
class Scored:
    """A counted record: points, approval date (its scoring year) and an ordering id."""

    points: int
    approved_on: date
    record_id: int = 0


def _unknown(code: str, kind: str) -> InvalidInputError:
    return InvalidInputError(
        f"记分项目不存在：{code}（{kind}）", f"no such point item {code!r} ({kind})", code="unknown_item"
    )


def staff_points(config: PointsConfig, item_code: str, responsibility: str) -> tuple[int, int]:
    """(level, points) of a staff event: the level's range, by responsibility."""
    staff = config.staff
    item = staff.items.get(item_code)
    if item is None:
        raise _unknown(item_code, "医务人员 / staff")
    if responsibility not in staff.responsibilities:
        raise InvalidInputError(
            f"责任程度无效：{responsibility}（应为 {'/'.join(staff.responsibilities)}）",
            f"invalid responsibility {responsibility!r} (one of {', '.join(staff.responsibilities)})",
            code="invalid_responsibility",
        )
    low, _high = staff.levels[item.level]
    return item.level, low + staff.responsibilities.index(responsibility)


def institution_points(config: PointsConfig, item_code: str) -> tuple[int, int]:
    """(level, points) of an institution event."""
    item = config.institution.items.get(item_code)
    if item is None:
        raise _unknown(item_code, "医疗机构 / institution")
    return item.level, config.institution.points[item.level - 1]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class StaffStanding:
    """一个医务人员一年的记分状态."""

    year: int
    total: int
    suspended_on: date | None  # the day the total reached `suspend_at`
    suspend_months: tuple[int, int] | None
    terminated_on: date | None  # the day the total reached `terminate_at`
    at_once: bool  # a single event brought `terminate_at` points
    barred_until: date | None  # re-registration not before this day (may come from an earlier year)

    @property
    def status(self) -> str:
        if self.terminated_on:
            return "terminated"
        if self.suspended_on:
            return "suspended"
        if self.barred_until:
            return "barred"
        return "normal"


def _year_total(records: Iterable[Scored], year: int) -> list[Scored]:
    return sorted(
        (r for r in records if r.approved_on.year == year), key=lambda r: (r.approved_on, r.record_id)
    )


def staff_standing(config: PointsConfig, records: Iterable[Scored], year: int) -> StaffStanding:
    """The staff member's standing in `year` from all their counted records (any institution)."""
    staff = config.staff
    every = list(records)
    total, suspended_on, terminated_on, at_once = 0, None, None, False
    for r in _year_total(every, year):
        total += r.points
        if suspended_on is None and total >= staff.suspend_at:
            suspended_on = r.approved_on
        if terminated_on is None and total >= staff.terminate_at:
            terminated_on, at_once = r.approved_on, r.points >= staff.terminate_at
    barred_until = None
    if terminated_on is not None:
        barred_until = _add_years(terminated_on, staff.bar_years_at_once if at_once else staff.bar_years)
    for earlier in sorted({r.approved_on.year for r in every if r.approved_on.year < year}):
        past = staff_standing(config, every, earlier)
        if past.barred_until and past.barred_until > date(year, 1, 1):
            barred_until = max(barred_until or past.barred_until, past.barred_until)
    return StaffStanding(
        year=year,
        total=total,
        suspended_on=suspended_on,
        suspend_months=staff.suspend_months if suspended_on and terminated_on is None else None,
        terminated_on=terminated_on,
        at_once=at_once,
        barred_until=barred_until,
    )


@dataclass(frozen=True)
class InstitutionStanding:
    year: int
    total: int
    band: Band | None  # None: no points this year, so no sanction applies


def band_of(config: PointsConfig, total: int) -> Band | None:
    """The band holding `total` (the last band whose `min` it reaches); None for 0 points.

    The bands sanction points scored ("记分12分以下的，通报提醒"): an institution with no
    points has nothing to be sanctioned for.
    """
    if total <= 0:
        return None
    return [b for b in config.institution.bands if total >= b.min][-1]


def institution_standing(config: PointsConfig, records: Iterable[Scored], year: int) -> InstitutionStanding:
    total = sum(r.points for r in _year_total(records, year))
    return InstitutionStanding(year=year, total=total, band=band_of(config, total))
