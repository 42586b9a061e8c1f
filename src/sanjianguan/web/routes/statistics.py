"""Statistics (统计): `GET /statistics/clues`, the numbers of the dashboard (首页/驾驶舱).

The page and this route make the same call (`dashboard_figures`, on the service
`cases.statistics.clue_counts`, through the cache `cases.figures_cache`) for the same
user, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from sanjianguan.analytic_store.database import STORE_FILE
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.figures_cache import cached_clue_counts
from sanjianguan.cases.store_figures import store_reader
from sanjianguan.clues.rulebook import RuleBook
from sanjianguan.config import Settings
from sanjianguan.web.deps import CurrentUser, HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.routes.clues import Rules
from sanjianguan.web.schemas.common import MONTH
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.statistics import ClueCountsPublic
from sanjianguan.workflow_db.models import User

router = APIRouter(prefix="/statistics", tags=["statistics"])


@router.get("/clues", response_model=ClueCountsPublic, responses=error_responses(401, 403, 422))
def get_clue_counts(
    user: CurrentUser,
    session: SessionDep,
    rules: Rules,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    period: Annotated[
        str | None,
        Query(pattern=MONTH, description="结算月，默认最近有线索的月份 / month (default: latest)"),
    ] = None,
) -> ClueCountsPublic:
    """线索统计: the dashboard's figures for the month, within the caller's jurisdiction.

    Clues by status and by category, top rules and institutions, amounts, on-time
    self-checks, sampling, overdue items, failing indicators, reporting status and the
    12 months' trend."""
    return dashboard_figures(session, user, rules, period, now=now, home=home, settings=settings)


def dashboard_figures(
    session: Session,
    user: User,
    rules: RuleBook,
    period: str | None,
    *,
    now: datetime,
    home: Path,
    settings: Settings,
) -> ClueCountsPublic:
    """The one call behind this route, the dashboard page and `sjg cases stats` (so they
    cannot disagree); cached while the data's fingerprint holds (`cases.figures_cache`)."""
    today = china_date(now)
    reader = store_reader(home, settings, today, wait=settings.store.api_wait_seconds)
    counts = cached_clue_counts(
        session,
        user,
        rules,
        period,
        today=today,
        store=reader,
        store_file=home / STORE_FILE,
        context=settings.model_dump_json(),  # the settings the store figures read
        entries=settings.web.figures_cache_entries,
    )
    return ClueCountsPublic.model_validate(asdict(counts))
