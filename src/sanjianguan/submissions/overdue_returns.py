"""县区月报的逾期: the counties whose stamped return of a month had not come by the 10th.

Seed 000 wants the return "在次月10日前"; a scan received after the 10th is already
marked late when it arrives (`county_returns.receive_scan`: `on_time` false). What no
upload marks is a return that never came: the daily job calls `flag_missing` and each
missing (county, month) is audited once as the system's act
(`report.county_return_overdue`), so that the city office can press the county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.period import Period
from sanjianguan.submissions.county_returns import due_on
from sanjianguan.submissions.events import CountyReturnOverdue
from sanjianguan.workflow_db.flags import flag_once
from sanjianguan.workflow_db.models import CountyReturnScan, Region, RegionLevel

FLAG = "county_return"


@dataclass(frozen=True)
class MissingCountyReturn:
    """A county's return of `period` not received by `due_on`; `city_code` is whom to tell."""

    region_code: str
    city_code: str | None
    period: str
    due_on: date


def missing_returns(session: Session, today: date) -> list[MissingCountyReturn]:
    """Counties without a scan of the last two months whose due day is past."""
    counties = session.execute(
        select(Region.code, Region.parent_code)
        .where(Region.level == RegionLevel.COUNTY)
        .order_by(Region.code)
    ).all()
    found = []
    for period in _periods_due(today):
        received = set(
            session.scalars(select(CountyReturnScan.region_code).where(CountyReturnScan.period == period))
        )
        due = due_on(period)
        found += [
            MissingCountyReturn(code, parent, period, due)
            for code, parent in counties
            if code not in received
        ]
    return found


def _periods_due(today: date) -> list[str]:
    current = Period.parse(f"{today.year:04d}-{today.month:02d}")
    periods = [str(current.shift(-back)) for back in (1, 2, 3)]
    return [p for p in periods if due_on(p) < today][:2]


def flag_missing(session: Session, today: date, *, now: datetime) -> list[MissingCountyReturn]:
    """Flag each missing return once (audited as the system); the newly flagged ones."""
    flagged = []
    for item in missing_returns(session, today):
        if flag_once(
            session, FLAG, f"{item.region_code}/{item.period}", "scan",
            due_on=item.due_on, today=today, region_code=item.region_code,
        ):  # fmt: skip
            event = CountyReturnOverdue(
                subject_id=f"{item.region_code}/{item.period}",
                region_code=item.region_code,
                period=item.period,
                due_on=item.due_on.isoformat(),
            )
            record(session, event, actor=SYSTEM, now=now)
            flagged.append(item)
    return flagged


def late_returns(session: Session, period: str) -> list[CountyReturnScan]:
    """The scans of `period` that came after the 10th (marked at receipt), latest per county."""
    rows = session.scalars(
        select(CountyReturnScan).where(CountyReturnScan.period == period).order_by(CountyReturnScan.id)
    )
    latest = {row.region_code: row for row in rows}
    return [row for row in latest.values() if not row.on_time]
