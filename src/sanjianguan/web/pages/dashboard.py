"""首页/驾驶舱 (the dashboard): a month's clues by status and by category, tables and charts.

The numbers are `cases.statistics.clue_counts` for the signed-in user, the very call of
`GET /api/v1/statistics/clues`, under the same jurisdiction scope. The month defaults to
the latest month with clues the user may see. Each table has a chart drawn from the same
numbers: they are embedded in the page as JSON and drawn by `/static/app/dashboard.js`
with the vendored ECharts (no inline script: the page's CSP allows files of this site only).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.cases.statistics import clue_counts
from sanjianguan.period import Period, PeriodError
from sanjianguan.web.deps import SessionDep
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import HOME_PAGE, PageUser, page_token
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Rules

router = APIRouter(include_in_schema=False)
PERIOD_ERROR = "结算月应为 YYYY-MM 格式，如 2026-03"


@router.get(HOME_PAGE)
def dashboard(
    request: Request,
    user: PageUser,
    session: SessionDep,
    rules: Rules,
    period: str | None = Query(None, max_length=32),
) -> Response:
    """首页/驾驶舱."""
    errors: dict[str, str] = {}
    month: str | None = None
    if period:
        try:
            month = str(Period.parse(period.strip()))
        except PeriodError:
            errors["period"] = PERIOD_ERROR
    counts = clue_counts(session, user, rules, month)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=HOME_PAGE) | {
        "counts": counts,
        "chart_data": asdict(counts),
        "period_input": period if errors else (counts.period or ""),
        "errors": errors,
    }
    return render("dashboard.html", context, status=400 if errors else 200)
