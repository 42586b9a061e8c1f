"""记分逾期: the penalty-point steps past due, and the daily job that flags each once.

Until now a point step was marked late only when it was finally done (`late`); nothing
listed the steps still waiting past their deadline. Here they are listed and, once a
day, flagged (one audited system event per record and step, `points.deadline_overdue`):

- 送达《记分通知书》 `notice`: not served by `notice_due` (3 days after approval);
- 报至办公室 `report`: not reported by `report_due` (10 days after approval);
- 办公室登记 `register`: reported, not registered by `register_due` (3 days after the report);
- 申诉决定 `appeal_decision`: an appeal not decided by `decision_due` (10 working days).

The appeal itself (3 days from receipt) is a window the scored party may use, not a
duty: its end is never overdue (as with the clues' appeal window). Revoked records owe
nothing. Every monthly return (零报告 included) not filed by the 10th of the next month
is flagged too, per county, month and scoring department (`points.monthly_return_overdue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.calendar.days import WorkCalendar
from sanjianguan.period import Period
from sanjianguan.points import deadlines as dl
from sanjianguan.points import events as ev
from sanjianguan.points.config import PointsConfig
from sanjianguan.workflow_db.flags import flag_once
from sanjianguan.workflow_db.models import (
    PointAppeal,
    PointMonthlyReturn,
    PointRecord,
    PointState,
    Region,
    RegionLevel,
    User,
)

STEP_ZH = {
    "notice": "送达记分通知书",
    "report": "报至办公室",
    "register": "办公室登记",
    "appeal_decision": "申诉决定",
}
RECORD_FLAG = "point_record"
RETURN_FLAG = "point_return"


@dataclass(frozen=True)
class PointStep:
    """One open step of a record and its due day (past due for the overdue list)."""

    record_id: int
    institution_id: str
    region_code: str | None
    step: str
    due_on: date


def open_steps(session: Session, user: User | None = None) -> list[PointStep]:
    """Every step of an active record still to be done, with its due day (the user's records, or all)."""
    query: Select[PointRecord] = select(PointRecord) if user is None else visible(user, PointRecord)
    rows = session.scalars(query.where(PointRecord.state == PointState.ACTIVE).order_by(PointRecord.id))
    records = list(rows)
    appeals = _pending_appeals(session, [r.id for r in records])
    steps: list[PointStep] = []
    for row in records:
        for step, due in _open(row, appeals.get(row.id)):
            steps.append(PointStep(row.id, row.institution_id, row.region_code, step, due))
    return steps


def _open(row: PointRecord, appeal: PointAppeal | None) -> list[tuple[str, date]]:
    found = []
    if row.notified_on is None:
        found.append(("notice", row.notice_due))
    if row.reported_on is None:
        found.append(("report", row.report_due))
    elif row.registered_on is None and row.register_due is not None:
        found.append(("register", row.register_due))
    if appeal is not None:
        found.append(("appeal_decision", appeal.decision_due))
    return found


def _pending_appeals(session: Session, ids: list[int]) -> dict[int, PointAppeal]:
    if not ids:
        return {}
    rows = session.scalars(
        select(PointAppeal).where(PointAppeal.record_id.in_(ids), PointAppeal.result.is_(None))
    )
    return {a.record_id: a for a in rows}


def overdue_points(session: Session, today: date, user: User | None = None) -> list[PointStep]:
    """记分逾期清单: the open steps whose due day is before `today`, oldest first."""
    late = [s for s in open_steps(session, user) if s.due_on < today]
    return sorted(late, key=lambda s: (s.due_on, s.record_id, s.step))


def due_within(session: Session, today: date, calendar: WorkCalendar, working_days: int) -> list[PointStep]:
    """Open steps due from `today` to `working_days` working days ahead (the reminders' list)."""
    horizon = calendar.add_working_days(today, working_days).day
    return [s for s in open_steps(session) if today <= s.due_on <= horizon]


def tick(session: Session, today: date, *, now: datetime) -> list[PointStep]:
    """Flag each step past due once (audited as the system); the newly flagged ones."""
    flagged = []
    for step in overdue_points(session, today):
        if flag_once(
            session, RECORD_FLAG, str(step.record_id), step.step,
            due_on=step.due_on, today=today, region_code=step.region_code,
        ):  # fmt: skip
            event = ev.PointDeadlineOverdue(
                subject_id=str(step.record_id), step=step.step, due_on=step.due_on.isoformat()
            )
            record(session, event, actor=SYSTEM, now=now)
            flagged.append(step)
    return flagged


@dataclass(frozen=True)
class MissingReturn:
    """A department's monthly return (零报告 included) not filed by its due day."""

    region_code: str
    month: str
    department: str
    due_on: date


def missing_returns(session: Session, config: PointsConfig, today: date) -> list[MissingReturn]:
    """Returns past due and not filed: every county × scoring department, for the last two
    months whose due day passed (a worker down over a 10th still catches the month)."""
    counties = session.scalars(
        select(Region.code).where(Region.level == RegionLevel.COUNTY).order_by(Region.code)
    ).all()
    missing = []
    for month in _months_due(config, today):
        rows = session.execute(
            select(PointMonthlyReturn.region_code, PointMonthlyReturn.department).where(
                PointMonthlyReturn.month == month
            )
        )
        filed = {(code, department) for code, department in rows}
        due = dl.monthly_return_due(config.deadlines, month)
        missing += [
            MissingReturn(code, month, dept, due)
            for code in counties
            for dept in config.departments
            if (code, dept) not in filed
        ]
    return missing


def _months_due(config: PointsConfig, today: date) -> list[str]:
    current = Period.parse(f"{today.year:04d}-{today.month:02d}")
    months = [str(current.shift(-back)) for back in (1, 2, 3)]
    return [m for m in months if dl.monthly_return_due(config.deadlines, m) < today][:2]


def flag_missing_returns(
    session: Session, config: PointsConfig, today: date, *, now: datetime
) -> list[MissingReturn]:
    """Flag each missing return once (`points.monthly_return_overdue`, the system's act)."""
    flagged = []
    for item in missing_returns(session, config, today):
        subject = f"{item.region_code}/{item.month}/{item.department}"
        if flag_once(
            session, RETURN_FLAG, subject, "monthly_return",
            due_on=item.due_on, today=today, region_code=item.region_code,
        ):  # fmt: skip
            event = ev.MonthlyReturnOverdue(
                subject_id=item.region_code,
                month=item.month,
                department=item.department,
                due_on=item.due_on.isoformat(),
            )
            record(session, event, actor=SYSTEM, now=now)
            flagged.append(item)
    return flagged
