"""机构工作台 (the institution's workbench): what waits for the institution, in one page.

An institution user sees its own: pushed clues to self-check (待自查线索) with the deadline
and the working days left, requests for materials (补充材料要求), decided clues it may
appeal and its open appeals (申诉), clues awaiting a rectification report (整改), its
penalty-point standing and records with the notices it received (记分与通知), and its
level-2/3 indicators of the latest month beside its peers (指标对比). An office may open the
page of one institution of its jurisdiction (`?institution=ID`), read-only: no action links.

The lists are `cases.queues.institution_queues` (the same clues the API lists for those
statuses), the points `points.service.institution_status` (as `GET /api/v1/points/
institutions/{id}`), the indicators `indicators.peers` over the stored `indicator_values`
(as `sjg indicators` stored them), read from the analytic store briefly and read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.jurisdiction import get_visible, visible_institutions
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.queues import institution_queues
from sanjianguan.cases.states import STATUS_ZH
from sanjianguan.errors import PermissionDeniedError, StoreBusyError
from sanjianguan.indicators.peers import PeerRow, latest_period, peer_comparison
from sanjianguan.points.service import institution_status
from sanjianguan.submissions.store_access import has_store, web_store
from sanjianguan.web.deps import HomeDep, Now, PointsConfigDep, SessionDep, SettingsDep
from sanjianguan.web.pages.deadlines import due_text
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.session import PageUser, page_token
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.clues import Rules
from sanjianguan.workflow_db.models import Institution, Role, User

router = APIRouter(include_in_schema=False)
WORKBENCH_PAGE = "/workbench"
BUSY = "分析库正在入库，指标对比暂时无法读取，请稍后刷新"


@dataclass(frozen=True)
class Indicators:
    """指标对比 as the page shows it: the month, the rows, or why there are none."""

    period: str | None = None
    rows: tuple[PeerRow, ...] = ()
    message: str = ""

    @property
    def failing(self) -> int:
        return sum(1 for r in self.rows if r.failing)


def _institution(session: Session, user: User, asked: str | None) -> tuple[str | None, bool]:
    """The institution shown and whether the page is read-only (an office looking)."""
    if user.role is Role.INSTITUTION:
        if asked not in (None, user.institution_id):
            get_visible(session, user, Institution, asked)  # another institution: 404
        return user.institution_id, False
    if user.role is Role.OFFICE:
        if asked:
            get_visible(session, user, Institution, asked)
        return asked or None, True
    raise PermissionDeniedError(
        f"角色“{user.role.label_zh}”无权查看机构工作台",
        f"role {user.role.value} may not open the institution workbench",
    )


def _indicators(home: Any, settings: Any, institution_id: str) -> Indicators:
    if not has_store(home):
        return Indicators(message="尚无分析数据（未入库），暂无指标结果")
    try:
        with web_store(home, settings, write=False, wait=settings.store.api_wait_seconds) as con:
            period = latest_period(con, institution_id)
            if period is None:
                return Indicators(message="尚未计算本机构的指标（sjg indicators）")
            return Indicators(period, tuple(peer_comparison(con, institution_id, period)))
    except StoreBusyError:
        return Indicators(message=BUSY)


@router.get(WORKBENCH_PAGE)
def workbench(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    rules: Rules,
    points: PointsConfigDep,
    settings: SettingsDep,
    home: HomeDep,
    institution: str | None = Query(None, max_length=64),
) -> Response:
    """机构工作台."""
    shown, read_only = _institution(session, user, institution)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=WORKBENCH_PAGE)
    context |= {"read_only": read_only, "institution_id": shown, "status_zh": STATUS_ZH}
    if shown is None:  # an office that has not chosen yet
        context["choices"] = visible_institutions(session, user)
        return render("workbench.html", context)
    today = china_date(now)
    year = today.year
    standing, records = institution_status(session, user, points, shown, year)
    institution_row = session.get(Institution, shown)
    context |= {
        "institution_name": institution_row.name if institution_row else shown,
        "today": today,
        "due": due_text(request, session),
        "queues": institution_queues(session, user, today, institution_id=shown),
        "rule_name": lambda rule_id: info.name_zh if (info := rules.get(rule_id)) else rule_id,
        "standing": standing,
        "records": [r for r in records if r.year == year],
        "indicators": _indicators(home, settings, shown),
    }
    return render("workbench.html", context)
