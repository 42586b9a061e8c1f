"""专家抽选: a random, seeded panel from the eligible pool (double-blind adjudication).

Eligible: active users of role expert, with a profile listing the specialty, in the
clue's region chain (county, city or province pool), not affiliated with the clue's
institution and with no declared conflict with that institution or the clue.
"""

from __future__ import annotations

import random

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sanjianguan.access.regions import RegionCode
from sanjianguan.workflow_db.models import Clue, ExpertConflict, ExpertProfile, Role, User

PANEL_SIZES = (3, 5)


def eligible_pool(session: Session, clue: Clue, specialty: str) -> list[int]:
    """User ids of the experts who may sit on this clue's panel, sorted."""
    regions = [r.code for r in RegionCode.parse(clue.region_code).chain()] if clue.region_code else []
    conflicted = select(ExpertConflict.expert_user_id).where(
        or_(ExpertConflict.institution_id == clue.institution_id, ExpertConflict.clue_id == clue.id)
    )
    rows = session.execute(
        select(User.id, ExpertProfile.specialties, ExpertProfile.institution_id)
        .join(ExpertProfile, ExpertProfile.user_id == User.id)
        .where(
            User.role == Role.EXPERT,
            User.is_active.is_(True),
            User.region_code.in_(regions),
            User.id.not_in(conflicted),
        )
        .order_by(User.id)
    ).all()
    return [
        user_id
        for user_id, specialties, institution in rows
        if specialty in (specialties or []) and institution != clue.institution_id
    ]


def draw_panel(pool: list[int], size: int, seed: str) -> list[int]:
    """`size` experts drawn from `pool` with `seed` (same pool and seed, same panel)."""
    return sorted(random.Random(f"sjg-panel:{seed}").sample(sorted(pool), size))
