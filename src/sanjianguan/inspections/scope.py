"""Shared checks of the joint-work services: jurisdiction of a region, required text.

A region outside the caller's jurisdiction is reported as not found (404), the same as
an unknown one, so that existence does not leak.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.orm import InstrumentedAttribute

from sanjianguan.access.jurisdiction import REGIONAL_ROLES, within_region
from sanjianguan.access.regions import RegionCode
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.workflow_db.models import User

MAX_TEXT = 20_000


def text(value: str | None, field_zh: str, field_en: str, *, required: bool = True) -> str:
    """A stripped text, required unless told, at most MAX_TEXT characters."""
    result = (value or "").strip()
    if required and not result:
        raise InvalidInputError(f"请填写{field_zh}", f"{field_en} is required", code="text_required")
    if len(result) > MAX_TEXT:
        raise InvalidInputError(f"{field_zh}过长", f"{field_en} is too long", code="text_too_long")
    return result


def region_in_jurisdiction(user: User | None, region_code: str) -> RegionCode:
    """The parsed region if `user` (None: the system) may act on it; NotFoundError otherwise."""
    region = RegionCode.parse(region_code)
    if user is None:
        return region
    if (
        not user.is_active
        or user.role not in REGIONAL_ROLES
        or not user.region_code
        or not RegionCode.parse(user.region_code).contains(region)
    ):
        raise NotFoundError(
            f"行政区划不在管辖范围内：{region_code}",
            f"region outside your jurisdiction: {region_code}",
            code="region_not_found",
        )
    return region


def overlapping_regions(user: User, column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Rows whose region lies inside the user's region, or contains it (a city plan seen by a county)."""
    if not user.is_active or user.role not in REGIONAL_ROLES or not user.region_code:
        return false()
    own = RegionCode.parse(user.region_code)
    ancestors = [link.code for link in own.chain()]
    return or_(within_region(column, own.code), column.in_(ancestors))
