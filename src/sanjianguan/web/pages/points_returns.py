"""月度记分报表 (the monthly points return): `/points/monthly`, the office's summary and filing.

The summary is `points.service.monthly_summary` for the chosen region and month, the call
of `GET /api/v1/points/returns`: the returns filed (department, records, points, zero
report, late, signed by), the departments still missing, and the month's active records
and points. The form files one department's return (`points.service.file_return`, the
API's `POST /api/v1/points/returns`): a month with no record is a zero report (零报告);
a department files once a month (409 after, explained).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.accounts import regions_of
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.scope import jurisdiction_of
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.period import Period, PeriodError
from sanjianguan.points import service
from sanjianguan.points.config import PointsConfig
from sanjianguan.web.deps import Now, PointsConfigDep, SessionDep
from sanjianguan.web.pages.deadlines import due_text
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User

router = APIRouter(include_in_schema=False)
PAGE = "/points/monthly"  # not /points/returns: an API route has that relative path
DONE = {"filed": "月度报表已报送。", "zero": "零报告已报送（本月该科室无记分）。"}
FIELDS = {"month_not_over": "month", "unknown_department": "department", "missing_field": "signed_by"}
MONTH_ERROR = "月份应为 YYYY-MM 格式，如 2026-02"


def _last_month(now_day: str) -> str:
    return str(Period.parse(now_day[:7]).shift(-1))


def _month(value: str) -> str | None:
    try:
        return str(Period.parse(value.strip()))
    except PeriodError:
        return None


def _page(
    request: Request,
    session: Session,
    user: User,
    config: PointsConfig,
    region: str,
    month: str,
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    require(user, Action.POINTS_REGISTER)
    errors = dict(errors or {})
    valid = _month(month)
    if valid is None:
        errors.setdefault("month", MONTH_ERROR)
    summary = service.monthly_summary(session, user, config, region, valid) if valid else None
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active="/points") | {
        "summary": summary,
        "due": due_text(request, session),
        "region": region,
        "month": month,
        "regions": regions_of(session, user),
        "departments": config.departments,
        "done": done,
        "notice": notice,
        "form": form or {},
        "errors": errors,
    }
    return render("points_returns.html", context, status=400 if errors and status == 200 else status)


def _own_region(user: User) -> str:
    region = jurisdiction_of(user).region
    return region.code if region else ""


@router.get(PAGE)
def returns_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    config: PointsConfigDep,
    month: str = Query("", max_length=16),
    region_code: str = Query("", max_length=16),
    done: str | None = Query(None, max_length=32),
) -> Response:
    """月度记分报表: the summary of a month (default: last month) of a region (default: own)."""
    shown = month or _last_month(china_date(now).isoformat())
    message = DONE.get(done or "", "")
    return _page(request, session, user, config, region_code or _own_region(user), shown, done=message)


@router.post(PAGE)
def file_return(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, config: PointsConfigDep
) -> Response:
    """报送 one department's return of the month (zero report when it scored nothing)."""
    kept = {k: form.get(k, "").strip() for k in ("month", "region_code", "department", "signed_by")}
    region = kept["region_code"] or _own_region(user)
    month = _month(kept["month"])
    errors: dict[str, str] = {} if month else {"month": MONTH_ERROR}
    if not kept["department"]:
        errors["department"] = "请选择记分科室"
    if not kept["signed_by"]:
        errors["signed_by"] = "须由科室负责人签字确认"
    if month and not errors:
        try:
            row = service.file_return(
                session, user, config, region_code=region, month=month, department=kept["department"],
                signed_by=kept["signed_by"], now=now,
            )  # fmt: skip
        except InvalidInputError as exc:
            session.rollback()
            errors = field_errors(exc, FIELDS, "department")
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return _page(request, session, user, config, region, month, notice=notice, form=kept, status=409)
        else:
            key = "zero" if row.zero else "filed"
            return redirect(f"{PAGE}?month={month}&region_code={region}&done={key}")
    return _page(request, session, user, config, region, kept["month"], form=kept, errors=errors, status=400)
