"""管辖范围 for proposals, events and point records (rows carrying a region and an institution).

The same reading as `sanjianguan.access.jurisdiction`: a regional role sees its region
and below, an institution its own rows, anyone else nothing. A row outside the filter
does not exist for the caller (404, the same as an unknown id).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false
from sqlalchemy.orm import InstrumentedAttribute

from sanjianguan.access.jurisdiction import REGIONAL_ROLES, within_region
from sanjianguan.access.regions import RegionCode
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import Role, User


def unit_filter(
    user: User,
    region_column: InstrumentedAttribute[str | None] | InstrumentedAttribute[str],
    institution_column: InstrumentedAttribute[str],
) -> ColumnElement[bool]:
    """The rows `user` may see, as a WHERE condition on a table with both columns."""
    if not user.is_active:
        return false()
    if user.role in REGIONAL_ROLES and user.region_code:
        return within_region(region_column, user.region_code)
    if user.role is Role.INSTITUTION and user.institution_id:
        return institution_column == user.institution_id
    return false()


def region_within(user: User, region_code: str) -> bool:
    """Whether `region_code` lies inside the user's own region (institutions: never)."""
    if not user.is_active or not user.region_code or user.role not in REGIONAL_ROLES:
        return False
    return RegionCode.parse(user.region_code).contains(RegionCode.parse(region_code))


def require_region(user: User, region_code: str) -> None:
    """NotFoundError unless the region lies in the user's jurisdiction."""
    if not region_within(user, region_code):
        raise NotFoundError(
            f"辖区不存在或不在管辖范围内：{region_code}",
            f"no such region in your jurisdiction: {region_code}",
            code="region_not_found",
        )
