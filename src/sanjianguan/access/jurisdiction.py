"""管辖范围: the one place that says which rows a user may see, as SQL filters.

Every read of clues goes through `clue_filter(user)` (or `visible_clues`/`get_clue`), so that
a county sees its county, a city its counties, a province its cities and counties, an
institution its own clues, and an expert only the clues assigned to them. An object
outside the filter does not exist for the caller: `get_clue` raises NotFoundError, the
same as for an unknown id.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sanjianguan.access.regions import RegionCode
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import Clue, ExpertAssignment, Institution, Role, User

REGIONAL_ROLES = frozenset(
    {Role.OFFICE, Role.ANALYST, Role.INVESTIGATOR, Role.ADJUDICATOR, Role.INSURANCE, Role.AUDITOR}
)


def within_region(column: InstrumentedAttribute[str | None], region_code: str) -> ColumnElement[bool]:
    """Rows whose region code lies in `region_code` (itself or any region below it)."""
    region = RegionCode.parse(region_code)
    if len(region.prefix) == len(region.code):
        return column == region.code
    return column.startswith(region.prefix, autoescape=True)


def clue_filter(user: User) -> ColumnElement[bool]:
    """The clues `user` may see, as a WHERE condition on `Clue`."""
    if not user.is_active:
        return false()
    if user.role in REGIONAL_ROLES and user.region_code:
        return within_region(Clue.region_code, user.region_code)
    if user.role is Role.INSTITUTION and user.institution_id:
        return Clue.institution_id == user.institution_id
    if user.role is Role.EXPERT:
        assigned = select(ExpertAssignment.clue_id).where(ExpertAssignment.expert_user_id == user.id)
        return Clue.id.in_(assigned)
    return false()


def institution_filter(user: User) -> ColumnElement[bool]:
    """The institutions `user` may see (experts: none, the double-blind rule)."""
    if not user.is_active:
        return false()
    if user.role in REGIONAL_ROLES and user.region_code:
        return within_region(Institution.region_code, user.region_code)
    if user.role is Role.INSTITUTION and user.institution_id:
        return Institution.id == user.institution_id
    return false()


def visible_clues(user: User) -> Select[Clue]:
    """SELECT of the clues `user` may see; add filters, order and paging to it."""
    return select(Clue).where(clue_filter(user))


def get_clue(session: Session, user: User, clue_id: str, *, for_update: bool = False) -> Clue:
    """The clue `clue_id` if `user` may see it; NotFoundError otherwise (existence does not leak)."""
    query = visible_clues(user).where(Clue.id == clue_id)
    clue = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    if clue is None:
        raise NotFoundError(f"线索不存在：{clue_id}", f"no such clue: {clue_id}", code="clue_not_found")
    return clue


IDENTITY_BLIND_ROLES = frozenset({Role.EXPERT})


def sees_identities(user: User) -> bool:
    """Whether the user may see institution, doctor and patient identities (experts may not)."""
    return user.role not in IDENTITY_BLIND_ROLES
