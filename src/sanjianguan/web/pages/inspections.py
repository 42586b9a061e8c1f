"""双随机一公开 (监督检查): `/inspections`, the yearly inspection plans, their draw and visits.

The list shows the plans and the visits (检查任务) the API gives the same user
(`GET /api/v1/inspections/plans` and `/visits`: `inspections.service.list_plans` and
`list_visits`, through the API's own view `plan_view`, so a county sees the city's plan
with its own institutions only, an institution its visits once their findings are
recorded). An office (`inspection.plan`) draws a plan (抽取检查计划: year, region, seed,
extra weighted visits, inspectors per visit, items, departments) with the service of
`POST /api/v1/inspections/plans` (audited `inspection.plan_drawn`); the plan's page shows
the seed, the population (every institution of the region with its problem count and
weight), the drawn visits and whether the logged inputs give the same draw again. A visit's
page and the findings form are `inspection_visits.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.accounts import institutions_of, regions_of
from sanjianguan.access.permissions import Action, can
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.inspections import service
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, done_message, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.inspections import plan_view, visit_view
from sanjianguan.workflow_db.models import User
from sanjianguan.workflow_db.models.jointwork import VISIT_STATUS_ZH

router = APIRouter(include_in_schema=False)
PAGE = "/inspections"
DONE = {
    "drawn": "检查计划已抽取，抽取输入已记入审计日志。",
    "conflict": "回避申报已登记，今后不会抽中您检查该机构。",
}
ROUND_ZH = {"baseline": "基础检查", "extra": "加权加抽"}
PLAN_FIELDS = {
    "invalid_year": "year",
    "invalid_seed": "seed",
    "text_required": "seed",
    "invalid_extra_visits": "extra_visits",
    "invalid_weight": "problem_weight",
    "invalid_inspectors": "inspectors_per_visit",
    "invalid_items": "items",
    "invalid_departments": "departments",
    "invalid_region_code": "region_code",
    "region_not_found": "region_code",
}
NUMBERS = {  # field: (label, least, most, default)
    "extra_visits": ("加权加抽次数", 0, 10_000, 0),
    "problem_weight": ("问题权重", 0, 100, 2),
    "problem_cap": ("问题数上限", 0, 100, 5),
    "inspectors_per_visit": ("每次检查人员数", 1, 10, 2),
}
PlanId = Path(ge=1, le=2**31 - 1)


def shared(session: Session, user: User) -> dict[str, Any]:
    """What every inspection page shows: labels, and the names of the institutions the user sees."""
    return {
        "statuses": {s.value: label for s, label in VISIT_STATUS_ZH.items()},
        "rounds": ROUND_ZH,
        "results": service.RESULTS,
        "department_names": service.DEPARTMENTS,
        "names": {i.id: i.name for i in institutions_of(session, user)},
    }


def _year(value: str) -> tuple[int | None, str]:
    value = value.strip()
    if not value:
        return None, ""
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value), ""
    return None, "年度应为 2000 至 2100 之间的四位数字"


def list_page(
    request: Request,
    session: Session,
    user: User,
    now: datetime,
    year_text: str = "",
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    conflict: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The list page; a refused form shown again with its input (`form`: the plan's, `conflict`)."""
    year, year_error = _year(year_text)
    plans = [plan_view(session, user, p) for p in service.list_plans(session, user, year=year)]
    visits = [visit_view(session, v) for v in service.list_visits(session, user, year=year)]
    may_plan = can(user, Action.INSPECTION_PLAN)
    default = {"year": str(china_date(now).year), "region_code": user.region_code or "", "seed": ""}
    default |= {k: str(v[3]) for k, v in NUMBERS.items()}
    default |= {"items": "\n".join(service.DEFAULT_ITEMS), "departments": "health"}
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | shared(
        session, user
    )
    context |= {
        "plans": plans,
        "visits": visits,
        "year": year_text,
        "year_error": year_error,
        "may_plan": may_plan,
        "may_declare": can(user, Action.INSPECTOR_CONFLICT_DECLARE),
        "regions": regions_of(session, user) if may_plan else [],
        "numbers": NUMBERS,
        "form": form or default,
        "conflict": conflict or {},
        "errors": errors or {},
        "done": done,
        "notice": notice,
    }
    return render("inspections.html", context, status=400 if year_error else status)


@router.get(PAGE)
def inspections_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    now: Now,
    year: str = Query("", max_length=8),
    done: str | None = Query(None, max_length=32),
) -> Response:
    """双随机一公开: the plans and visits of the user's jurisdiction."""
    return list_page(request, session, user, now, year, done=done_message(DONE, done))


def _plan_form(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    """The kept input, its errors by field, and the values for the service."""
    keys = ("year", "region_code", "seed", "items", *NUMBERS)
    kept = {k: form.get(k, "").strip() for k in keys}
    kept["departments"] = ",".join(d for d in service.DEPARTMENTS if form.get(f"department_{d}") == "1")
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    year, year_error = _year(kept["year"])
    if year is None:
        errors["year"] = year_error or "请填写年度"
    values["year"] = year
    for key, (label, least, most, _default) in NUMBERS.items():
        text = kept[key]
        if not text.isdigit() or not least <= int(text) <= most:
            errors[key] = f"{label}应为 {least} 至 {most} 之间的整数"
        else:
            values[key] = int(text)
    if not kept["region_code"]:
        errors["region_code"] = "请选择行政区划"
    values["items"] = [line.strip() for line in kept["items"].splitlines() if line.strip()]
    if not values["items"]:
        errors["items"] = "请至少填写一个检查事项（每行一项）"
    values["departments"] = [d for d in kept["departments"].split(",") if d]
    if not values["departments"]:
        errors["departments"] = "请至少选择一个参加部门"
    return kept, errors, values


@router.post(PAGE + "/plans")
def draw(request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now) -> Response:
    """抽取检查计划 (office): the service of `POST /api/v1/inspections/plans`."""
    kept, errors, values = _plan_form(form)
    if not errors:
        options = service.PlanOptions(
            extra_visits=values["extra_visits"],
            problem_weight=values["problem_weight"],
            problem_cap=values["problem_cap"],
            inspectors_per_visit=values["inspectors_per_visit"],
            items=values["items"],
            departments=values["departments"],
        )
        try:
            plan = service.draw_plan(
                session,
                user,
                year=values["year"],
                region_code=kept["region_code"],
                seed=kept["seed"] or None,
                options=options,
                now=now,
            )
        except (InvalidInputError, NotFoundError) as exc:
            session.rollback()
            errors = field_errors(exc, PLAN_FIELDS, "seed")
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return list_page(request, session, user, now, notice=notice, form=kept, status=409)
        else:
            return redirect(f"{PAGE}/plans/{plan.id}?done=drawn")
    return list_page(request, session, user, now, form=kept, errors=errors, status=400)


@router.get(PAGE + "/plans/{plan_id}")
def plan_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    plan_id: int = PlanId,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """检查计划: seed, population with weights, the drawn visits, and whether the draw reproduces."""
    plan = plan_view(session, user, service.get_plan(session, user, plan_id), check=True)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | shared(
        session, user
    )
    context |= {"plan": plan, "done": done_message(DONE, done)}
    return render("inspection_plan.html", context)
