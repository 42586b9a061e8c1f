"""办理进度 (the dashboard's progress figures): on-time self-checks, sampling and verification.

- 按期自查率: of the month's clues whose self-check was due (answered, or past the first
  deadline), the share answered on or before the first deadline (`first_due_on`, in
  working days: the calendar's holidays are already counted in it). An answer after a
  reminder's second deadline began is late even though the workflow calls it met.
- 抽查核实进度: the month's clues drawn for verification (随机抽中 or selected
  disputes), how many of them are verified, how many are still waiting.
- 逾期事项: the count of the office's overdue list (`cases.deadlines.overdue_count`).

Every figure is over the clues the user may see (`access.jurisdiction.visible_clues`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import clue_filter
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.deadlines import overdue_count
from sanjianguan.workflow_db.models import Clue, Deadline, SamplingMember, User, Verification
from sanjianguan.workflow_db.models.outcomes import DeadlineOutcome

__all__ = ["SamplingProgress", "SelfCheckRate", "overdue_count", "sampling", "self_check_rate"]

SELF_CHECK = "self_check"
ANSWERED = (DeadlineOutcome.MET, DeadlineOutcome.MET_LATE)
ENDED = (*ANSWERED, DeadlineOutcome.MISSED, DeadlineOutcome.LAPSED)


@dataclass(frozen=True)
class SelfCheckRate:
    """按期自查率: `on_time` of `due`; `rate` in [0, 1] rounded to 4 places (None: nothing due)."""

    due: int
    on_time: int
    rate: float | None


@dataclass(frozen=True)
class SamplingProgress:
    """抽查核实进度: drawn for verification, verified, still to verify."""

    sampled: int
    verified: int
    pending: int


def self_check_rate(session: Session, user: User, period: str | None, today: date) -> SelfCheckRate:
    """The month's on-time self-check rate as of `today` (China date)."""
    if period is None:
        return SelfCheckRate(0, 0, None)
    due_now = or_(
        Deadline.outcome.in_(ENDED), and_(Deadline.closed_at.is_(None), Deadline.first_due_on < today)
    )
    plain = and_(Deadline.outcome == DeadlineOutcome.MET, Deadline.reminded_on.is_(None))
    base = _month_deadlines(user, period)
    due, on_time = session.execute(
        base.with_only_columns(func.count(case((due_now, 1))), func.count(case((plain, 1))))
    ).one()
    reminded = base.where(Deadline.outcome.in_(ANSWERED), Deadline.reminded_on.is_not(None))
    on_time += sum(
        1
        for closed, first in session.execute(
            reminded.with_only_columns(Deadline.closed_at, Deadline.first_due_on)
        )
        if closed is not None and china_date(closed) <= first
    )
    return SelfCheckRate(int(due), int(on_time), round(on_time / due, 4) if due else None)


def _month_deadlines(user: User, period: str) -> Select[Deadline]:
    return (
        select(Deadline)
        .join(Clue, Clue.id == Deadline.clue_id)
        .where(Deadline.step == SELF_CHECK, Clue.period == period, clue_filter(user))
    )


def sampling(session: Session, user: User, period: str | None) -> SamplingProgress:
    """The month's sampling and verification progress."""
    if period is None:
        return SamplingProgress(0, 0, 0)
    sampled, verified = session.execute(
        select(func.count(), func.count(Verification.clue_id))
        .select_from(SamplingMember)
        .join(Clue, Clue.id == SamplingMember.clue_id)
        .outerjoin(Verification, Verification.clue_id == SamplingMember.clue_id)
        .where(SamplingMember.drawn.is_(True), Clue.period == period, clue_filter(user))
    ).one()
    return SamplingProgress(int(sampled), int(verified), int(sampled) - int(verified))
