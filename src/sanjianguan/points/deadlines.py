"""记分期限 (seed 001). "N日" counts calendar days; "N个工作日" counts Chinese working days.

- score notice to the scored party: within 3 days of approval (审批后3日内送达);
- report to the office: within 10 days of approval (10日内报至办公室);
- the office records it: within 3 days of the report (办公室于3日内记分);
- appeal: within 3 days of receiving the notice (收到通知书之日起3日内);
- appeal decision: within 10 working days of filing (受理后10个工作日内);
- monthly return: by the 10th of the next month; quarterly disclosure: by the 10th of
  the first month of the next quarter (每季度开始的首月10日前公示上季度).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sanjianguan.calendar.days import Due, WorkCalendar
from sanjianguan.errors import InvalidInputError
from sanjianguan.period import Period, PeriodError
from sanjianguan.points.config import Deadlines

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def notice_due(d: Deadlines, approved_on: date) -> date:
    return approved_on + timedelta(days=d.notice_days)


def report_due(d: Deadlines, approved_on: date) -> date:
    return approved_on + timedelta(days=d.report_days)


def register_due(d: Deadlines, reported_on: date) -> date:
    return reported_on + timedelta(days=d.register_days)


def appeal_due(d: Deadlines, received_on: date) -> date:
    return received_on + timedelta(days=d.appeal_days)


def appeal_decision_due(d: Deadlines, filed_on: date, calendar: WorkCalendar) -> Due:
    """Provisional (暂定) when it counts working days of a year the calendar has not loaded."""
    return calendar.add_working_days(filed_on, d.appeal_decision_working_days)


def month_period(month: str) -> Period:
    """The month `YYYY-MM` (InvalidInputError `invalid_month` otherwise)."""
    try:
        return Period.parse(month)
    except PeriodError:
        raise InvalidInputError(
            f"月份格式应为 YYYY-MM：{month}", f"month must be YYYY-MM: {month}", code="invalid_month"
        ) from None


def parse_quarter(quarter: str) -> tuple[int, int]:
    m = QUARTER.match(quarter)
    if not m:
        raise InvalidInputError(
            f"季度格式应为 YYYY-Qn：{quarter}", f"quarter must be YYYY-Qn: {quarter}", code="invalid_quarter"
        )
    return int(m.group(1)), int(m.group(2))


def month_bounds(month: str) -> tuple[date, date]:
    """First day of the month and first day of the next month."""
    period = month_period(month)
    return period.start, period.end


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First day of the quarter and first day of the next quarter."""
    year, q = parse_quarter(quarter)
    start = date(year, 3 * q - 2, 1)
    return start, date(year + (q == 4), (3 * q) % 12 + 1, 1)


def monthly_return_due(d: Deadlines, month: str) -> date:
    return month_bounds(month)[1].replace(day=d.monthly_return_day)


def disclosure_due(d: Deadlines, quarter: str) -> date:
    return quarter_bounds(quarter)[1].replace(day=d.disclosure_day)
