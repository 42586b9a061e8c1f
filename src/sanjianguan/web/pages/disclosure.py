"""公示 (public disclosure): the quarterly list of penalty points, for anyone, without a login.

Seed 001: the office publishes each quarter, by the 10th of the next quarter's first month,
the penalty points of the institutions and their staff (附件5). This page shows only
what the office published (`points.disclosure.published_disclosures`: the snapshots of
`POST /api/v1/points/disclosures`, the same rows as the public API
`GET /api/v1/public/points/disclosures/{region}/{quarter}`), never live records: per
institution its points and how many staff were scored, never a person's identity, no
patient data. A public page: the guard lets it through without a session (`PUBLIC_PATHS`
in `web/pages/__init__.py`), it has no form that changes anything (GET only) and never
shows the signed-in header.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import InvalidInputError
from sanjianguan.points.service import published_disclosures, published_quarters
from sanjianguan.web.deps import SessionDep
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import PointDisclosure, Region

router = APIRouter(include_in_schema=False)
DISCLOSURE_PAGE = "/public/disclosure"
QUARTER_ERROR = "季度应为 YYYY-Qn 格式，如 2026-Q1"


@dataclass(frozen=True)
class RegionList:
    """One region's published list of the quarter, as the page shows it."""

    region_code: str
    region_name: str
    published_on: str
    late: bool
    items: list[dict[str, Any]]


@router.get(DISCLOSURE_PAGE)
def disclosure(session: SessionDep, quarter: str | None = Query(None, max_length=32)) -> Response:
    """公示: a quarter's published lists (default: the latest published quarter)."""
    quarters = published_quarters(session)
    errors: dict[str, str] = {}
    chosen = quarter.strip() if quarter else (quarters[0] if quarters else None)
    lists: list[RegionList] = []
    if chosen:
        try:
            lists = [_shown(session, row) for row in published_disclosures(session, chosen)]
        except InvalidInputError:
            errors["quarter"] = QUARTER_ERROR
    context = {
        "quarter": chosen,
        "quarter_input": quarter if errors else (chosen or ""),
        "quarters": quarters,
        "lists": lists,
        "errors": errors,
    }
    return render("disclosure.html", context, status=400 if errors else 200)


def _shown(session: Session, row: PointDisclosure) -> RegionList:
    region = session.get(Region, row.region_code)
    name = region.name if region is not None and region.name else row.region_code
    published = china_date(row.published_at).isoformat()
    return RegionList(row.region_code, name, published, row.late, list(row.items))
