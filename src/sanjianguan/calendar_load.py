"""载入日历: load an official year (or seed the shipped ones) and recompute the stages' provisional dues.

The calendar package sits below the workflow stages and imports none of them; a year
loaded changes deadlines of two stages, so the load is put together here, above them:
store the year, recompute the clue steps' deadlines (`deadline.recomputed`) and the
points stage's appeal decisions (`points.appeal_decision_due_recomputed`), then audit
the load (`calendar.loaded`, with the number recomputed), all in the caller's transaction.
`sjg calendar load` and the store's upgrade (the shipped years) come here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from sanjianguan.calendar.files import YearFile
from sanjianguan.calendar.table import (
    LoadReport,
    calendar_for,
    recompute_steps,
    record_loaded,
    store_shipped,
    store_year,
)
from sanjianguan.points.recompute import recompute_appeal_decisions
from sanjianguan.workflow_db.base import utcnow
from sanjianguan.workflow_db.models import User


def recompute(session: Session, years: list[int], *, user: User | None, now: datetime) -> list[str]:
    """Recompute every open provisional deadline (clue steps, then appeal decisions); audited."""
    calendar = calendar_for(session)
    changed = recompute_steps(session, calendar, years, user=user, now=now)
    changed += recompute_appeal_decisions(session, calendar, years, user=user, now=now)
    session.flush()
    return changed


def load_year(session: Session, data: YearFile, *, user: User | None, now: datetime) -> LoadReport:
    """Replace one year's entries with a checked file's, in the caller's transaction; audited."""
    row, replaced = store_year(session, data.year, data.entries, data.source, data.sha256, user, now)
    recomputed = recompute(session, [data.year], user=user, now=now)
    record_loaded(session, data, row, replaced, recomputed=len(recomputed), user=user, now=now)
    return LoadReport(data.year, replaced, row.holiday_count, row.workday_count, recomputed)


def seed_shipped(session: Session, *, now: datetime | None = None) -> list[int]:
    """Store the shipped years the store lacks (never overwrites a loaded year); idempotent.

    Seeding is the code's own data, like the schema: not audited itself, but a deadline
    it recomputes is."""
    when = now or utcnow()
    new = store_shipped(session, when)
    if new:
        recompute(session, new, user=None, now=when)
    return new
