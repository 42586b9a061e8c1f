"""首页/驾驶舱 (the dashboard): a month's clues and the figures around them, tables and charts.

The numbers are `web.routes.statistics.dashboard_figures` for the signed-in user, the
very call of `GET /api/v1/statistics/clues` (on `cases.statistics.clue_counts`), under
the same jurisdiction scope: clues by status, category, rule and institution (top 10;
experts: no institutions), amounts involved, the on-time self-check rate, sampling and
verification progress, overdue items (offices), failing indicators and data reporting
status (from the analytic store), and the 12 months' trend. The month defaults to the
latest month with clues the user may see. Each chart has the table of its numbers: they
are embedded in the page as the API's JSON and drawn by `/static/app/dashboard.js` with
the vendored ECharts (no inline script: the page's CSP allows files of this site only).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.web.deps import HomeDep, Now, SessionDep, SettingsDep
from sanjianguan.web.pages.forms import month_field
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import HOME_PAGE, PageUser, page_token
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Rules
from sanjianguan.web.routes.statistics import dashboard_figures

router = APIRouter(include_in_schema=False)
OVERDUE_LIST = "/clues?overdue=1"  # the clue list page, filtered to overdue items
INDICATORS_PAGE = "/indicators"
# 工作月报/通报 of the month shown: the API's downloads (the page's cookie session; GET, no CSRF)
REPORT_DOWNLOADS = (
    ("下载工作月报（Word）", "/api/v1/reports/monthly?period={period}&format=docx"),
    ("下载工作月报（Excel）", "/api/v1/reports/monthly?period={period}&format=xlsx"),
    ("下载工作通报", "/api/v1/reports/bulletin?period={period}&format=docx"),
)


def report_links(user: PageUser, period: str | None) -> list[tuple[str, str]]:
    """The download buttons of the month shown, for the roles that may generate the reports."""
    if period is None or not can(user, Action.MONTHLY_REPORT):
        return []
    return [(label, href.format(period=period)) for label, href in REPORT_DOWNLOADS]


@router.get(HOME_PAGE)
def dashboard(
    request: Request,
    user: PageUser,
    session: SessionDep,
    rules: Rules,
    now: Now,
    home: HomeDep,
    settings: SettingsDep,
    period: str | None = Query(None, max_length=32),
) -> Response:
    """首页/驾驶舱."""
    errors: dict[str, str] = {}
    month = month_field(period, errors)
    counts = dashboard_figures(session, user, rules, month, now=now, home=home, settings=settings)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=HOME_PAGE) | {
        "counts": counts,
        "chart_data": counts.model_dump(mode="json"),
        "overdue_link": OVERDUE_LIST,
        # a link only for those who may open the 指标 page; the others see the number alone
        "indicators_link": INDICATORS_PAGE if can(user, Action.INDICATOR_READ) else None,
        "period_input": period if errors else (counts.period or ""),
        "report_links": report_links(user, counts.period),
        "errors": errors,
    }
    return render("dashboard.html", context, status=400 if errors else 200)
