"""季度公示 (附件5) figures: the rows of the public page `/public/disclosure` for one region and quarter.

Seed 001: the office publishes, by the 10th of the next quarter's first month, the penalty
points of its institutions and their staff (附件5). What is published is public: the rows
are the snapshot the public page and `GET /api/v1/public/points/disclosures/{region}/{quarter}`
show (`points.service.public_disclosure`), row for row. A quarter not published yet is
the office's alone: an office of the region (`points.register`) gets a preview from the
live records (`points.disclosure.disclosure_items`, what publishing would snapshot),
marked 未公示; anyone else gets 404. A quarter not over, or one with nothing to disclose,
is refused with the reason: never an empty-looking list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sanjianguan.access.permissions import Action, can
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import InvalidInputError, NotFoundError
from sanjianguan.points import deadlines as dl
from sanjianguan.points.service import disclosure_items, public_disclosure
from sanjianguan.workflow_db.models import Region, User

COLUMNS = (
    "institution_events",
    "institution_points",
    "staff_scored",
    "staff_points",
)


@dataclass(frozen=True)
class DisclosureRow:
    """One institution of the list, as the public page shows it (staff as counts, never names)."""

    institution_id: str
    institution_name: str
    institution_events: int
    institution_points: int
    staff_scored: int
    staff_points: int


@dataclass(frozen=True)
class DisclosureFigures:
    """A region's 附件5 for one quarter: the rows, their total, and whether it is published."""

    region_code: str
    region_name: str
    quarter: str
    published: bool
    published_on: date | None  # None for the office's preview
    late: bool
    rows: tuple[DisclosureRow, ...]

    def total(self, column: str) -> int:
        """合计 of one figure column (`COLUMNS`)."""
        return sum(int(getattr(row, column)) for row in self.rows)

    def figures(self) -> dict[str, object]:
        """The figures the CLI prints."""
        state = f"已公示 {self.published_on}" if self.published else "未公示（预览）"
        return {
            "区划 / region": f"{self.region_code} {self.region_name}",
            "季度 / quarter": self.quarter,
            "状态 / state": state,
            "机构数 / institutions": len(self.rows),
            **{f"合计 {c}": self.total(c) for c in COLUMNS},
        }


def _region_name(session: Session, code: str) -> str:
    region = session.get(Region, code)
    return region.name if region is not None and region.name else code


def _row(item: dict[str, Any]) -> DisclosureRow:
    return DisclosureRow(
        institution_id=str(item["institution_id"]),
        institution_name=str(item["institution_name"]),
        **{c: int(item[c]) for c in COLUMNS},
    )


def _may_preview(user: User | None, region: RegionCode) -> bool:
    return user is not None and can(user, Action.POINTS_REGISTER) and region_visible(user, region)


def disclosure_figures(
    session: Session, user: User | None, region_code: str, quarter: str, *, today: date
) -> DisclosureFigures:
    """The quarter's list of `region_code`: published (anyone, `user` may be None) or the office's preview."""
    region = RegionCode.parse(region_code)
    _start, end = dl.quarter_bounds(quarter)
    name = _region_name(session, region.code)
    try:
        row = public_disclosure(session, region.code, quarter)
    except NotFoundError:
        if not _may_preview(user, region):
            raise
        if today < end:
            raise InvalidInputError(
                f"{quarter} 尚未结束，季度结束后方可生成公示表",
                f"{quarter} is not over yet: the list comes after the quarter",
                code="quarter_not_over",
            ) from None
        items = disclosure_items(session, region.code, quarter)
        figures = DisclosureFigures(region.code, name, quarter, False, None, False, tuple(map(_row, items)))
    else:
        rows = tuple(_row(item) for item in row.items)
        published = china_date(row.published_at)
        figures = DisclosureFigures(region.code, name, quarter, True, published, row.late, rows)
    if not figures.rows:
        raise NotFoundError(
            f"{name} {quarter} 无可公示的记分（没有已登记的最终记分）",
            f"nothing to disclose for {region.code} in {quarter} (no final registered points)",
            code="nothing_to_disclose",
        )
    return figures
