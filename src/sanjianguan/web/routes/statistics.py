"""Statistics (统计): `GET /statistics/clues`, the numbers of the dashboard (首页/驾驶舱).

The page and this route call the same service (`cases.statistics.clue_counts`) for the
same user, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from sanjianguan.cases.statistics import clue_counts
from sanjianguan.web.deps import CurrentUser, SessionDep
from sanjianguan.web.routes.clues import Rules
from sanjianguan.web.schemas.common import MONTH
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.statistics import ClueCountsPublic

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get("/clues", response_model=ClueCountsPublic, responses=error_responses(401, 403, 422))
def get_clue_counts(
    user: CurrentUser,
    session: SessionDep,
    rules: Rules,
    period: Annotated[
        str | None,
        Query(pattern=MONTH, description="结算月，默认最近有线索的月份 / month (default: latest)"),
    ] = None,
) -> ClueCountsPublic:
    """线索统计: the month's clues the caller may see, counted by status and by category."""
    return ClueCountsPublic.model_validate(asdict(clue_counts(session, user, rules, period)))
