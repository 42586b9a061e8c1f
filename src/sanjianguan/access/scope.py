"""管辖范围: the one rule of what a user may see, and the one region check.

`jurisdiction_of(user)` says which unit a user answers for: a regional role its region
(and every region below it), an institution user its institution, an expert the clues
assigned to it, anyone else (or an inactive user) nothing. Every visibility filter of
`sanjianguan.access.jurisdiction` is this rule applied to one kind of row's columns
(`scoped`); every stage that acts on a region checks it with `require_region`.
Outside the jurisdiction a thing does not exist for the caller (404, as an unknown one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_
from sqlalchemy.orm import InstrumentedAttribute

from sanjianguan.access.regions import RegionCode
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import Role, User

REGIONAL_ROLES = frozenset(
    {Role.OFFICE, Role.ANALYST, Role.INVESTIGATOR, Role.ADJUDICATOR, Role.INSURANCE, Role.AUDITOR}
)

RegionColumn = InstrumentedAttribute[str | None] | InstrumentedAttribute[str]
Condition = Callable[[str], ColumnElement[bool]]
ExpertCondition = Callable[[int], ColumnElement[bool]]


@dataclass(frozen=True)
class Jurisdiction:
    """管辖范围 of one user: at most one of a region, an institution, an expert's own assignments."""

    region: RegionCode | None = None
    institution_id: str | None = None
    expert_id: int | None = None


NOWHERE = Jurisdiction()


def jurisdiction_of(user: User) -> Jurisdiction:
    """The unit `user` answers for (NOWHERE for an inactive user or one without a unit)."""
    if not user.is_active:
        return NOWHERE
    if user.role in REGIONAL_ROLES and user.region_code:
        return Jurisdiction(region=RegionCode.parse(user.region_code))
    if user.role is Role.INSTITUTION and user.institution_id:
        return Jurisdiction(institution_id=user.institution_id)
    if user.role is Role.EXPERT:
        return Jurisdiction(expert_id=user.id)
    return NOWHERE


def within_region(column: RegionColumn, region_code: str) -> ColumnElement[bool]:
    """Rows whose region code lies in `region_code` (itself or any region below it).

    The prefix match (`LIKE '5115%'`) is also written as the range of codes it covers
    (`>= '5115' AND < '5116'`), which an index on the column can seek (SQLite uses no
    index for a LIKE with ESCAPE): the same rows, codes being digits.
    """
    region = RegionCode.parse(region_code)
    if len(region.prefix) == len(region.code):
        return column == region.code
    match = column.startswith(region.prefix, autoescape=True)
    upper = _next_prefix(region.prefix)
    if upper is None:
        return and_(column >= region.prefix, match)
    return and_(column >= region.prefix, column < upper, match)


def _next_prefix(prefix: str) -> str | None:
    """The smallest digit string above every code starting with `prefix` ('5115' → '5116',
    '5199' → '52'); None when there is none ('99')."""
    digits = prefix.rstrip("9")
    if not digits:
        return None
    return digits[:-1] + str(int(digits[-1]) + 1)


def around_region(column: RegionColumn, region: RegionCode) -> ColumnElement[bool]:
    """Rows whose region lies inside `region`, or contains it (a city plan seen by a county)."""
    ancestors = [link.code for link in region.chain()]
    return or_(within_region(column, region.code), column.in_(ancestors))


def scoped(
    user: User,
    *,
    region: RegionColumn | None = None,
    overlapping: bool = False,
    institution: Condition | None = None,
    expert: ExpertCondition | None = None,
) -> ColumnElement[bool]:
    """The rows `user` may see, as a WHERE condition: the jurisdiction applied to one kind's columns.

    `region`: the row's region column (a regional role sees its region and below; with
    `overlapping`, also the regions above it). `institution`: the condition for an
    institution user, given its id. `expert`: the condition for an expert, given its user id.
    A kind that names no column for the user's unit is invisible to it.
    """
    unit = jurisdiction_of(user)
    if unit.region is not None:
        if region is None:
            return false()
        return around_region(region, unit.region) if overlapping else within_region(region, unit.region.code)
    if unit.institution_id is not None and institution is not None:
        return institution(unit.institution_id)
    if unit.expert_id is not None and expert is not None:
        return expert(unit.expert_id)
    return false()


def region_visible(user: User, region: RegionCode) -> bool:
    """Whether `region` lies inside the region `user` answers for (institutions, experts: never)."""
    own = jurisdiction_of(user).region
    return own is not None and own.contains(region)


def require_region(user: User | None, region_code: str) -> RegionCode:
    """The parsed region if `user` (None: the system) may act on it; NotFoundError otherwise.

    An active user of a regional role acts on its region and the regions below it; a
    malformed code is InvalidInputError (400) first.
    """
    region = RegionCode.parse(region_code)
    if user is not None and not region_visible(user, region):
        raise NotFoundError(
            f"行政区划不在管辖范围内：{region_code}",
            f"region outside your jurisdiction: {region_code}",
            code="region_not_found",
        )
    return region
