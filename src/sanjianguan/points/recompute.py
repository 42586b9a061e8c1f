"""暂定复核期限重算: appeal decisions due in a year the calendar had not loaded, recomputed once it is.

An appeal's decision is due 10 working days after filing (`deadlines.appeal_decision_due`);
counted into a year not yet official it is provisional (暂定). When that year is loaded
(`sanjianguan.calendar_load`), every open provisional due is counted again, audited
(`points.appeal_decision_due_recomputed`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.calendar.days import WorkCalendar
from sanjianguan.points.events import AppealDecisionDueRecomputed
from sanjianguan.workflow_db.models import PointAppeal, User


def recompute_appeal_decisions(
    session: Session, calendar: WorkCalendar, years: list[int], *, user: User | None, now: datetime
) -> list[str]:
    """Count every open provisional appeal decision due again; "points/<record>: old → new" each."""
    changed: list[str] = []
    rows = session.execute(
        select(PointAppeal)
        .where(
            PointAppeal.result.is_(None),
            PointAppeal.decision_due_provisional.is_(True),
            PointAppeal.decision_working_days.is_not(None),
        )
        .order_by(PointAppeal.record_id)
    ).scalars()
    for appeal in rows:
        assert appeal.decision_working_days is not None
        due = calendar.add_working_days(appeal.filed_on, appeal.decision_working_days)
        old = appeal.decision_due.isoformat()
        appeal.decision_due, appeal.decision_due_provisional = due.day, due.provisional
        record(
            session,
            AppealDecisionDueRecomputed(
                subject_id=str(appeal.record_id),
                before={"decision_due": old, "provisional": True},
                after={"decision_due": due.day.isoformat(), "provisional": due.provisional},
                filed_on=appeal.filed_on.isoformat(),
                working_days=appeal.decision_working_days,
                years=years,
            ),
            actor=user or SYSTEM,
            now=now,
        )
        changed.append(f"points/{appeal.record_id}: {old} → {due.day.isoformat()}")
    return changed
