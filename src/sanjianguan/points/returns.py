"""月度汇总与零报告: each department's monthly return of the points it recorded.

Once a month is over, every scoring department of a region files one return for it,
signed by its head (科室负责人签字), due the 10th of the next month; a month with no
record is a zero report (零报告). The office's summary shows the returns filed, the
departments still missing and the month's active records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.points import deadlines as dl
from sanjianguan.points import events as ev
from sanjianguan.points.config import PointsConfig
from sanjianguan.workflow_db.filters import where_given
from sanjianguan.workflow_db.models import PointMonthlyReturn, PointRecord, PointState, User


def _active_month_records(
    session: Session, region_code: str, month: str, department: str | None = None
) -> list[PointRecord]:
    """The month's records in the region (of one department if given) that are not revoked."""
    start, end = dl.month_bounds(month)
    query = select(PointRecord).where(
        within_region(PointRecord.region_code, region_code),
        PointRecord.approved_on >= start,
        PointRecord.approved_on < end,
    )
    rows = session.scalars(where_given(query, (PointRecord.department, department)))
    return [r for r in rows if r.state == PointState.ACTIVE]


def file_return(
    session: Session,
    user: User,
    config: PointsConfig,
    *,
    region_code: str,
    month: str,
    department: str,
    signed_by: str,
    now: datetime,
) -> PointMonthlyReturn:
    """A department's monthly return (due the 10th of the next month); zero-report when none."""
    require(user, Action.POINTS_REGISTER)
    require_region(user, region_code)
    _start, end = dl.month_bounds(month)
    today = china_date(now)
    if today < end:
        raise InvalidInputError(f"{month} 尚未结束", f"{month} is not over yet", code="month_not_over")
    if department not in config.departments:
        raise InvalidInputError(
            f"未知记分科室：{department}",
            f"unknown department {department!r} (see points.toml)",
            code="unknown_department",
        )
    if not signed_by.strip():
        raise InvalidInputError(
            "须由科室负责人签字确认", "the department head's signature is required", code="missing_field"
        )
    exists = session.scalars(
        select(PointMonthlyReturn).where(
            PointMonthlyReturn.region_code == region_code,
            PointMonthlyReturn.month == month,
            PointMonthlyReturn.department == department,
        )
    ).one_or_none()
    if exists is not None:
        raise ConflictError(
            "该科室本月已报送", "this department already filed the month", code="already_done"
        )
    rows = _active_month_records(session, region_code, month, department)
    due = dl.monthly_return_due(config.deadlines, month)
    ret = PointMonthlyReturn(
        region_code=region_code,
        month=month,
        department=department,
        record_count=len(rows),
        points=sum(r.points for r in rows),
        zero=not rows,
        due_on=due,
        late=today > due,
        signed_by=signed_by.strip(),
        submitted_at=now,
        submitted_by=user.id,
    )
    session.add(ret)
    session.flush()
    event = ev.MonthlyReturnFiled(
        subject_id=region_code,
        month=month,
        department=department,
        record_count=ret.record_count,
        zero=ret.zero,
        late=ret.late,
    )
    record(session, event, actor=user, now=now)
    return ret


@dataclass(frozen=True)
class MonthlySummary:
    region_code: str
    month: str
    due_on: date
    returns: list[PointMonthlyReturn]
    missing: list[str]  # departments with no return yet
    records: int
    points: int


def monthly_summary(
    session: Session, user: User, config: PointsConfig, region_code: str, month: str
) -> MonthlySummary:
    require(user, Action.POINTS_REGISTER)
    require_region(user, region_code)
    returns = list(
        session.scalars(
            select(PointMonthlyReturn)
            .where(PointMonthlyReturn.region_code == region_code, PointMonthlyReturn.month == month)
            .order_by(PointMonthlyReturn.department)
        )
    )
    filed = {r.department for r in returns}
    rows = _active_month_records(session, region_code, month)
    return MonthlySummary(
        region_code=region_code,
        month=month,
        due_on=dl.monthly_return_due(config.deadlines, month),
        returns=returns,
        missing=[d for d in config.departments if d not in filed],
        records=len(rows),
        points=sum(r.points for r in rows),
    )
