"""季度公示: the quarter's published list of points, per institution, for anyone to read.

Only final records are disclosed (registered by the office, not revoked, no appeal
pending, not exempt); staff appear as counts per institution, never by identity. The
office publishes a snapshot once the quarter is over (due the 10th of the next
quarter's first month); the public page reads the snapshot without a login.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import require_region
from sanjianguan.audit.log import record
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.points import deadlines as dl
from sanjianguan.points import events as ev
from sanjianguan.points.config import PointsConfig
from sanjianguan.points.recording import PartyKind
from sanjianguan.workflow_db.models import (
    Institution,
    PointAppeal,
    PointDisclosure,
    PointRecord,
    PointState,
    User,
)


def disclosure_items(session: Session, region_code: str, quarter: str) -> list[dict[str, Any]]:
    """What may be disclosed: per institution, its own points and how many staff were scored.

    Only final records: registered by the office, not revoked, no appeal pending. Staff
    appear as counts per institution, never by identity.
    """
    start, end = dl.quarter_bounds(quarter)
    rows = session.execute(
        select(PointRecord, Institution.name, PointAppeal.result, PointAppeal.record_id)
        .join(Institution, Institution.id == PointRecord.institution_id)
        .outerjoin(PointAppeal, PointAppeal.record_id == PointRecord.id)
        .where(
            within_region(PointRecord.region_code, region_code),
            PointRecord.approved_on >= start,
            PointRecord.approved_on < end,
            PointRecord.state == PointState.ACTIVE,
            PointRecord.registered_on.is_not(None),
            PointRecord.exempt.is_(False),
        )
    ).all()
    per: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"institution_points": 0, "institution_events": 0, "staff": set(), "staff_points": 0}
    )
    names: dict[str, str] = {}
    for rec, name, result, appealed in rows:
        if appealed is not None and result is None:
            continue  # appeal pending: not final
        names[rec.institution_id] = name
        item = per[rec.institution_id]
        if rec.party_kind == PartyKind.INSTITUTION.value:
            item["institution_points"] += rec.points
            item["institution_events"] += 1
        else:
            item["staff"].add(rec.party_id)
            item["staff_points"] += rec.points
    return [
        {
            "institution_id": inst,
            "institution_name": names[inst],
            "institution_events": v["institution_events"],
            "institution_points": v["institution_points"],
            "staff_scored": len(v["staff"]),
            "staff_points": v["staff_points"],
        }
        for inst, v in sorted(per.items())
    ]


def _published(session: Session, region_code: str, quarter: str) -> PointDisclosure | None:
    return session.scalars(
        select(PointDisclosure).where(
            PointDisclosure.region_code == region_code, PointDisclosure.quarter == quarter
        )
    ).one_or_none()


def publish_disclosure(
    session: Session, user: User, config: PointsConfig, *, region_code: str, quarter: str, now: datetime
) -> PointDisclosure:
    """公示: snapshot the quarter's list (due the 10th of the next quarter's first month)."""
    require(user, Action.POINTS_REGISTER)
    require_region(user, region_code)
    _start, end = dl.quarter_bounds(quarter)
    today = china_date(now)
    if today < end:
        raise InvalidInputError(f"{quarter} 尚未结束", f"{quarter} is not over yet", code="quarter_not_over")
    if _published(session, region_code, quarter):
        raise ConflictError("该季度已公示", "this quarter was already published", code="already_done")
    due = dl.disclosure_due(config.deadlines, quarter)
    items = disclosure_items(session, region_code, quarter)
    row = PointDisclosure(
        region_code=region_code,
        quarter=quarter,
        due_on=due,
        late=today > due,
        items=items,
        published_at=now,
        published_by=user.id,
    )
    session.add(row)
    session.flush()
    event = ev.DisclosurePublished(subject_id=region_code, quarter=quarter, items=len(items), late=row.late)
    record(session, event, actor=user, now=now)
    return row


def public_disclosure(session: Session, region_code: str, quarter: str) -> PointDisclosure:
    """The published list, for anyone (no login); 404 until published."""
    dl.parse_quarter(quarter)
    row = _published(session, region_code, quarter)
    if row is None:
        raise NotFoundError("该季度尚未公示", "not published for this quarter", code="disclosure_not_found")
    return row


def published_quarters(session: Session) -> list[str]:
    """The quarters with at least one published list, latest first (for anyone: no login)."""
    rows = session.scalars(select(PointDisclosure.quarter).distinct()).all()
    return sorted(rows, reverse=True)


def published_disclosures(session: Session, quarter: str) -> list[PointDisclosure]:
    """Every region's published list of `quarter` (for anyone: no login), by region code.

    Only snapshots: what the office published (`publish_disclosure`), never the live records.
    """
    dl.parse_quarter(quarter)
    return list(
        session.scalars(
            select(PointDisclosure)
            .where(PointDisclosure.quarter == quarter)
            .order_by(PointDisclosure.region_code)
        )
    )
