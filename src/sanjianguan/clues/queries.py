"""Reading clues for a user: always through the jurisdiction filter and the role's permissions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue, sees_identities, visible_clues
from sanjianguan.access.permissions import Action, require
from sanjianguan.errors import PermissionDeniedError
from sanjianguan.workflow_db.models import Clue, User


@dataclass(frozen=True)
class ClueFilter:
    """Optional filters of a clue list; `rule_ids`: one of these (a category/grade resolved to ids)."""

    period: str | None = None
    status: str | None = None
    rule_id: str | None = None
    institution_id: str | None = None
    doctor_id: str | None = None
    rule_ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CluePage:
    items: list[Clue]
    total: int


def list_clues(session: Session, user: User, where: ClueFilter, *, limit: int, offset: int) -> CluePage:
    """The clues `user` may see, filtered, ordered by id, one page of them and the total.

    The total needs its own COUNT only when the page does not show them all (a first page
    shorter than `limit` is the total).
    """
    require(user, Action.CLUE_READ)
    if not sees_identities(user) and (where.institution_id is not None or where.doctor_id is not None):
        # 双盲: filtering by an identity would tell the expert whose clue it is.
        raise PermissionDeniedError(
            "专家不能按机构或医生筛选线索",
            "experts may not filter clues by institution or doctor",
            code="identity_filter_forbidden",
        )
    query = visible_clues(user)
    for column, value in (
        (Clue.period, where.period),
        (Clue.status, where.status),
        (Clue.rule_id, where.rule_id),
        (Clue.institution_id, where.institution_id),
        (Clue.doctor_id, where.doctor_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.rule_ids is not None:
        query = query.where(Clue.rule_id.in_(where.rule_ids))
    items = list(session.execute(query.order_by(Clue.id).limit(limit).offset(offset)).scalars())
    if offset == 0 and len(items) < limit:
        return CluePage(items=items, total=len(items))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return CluePage(items=items, total=total)


def read_clue(session: Session, user: User, clue_id: str) -> Clue:
    """One clue, if `user` may see it (NotFoundError otherwise)."""
    require(user, Action.CLUE_READ)
    return get_clue(session, user, clue_id)
