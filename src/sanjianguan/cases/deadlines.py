"""办理期限: deadlines per clue and step, the office's overdue list, and the daily tick.

Deadline rows are opened and met by the transition engine as the table says. `tick`
is the scheduled system job (`sjg cases tick --today D`), run once a day:

- a self-check past its deadline and not yet reminded → reminder, with a second (last)
  deadline of 5 working days (audited system action `remind`);
- a self-check past the second deadline, or requested evidence not supplied in time →
  decided unreasonable (art. 31; audited system action `default_unreasonable`);
- a soft deadline (the authority's review, the institution's rectification report) past
  due → one `case.deadline_overdue` event, and it stays on the overdue list.

The appeal period is a window, not a duty: when it ends without an appeal nothing is
overdue. Every step is idempotent for a given day, so running the tick twice is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import clue_filter
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.events import DeadlineOverdue
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date, start_of_day
from sanjianguan.cases import intake
from sanjianguan.cases.states import ClueStatus
from sanjianguan.errors import ConflictError
from sanjianguan.workflow_db.models import AuditEvent, Clue, Deadline, Role, User

WINDOWS = frozenset({"appeal"})  # periods in which a party *may* act: nothing is overdue after them


@dataclass(frozen=True)
class OverdueItem:
    """One overdue step of a clue, for the office's list."""

    clue_id: str
    institution_id: str
    region_code: str | None
    status: str
    step: str
    due_on: date
    days_overdue: int
    reminded_on: date | None
    hard: bool
    provisional: bool  # 暂定: counted with a year whose calendar is not loaded


def past_due(today: date) -> ColumnElement[bool]:
    """An open deadline (not a window) whose due day is before `today`."""
    return and_(Deadline.closed_at.is_(None), Deadline.due_on < today, Deadline.step.not_in(WINDOWS))


def overdue(session: Session, user: User, today: date) -> list[OverdueItem]:
    """Open deadlines past due of the clues the user may see, oldest first."""
    require(user, Action.DEADLINE_READ)
    rows = session.execute(
        select(Deadline, Clue)
        .join(Clue, Clue.id == Deadline.clue_id)
        .where(*_overdue_where(user, today))
        .order_by(Deadline.due_on, Clue.id)
    ).all()
    return [
        OverdueItem(
            clue_id=clue.id,
            institution_id=clue.institution_id,
            region_code=clue.region_code,
            status=clue.status,
            step=deadline.step,
            due_on=deadline.due_on,
            days_overdue=(today - deadline.due_on).days,
            reminded_on=deadline.reminded_on,
            hard=deadline.hard,
            provisional=deadline.provisional,
        )
        for deadline, clue in rows
    ]


def overdue_count(session: Session, user: User, today: date) -> int:
    """How many items `overdue` lists for the user (the dashboard's 逾期事项)."""
    require(user, Action.DEADLINE_READ)
    query = select(func.count()).select_from(Deadline).join(Clue, Clue.id == Deadline.clue_id)
    return int(session.execute(query.where(*_overdue_where(user, today))).scalar_one())


def _overdue_where(user: User, today: date) -> tuple[ColumnElement[bool], ...]:
    return (clue_filter(user), past_due(today))


def overdue_clue_ids(user: User, today: date) -> Select[str]:
    """The ids of the clues on `overdue`'s list, as a subquery (the clue list's 逾期 filter)."""
    require(user, Action.DEADLINE_READ)
    return select(Deadline.clue_id).where(past_due(today))


@dataclass(frozen=True)
class SelfCheckDue:
    """自查期限 of a clue: the due day, whether still open, working days left (open, not past due)."""

    due_on: date
    open: bool
    working_days_left: int | None
    provisional: bool

    def overdue(self, today: date) -> bool:
        return self.open and self.due_on < today


def self_check_dues(
    session: Session, user: User, clue_ids: Sequence[str], today: date
) -> dict[str, SelfCheckDue]:
    """The self-check deadlines of those of `clue_ids` the user may see, with the working days
    left by the store's official calendar (experts: none, as in the case file)."""
    require(user, Action.CLUE_READ)
    if user.role is Role.EXPERT or not clue_ids:
        return {}
    rows = session.execute(
        select(Deadline)
        .join(Clue, Clue.id == Deadline.clue_id)
        .where(clue_filter(user), Deadline.clue_id.in_(list(clue_ids)), Deadline.step == "self_check")
        .order_by(Deadline.id)
    ).scalars()
    calendar = calendar_for(session)
    found: dict[str, SelfCheckDue] = {}
    for row in rows:  # the latest row of a clue wins
        is_open = row.closed_at is None
        left = calendar.working_days_between(today, row.due_on) if is_open and row.due_on >= today else None
        found[row.clue_id] = SelfCheckDue(row.due_on, is_open, left, row.provisional)
    return found


@dataclass
class TickReport:
    """What one tick did, by clue id."""

    today: date
    reminded: list[str] = field(default_factory=list)
    defaulted: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def tick(session: Session, today: date, *, now: datetime | None = None) -> TickReport:
    """Run the day's system actions for every open deadline that passed before `today`.

    A day earlier than the last recorded workflow event (`case.*`) is refused: a tick "in
    the past" would default clues that were answered after it, and put the case history
    out of order. (Set-up events such as accounts and regions do not count.)
    """
    _refuse_before_recorded(session, today)
    when = now or start_of_day(today)
    report = TickReport(today)
    due = (
        session.execute(select(Deadline).where(past_due(today)).order_by(Deadline.clue_id, Deadline.step))
        .scalars()
        .all()
    )
    for deadline in due:
        _handle(session, deadline, today, when, report)
    return report


def _refuse_before_recorded(session: Session, today: date) -> None:
    latest = session.scalar(select(func.max(AuditEvent.occurred_at)).where(AuditEvent.event.like("case.%")))
    if latest is None:
        return
    last_day = china_date(latest if latest.tzinfo else latest.replace(tzinfo=UTC))
    if today < last_day:
        raise ConflictError(
            f"每日任务的日期 {today.isoformat()} 早于已记录的最近事项日期 {last_day.isoformat()}，不能执行",
            f"the tick date {today.isoformat()} is earlier than the last recorded event "
            f"({last_day.isoformat()}): refused",
            code="tick_in_the_past",
        )


def _handle(session: Session, deadline: Deadline, today: date, now: datetime, report: TickReport) -> None:
    clue = session.get(Clue, deadline.clue_id)
    assert clue is not None
    if deadline.step == "self_check" and clue.status == ClueStatus.PUSHED:
        if deadline.reminded_on is None:
            intake.remind(session, None, clue.id, now=now, reason="自查逾期，系统催办")
            report.reminded.append(clue.id)
        else:
            intake.default_unreasonable(session, clue.id, now=now)
            report.defaulted.append(clue.id)
    elif deadline.step == "evidence":
        intake.default_unreasonable(session, clue.id, now=now)
        report.defaulted.append(clue.id)
    elif not deadline.hard and deadline.late_flagged_on is None:
        deadline.late_flagged_on = today
        event = DeadlineOverdue(
            subject_id=clue.id,
            before={"status": clue.status},
            after={"status": clue.status},
            action="tick",
            late=True,
            step=deadline.step,
            due_on=deadline.due_on.isoformat(),
        )
        record(session, event, actor=SYSTEM, now=now)
        report.flagged.append(clue.id)
