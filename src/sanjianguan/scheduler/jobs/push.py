"""推送: the monthly push of the previous month's clues (seed 000: the 15th), as `sjg cases push`.

The same service (`cases.service.push_period`, the system as actor, audited
`case.pushed`). One push per (period, county) and one transaction each: a region is
pushed whole or not at all (a failure rolls its transaction back, the run is recorded
failed and the next wake pushes what is left: regions already pushed have nothing left).
A catch-up push takes every month up to the slot's with clues still generated, so a
worker that was down over a push day leaves no month behind.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases import service
from sanjianguan.cases.states import ClueStatus
from sanjianguan.scheduler.hooks import NEW_CLUES, Notification
from sanjianguan.scheduler.jobs import JobEnv, JobResult
from sanjianguan.scheduler.slots import previous_month, this_month
from sanjianguan.workflow_db.models import Clue


def push(env: JobEnv, now: datetime, slot: str | None = None) -> JobResult:
    """Push every generated clue of the months up to the slot's (default: last month)."""
    last = previous_month(slot or str(this_month(china_date(now))))
    with env.database.sessions() as session:
        batches = _waiting(session, last)
    pushed: dict[str, int] = {}
    notes: list[Notification] = []
    for period, region_code in batches:
        with env.database.transaction() as session:
            result = service.push_period(session, None, period, region_code, now=now)
            new = _per_institution(session, result.clue_ids, period)
            env.deliver(session, new, now)
        pushed[f"{period}/{region_code}"] = len(result.clue_ids)
        notes += new
    return JobResult({"through": last, "pushed": pushed}, notes)


def _waiting(session: Session, last: str) -> list[tuple[str, str]]:
    """(period, county) pairs with generated clues, periods up to `last`, oldest first."""
    rows = session.execute(
        select(Clue.period, Clue.region_code)
        .where(Clue.status == ClueStatus.GENERATED, Clue.period <= last, Clue.region_code.is_not(None))
        .distinct()
        .order_by(Clue.period, Clue.region_code)
    ).all()
    return [(period, region) for period, region in rows if region is not None]


def _per_institution(session: Session, clue_ids: list[str], period: str) -> list[Notification]:
    """新线索: one message per institution with the count of its clues just pushed."""
    counts: dict[str, int] = defaultdict(int)
    for (institution_id,) in session.execute(select(Clue.institution_id).where(Clue.id.in_(clue_ids))):
        counts[institution_id] += 1
    return [
        Notification(
            kind=NEW_CLUES,
            title=f"{period} 新推送线索 {count} 条",
            body=f"本机构收到 {period} 的疑似问题线索 {count} 条，请在自查期限内完成自查反馈。",
            subject=f"new_clues:{period}:{institution_id}",
            institution_id=institution_id,
            link=f"/clues?period={period}",
        )
        for institution_id, count in sorted(counts.items())
    ]
