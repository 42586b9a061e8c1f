"""记分申诉: the scored party's appeal and the office's decision on it.

The appeal must be filed within 3 days of receiving the notice (refused after: 409
`deadline_passed`); the decision is due 10 working days later (申诉决定: 维持 upheld,
变更分值 amended to fewer points, 撤销记分 revoked, which counts 0). The decision due
date is provisional (暂定) when it falls in a year whose calendar is not loaded; see
`points.recompute` for its recomputation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.messages import hooks
from sanjianguan.points import deadlines as dl
from sanjianguan.points import events as ev
from sanjianguan.points.config import PointsConfig
from sanjianguan.points.recording import flag_late, get_record, require_active, snapshot
from sanjianguan.workflow_db.models import PointAppeal, PointRecord, PointState, User

# Declared with the model (the database layer imports no stage), re-exported for the callers here.
from sanjianguan.workflow_db.models.points import AppealResult as AppealResult


def file_appeal(
    session: Session, user: User, config: PointsConfig, record_id: int, *, reason: str, now: datetime
) -> PointAppeal:
    """申诉, within 3 days of receiving the notice (refused after)."""
    require(user, Action.POINTS_APPEAL)
    row = get_record(session, user, record_id)
    require_active(row)
    if row.appeal_due is None:
        raise ConflictError("记分通知书尚未送达", "the notice has not been served yet", code="not_notified")
    if session.get(PointAppeal, row.id) is not None:
        raise ConflictError("已提出申诉", "an appeal was already filed", code="already_done")
    today = china_date(now)
    if today > row.appeal_due:
        raise ConflictError(
            f"申诉期限已过（{row.appeal_due}）",
            f"the appeal period ended on {row.appeal_due}",
            code="deadline_passed",
        )
    if not reason.strip():
        raise InvalidInputError("须说明申诉理由", "an appeal needs a reason", code="reason_required")
    due = dl.appeal_decision_due(config.deadlines, today, calendar_for(session))
    appeal = PointAppeal(
        record_id=row.id,
        reason=reason.strip(),
        filed_on=today,
        filed_at=now,
        filed_by=user.id,
        decision_due=due.day,
        decision_due_provisional=due.provisional,
        decision_working_days=config.deadlines.appeal_decision_working_days,
        points_before=row.points,
    )
    session.add(appeal)
    session.flush()
    event = ev.AppealFiled(
        subject_id=str(row.id),
        after={"appeal": "filed"},
        decision_due=str(appeal.decision_due),
        provisional=due.provisional,
    )
    record(session, event, actor=user, reason=appeal.reason, now=now)
    return appeal


def decide_appeal(
    session: Session,
    user: User,
    record_id: int,
    *,
    result: AppealResult,
    text: str,
    points_after: int | None = None,
    now: datetime,
) -> PointAppeal:
    """申诉决定 (10 working days): upheld, amended (new points) or revoked (counts 0)."""
    require(user, Action.POINTS_APPEAL_DECIDE)
    row = get_record(session, user, record_id)
    appeal = session.get(PointAppeal, row.id)
    if appeal is None:
        raise ConflictError("没有待决定的申诉", "no appeal to decide", code="no_appeal")
    if appeal.result is not None:
        raise ConflictError("申诉已决定", "the appeal was already decided", code="already_done")
    if not text.strip():
        raise InvalidInputError("须说明决定理由", "a decision needs a reason", code="reason_required")
    if result is AppealResult.AMENDED:
        if points_after is None or not (0 < points_after < row.points):
            raise InvalidInputError(
                "变更后分值须大于0且小于原分值",
                "amended points must be > 0 and below the original",
                code="invalid_points",
            )
    elif points_after is not None:
        raise InvalidInputError(
            "只有变更分值时才填写新分值", "points_after only with result amended", code="invalid_points"
        )
    today = china_date(now)
    before = snapshot(row)
    late = flag_late(row, "appeal_decision", today, appeal.decision_due)
    if result is AppealResult.REVOKED:
        row.state = PointState.REVOKED
    elif result is AppealResult.AMENDED and points_after is not None:
        row.points = points_after
    appeal.result, appeal.points_after, appeal.decision_text = result, row.points, text.strip()
    appeal.decided_at, appeal.decided_by = now, user.id
    event = ev.AppealDecided(
        subject_id=str(row.id), before=before, after=snapshot(row), late=late, result=result.value
    )
    record(session, event, actor=user, reason=appeal.decision_text, now=now)
    hooks.points_appeal_decided(session, row, result, text=appeal.decision_text, now=now)
    return appeal


def appeals_of(session: Session, user: User, records: list[PointRecord]) -> dict[int, PointAppeal]:
    """The appeals filed against `records` (records the caller has read), by record id."""
    require(user, Action.POINTS_READ)
    ids = [r.id for r in records]
    if not ids:
        return {}
    found = session.scalars(select(PointAppeal).where(PointAppeal.record_id.in_(ids)))
    return {a.record_id: a for a in found}
