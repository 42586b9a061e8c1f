"""记分累计: a doctor's or an institution's standing in a year, from the records that count.

A staff member's total is national by design (one record per doctor, whichever
institution scored them), so the standing reads every record of the doctor while the
caller sees only the records of their jurisdiction; an institution's standing reads its
own records. The bands (thresholds and their consequences) are in `points.scoring`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible
from sanjianguan.access.permissions import Action, require
from sanjianguan.errors import NotFoundError
from sanjianguan.points.config import PointsConfig
from sanjianguan.points.recording import PartyKind, list_records
from sanjianguan.points.scoring import (
    InstitutionStanding,
    Scored,
    StaffStanding,
    institution_standing,
    staff_standing,
)
from sanjianguan.workflow_db.models import Institution, PointRecord, PointState, User


def counted(rows: list[PointRecord]) -> list[Scored]:
    """The records that count: active (not revoked); exempt ones carry 0 points."""
    return [Scored(r.points, r.approved_on, r.id) for r in rows if r.state == PointState.ACTIVE]


def staff_status(
    session: Session, user: User, config: PointsConfig, party_id: str, year: int
) -> tuple[StaffStanding, list[PointRecord]]:
    """One doctor's standing across every institution, and the records the caller may see.

    The total is national by design (one record per doctor); 404 unless the caller sees
    at least one of the doctor's records.
    """
    visible = list_records(session, user, party_kind=PartyKind.STAFF.value, party_id=party_id)
    if not visible:
        raise NotFoundError(
            f"无此医务人员的记分：{party_id}", f"no point records for {party_id}", code="party_not_found"
        )
    every = session.scalars(
        select(PointRecord).where(
            PointRecord.party_kind == PartyKind.STAFF.value, PointRecord.party_id == party_id
        )
    ).all()
    return staff_standing(config, counted(list(every)), year), visible


def institution_status(
    session: Session, user: User, config: PointsConfig, institution_id: str, year: int
) -> tuple[InstitutionStanding, list[PointRecord]]:
    require(user, Action.POINTS_READ)
    get_visible(session, user, Institution, institution_id)
    rows = list_records(session, user, party_kind=PartyKind.INSTITUTION.value, institution_id=institution_id)
    return institution_standing(config, counted(rows), year), rows
