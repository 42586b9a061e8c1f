"""季度公示 (publishing the quarterly disclosure): `/points/disclosures`, the office's form.

Seed 001: the office publishes each quarter, by the 10th of the next quarter's first
month, the penalty points of its region (附件5). The form (region of the jurisdiction,
quarter `YYYY-Qn`, default the last finished one) is `points.service.publish_disclosure`,
the service of `POST /api/v1/points/disclosures` (`points.register`; audited
`points.disclosed`): it snapshots what may be disclosed, and the public page
`/public/disclosure` shows that snapshot. A quarter not over is refused next to the
field; a quarter published already is refused (409, explained). The same form stands on
`/points` for the office; this page also lists what the jurisdiction has published.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.accounts import regions_of
from sanjianguan.access.permissions import Action, can, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import region_visible
from sanjianguan.calendar.remaining import DueText
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.points import service
from sanjianguan.points.config import PointsConfig
from sanjianguan.points.deadlines import disclosure_due
from sanjianguan.web.deps import Now, PointsConfigDep, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, done_message, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import PointDisclosure, User

router = APIRouter(include_in_schema=False)
PAGE = "/points/disclosures"
DONE = {"published": "本季度记分情况已公示，公众可在公示页查看。"}
FIELDS = {
    "invalid_quarter": "quarter",
    "quarter_not_over": "quarter",
    "invalid_region_code": "region_code",
    "region_not_found": "region_code",
}


def last_quarter(today: date) -> str:
    """The last quarter that is over on `today` (e.g. 2026-03-16 → 2025-Q4)."""
    index = (today.month - 1) // 3  # the current quarter, 0-based
    return f"{today.year - 1}-Q4" if index == 0 else f"{today.year}-Q{index}"


def publish_form(session: Session, user: User, config: PointsConfig, now: datetime) -> dict[str, Any]:
    """The context of the publishing form (empty for a user who may not publish), with the
    deadline of the last quarter's list while the user's region has not published it."""
    if not can(user, Action.POINTS_REGISTER):
        return {"publish_regions": []}
    today = china_date(now)
    quarter = last_quarter(today)
    done = any(row.region_code == user.region_code for row in service.published_disclosures(session, quarter))
    due = DueText(calendar_for(session), today)(disclosure_due(config.deadlines, quarter))
    return {
        "publish_regions": regions_of(session, user),
        "publish": {"region_code": user.region_code or "", "quarter": quarter},
        "publish_due": None if done else {"quarter": quarter, "text": due},
    }


def publish_context(request: Request, session: Session, user: User, config: PointsConfig) -> dict[str, Any]:
    """`publish_form` at the app's clock (for a page that has no `Now` of its own, `/points`)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return publish_form(session, user, config, clock())


def _published(session: Session, user: User) -> list[PointDisclosure]:
    """The published lists of the user's regions, latest quarter first."""
    rows = [
        row
        for quarter in service.published_quarters(session)
        for row in service.published_disclosures(session, quarter)
    ]
    return [row for row in rows if region_visible(user, RegionCode.parse(row.region_code))]


def _page(
    request: Request,
    session: Session,
    user: User,
    config: PointsConfig,
    now: datetime,
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    require(user, Action.POINTS_REGISTER)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active="/points")
    context |= publish_form(session, user, config, now)
    if form:
        context["publish"] = form
    context |= {
        "published": _published(session, user),
        "publish_errors": errors or {},
        "done": done,
        "notice": notice,
    }
    return render("points_disclosure.html", context, status=status)


@router.get(PAGE)
def disclosures_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    config: PointsConfigDep,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """季度公示: the form and what the jurisdiction has published."""
    return _page(request, session, user, config, now, done=done_message(DONE, done))


@router.post(PAGE)
def publish(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> Response:
    """公示: the service of `POST /api/v1/points/disclosures`."""
    kept = {k: form.get(k, "").strip() for k in ("region_code", "quarter")}
    errors: dict[str, str] = {}
    if not kept["quarter"]:
        errors["quarter"] = "请填写季度，如 2026-Q1"
    if not errors:
        try:
            service.publish_disclosure(
                session, user, config, region_code=kept["region_code"], quarter=kept["quarter"], now=now
            )
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return _page(request, session, user, config, now, notice=notice, form=kept, status=409)
        except (InvalidInputError, NotFoundError) as exc:
            session.rollback()
            errors = field_errors(exc, FIELDS, "quarter")
        else:
            return redirect(f"{PAGE}?done=published")
    return _page(request, session, user, config, now, form=kept, errors=errors, status=400)
