"""专家库: the expert pool an adjudication panel is drawn from.

The office registers each expert's specialties and affiliated institution (专家库登记);
an expert declares conflicts with an institution or a clue (回避申报). `cases.panel`
reads both when it draws a panel.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible
from sanjianguan.audit import events as ev
from sanjianguan.audit.log import record
from sanjianguan.cases import inputs
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.workflow_db.models import Clue, ExpertConflict, ExpertProfile, Institution, Role, User


def set_expert_profile(
    session: Session,
    user: User,
    expert_user_id: int,
    *,
    specialties: Sequence[str],
    institution_id: str | None,
    now: datetime,
) -> ExpertProfile:
    """专家库登记: specialties and the affiliated institution of an expert in the user's region."""
    require(user, Action.EXPERT_MANAGE)
    _expert_in_region(session, user, expert_user_id)
    names = sorted({inputs.text(s, "专业", "specialty") for s in specialties})
    if not names:
        raise InvalidInputError(
            "请填写至少一个专业", "at least one specialty is required", code="text_required"
        )
    if institution_id and session.get(Institution, institution_id) is None:
        raise InvalidInputError(
            f"未知机构：{institution_id}",
            f"unknown institution: {institution_id}",
            code="unknown_institution",
        )
    profile = session.get(ExpertProfile, expert_user_id)
    before = (
        None
        if profile is None
        else {"specialties": profile.specialties, "institution_id": profile.institution_id}
    )
    profile = profile or ExpertProfile(user_id=expert_user_id)
    profile.specialties, profile.institution_id, profile.updated_at = names, institution_id or None, now
    session.add(profile)
    session.flush()
    after = {"specialties": names, "institution_id": profile.institution_id}
    record(
        session,
        ev.ExpertProfileSet(subject_id=str(expert_user_id), before=before, after=after),
        actor=user,
        now=now,
    )
    return profile


def _expert_in_region(session: Session, user: User, expert_user_id: int) -> User:
    """The expert user inside the user's region; NotFoundError (404) for anyone else."""
    expert = session.get(User, expert_user_id)
    if (
        expert is None
        or expert.role is not Role.EXPERT
        or not expert.region_code
        or not region_visible(user, RegionCode.parse(expert.region_code))
    ):
        raise NotFoundError(
            f"专家不存在：{expert_user_id}", f"no such expert: {expert_user_id}", code="expert_not_found"
        )
    return expert


def declare_conflict(
    session: Session,
    user: User,
    *,
    institution_id: str | None = None,
    clue_id: str | None = None,
    reason: str,
    now: datetime,
) -> ExpertConflict | None:
    """回避申报: the expert declares a conflict with an institution or a clue (by id).

    The answer does not say whether the institution or clue exists (an expert must not be
    able to probe clue ids): a declaration about an unknown one is audited with
    `recorded: false` and stores nothing (None); a known one is stored and returned.
    """
    require(user, Action.EXPERT_CONFLICT_DECLARE)
    if bool(institution_id) == bool(clue_id):
        raise InvalidInputError(
            "请指定机构或线索（二选一）",
            "give an institution or a clue (one of them)",
            code="conflict_target",
        )
    text = inputs.text(reason, "回避理由", "reason for recusal")
    known = session.get(Institution, institution_id) if institution_id else session.get(Clue, clue_id)
    row = None
    if known is not None:
        row = ExpertConflict(
            expert_user_id=user.id,
            institution_id=institution_id,
            clue_id=clue_id,
            reason=text,
            declared_at=now,
        )
        session.add(row)
        session.flush()
    record(
        session,
        ev.ExpertConflictDeclared(
            subject_id=str(user.id), institution_id=institution_id, clue_id=clue_id, recorded=row is not None
        ),
        actor=user,
        reason=text,
        now=now,
    )
    return row
