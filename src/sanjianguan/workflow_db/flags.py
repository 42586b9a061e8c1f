"""Once-only overdue flags (`overdue_flags`): the daily jobs audit each lapse once.

A job that finds a lapse (a penalty-point step past due, a monthly return not filed)
calls `flag_once`; only the first call for (subject type, subject, step) returns True,
and only then does the job write its audit event. The unique key backs the check.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.workflow_db.models import OverdueFlag


def flag_once(
    session: Session,
    subject_type: str,
    subject_id: str,
    step: str,
    *,
    due_on: date,
    today: date,
    region_code: str | None,
) -> bool:
    """Record the lapse unless it was flagged before; True when this call flagged it."""
    found = session.scalar(
        select(OverdueFlag.id).where(
            OverdueFlag.subject_type == subject_type,
            OverdueFlag.subject_id == subject_id,
            OverdueFlag.step == step,
        )
    )
    if found is not None:
        return False
    session.add(
        OverdueFlag(
            subject_type=subject_type,
            subject_id=subject_id,
            step=step,
            due_on=due_on,
            flagged_on=today,
            region_code=region_code,
        )
    )
    session.flush()
    return True


def flagged(session: Session, subject_type: str) -> set[tuple[str, str]]:
    """The (subject, step) pairs of one subject type already flagged."""
    rows = session.execute(
        select(OverdueFlag.subject_id, OverdueFlag.step).where(OverdueFlag.subject_type == subject_type)
    )
    return {(subject, step) for subject, step in rows}
