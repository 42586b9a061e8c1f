"""检查人员库与回避: who may be drawn to inspect an institution.

The pool is the active investigators (检查人员) of the plan's region and below. For
each institution, some are never drawn: those who declared a conflict with it (回避申报),
experts with a declared conflict, and those who work there (affiliation, as a user or as
an expert). Declaring a conflict is the investigator's own act, audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.errors import ConflictError, NotFoundError
from sanjianguan.inputs import text
from sanjianguan.inspections.events import InspectorConflictDeclared
from sanjianguan.workflow_db.models import (
    ExpertConflict,
    ExpertProfile,
    InspectorConflict,
    Institution,
    Role,
    User,
)


def inspector_pool(session: Session, region: str) -> list[int]:
    """The active investigators of `region` and below, by user id."""
    query = select(User.id).where(
        User.role == Role.INVESTIGATOR, User.is_active.is_(True), within_region(User.region_code, region)
    )
    return sorted(session.execute(query).scalars())


def exclusions(session: Session, pool: list[int], institutions: list[str]) -> dict[str, list[int]]:
    """Institution → pool members never drawn for it: declared conflicts and affiliation."""
    excluded: dict[str, set[int]] = {i: set() for i in institutions}
    pairs: list[tuple[int, str | None]] = []
    pairs += session.execute(
        select(InspectorConflict.user_id, InspectorConflict.institution_id).where(
            InspectorConflict.user_id.in_(pool)
        )
    ).all()
    pairs += session.execute(
        select(ExpertConflict.expert_user_id, ExpertConflict.institution_id).where(
            ExpertConflict.expert_user_id.in_(pool)
        )
    ).all()
    pairs += session.execute(
        select(ExpertProfile.user_id, ExpertProfile.institution_id).where(ExpertProfile.user_id.in_(pool))
    ).all()
    pairs += session.execute(select(User.id, User.institution_id).where(User.id.in_(pool))).all()
    for user_id, institution_id in pairs:
        if institution_id in excluded:
            excluded[institution_id].add(user_id)
    return {i: sorted(users) for i, users in excluded.items() if users}


def declare_conflict(
    session: Session, user: User, *, institution_id: str, reason: str, now: datetime
) -> InspectorConflict:
    """检查人员申报回避: the declaring investigator is never drawn for the institution again."""
    require(user, Action.INSPECTOR_CONFLICT_DECLARE)
    if session.get(Institution, institution_id) is None:
        raise NotFoundError.no_such("医疗机构", "institution", institution_id)
    reason_text = text(reason, "回避理由", "reason")
    exists = session.execute(
        select(InspectorConflict.id).where(
            InspectorConflict.user_id == user.id, InspectorConflict.institution_id == institution_id
        )
    ).first()
    if exists is not None:
        raise ConflictError(
            f"已申报对 {institution_id} 回避",
            f"conflict with {institution_id} already declared",
            code="conflict_exists",
        )
    row = InspectorConflict(
        user_id=user.id, institution_id=institution_id, reason=reason_text, declared_at=now
    )
    session.add(row)
    session.flush()
    record(
        session,
        InspectorConflictDeclared(
            subject_id=str(user.id), after={"institution_id": institution_id}, institution_id=institution_id
        ),
        actor=user,
        reason=reason_text,
        now=now,
    )
    return row
