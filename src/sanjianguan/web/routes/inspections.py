"""双随机一公开 over HTTP: draw a yearly plan, read plans and visits, record findings, declare conflicts.

Routes only translate HTTP to `sanjianguan.inspections.service` (jurisdiction → 404,
role → 403, state → 409, input → 400/422); the request's session commits when the route
returns, so a refused request changes nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from sanjianguan.inspections import service
from sanjianguan.web.deps import CurrentUser, Now, SessionDep
from sanjianguan.web.schemas.common import IdPath
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.jointwork import (
    FindingsCreate,
    InspectorConflictCreate,
    InspectorConflictPublic,
    PlanCreate,
    PlanPublic,
    VisitPublic,
)
from sanjianguan.workflow_db.models import InspectionPlan, InspectionVisit, User

router = APIRouter(prefix="/inspections", tags=["inspections"])
READ_ERRORS = error_responses(401, 403, 404)
ACTION_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
PlanId = IdPath
VisitId = IdPath


def visit_view(session: Session, visit: InspectionVisit) -> VisitPublic:
    view = VisitPublic.model_validate(visit)
    view.inspectors = service.inspectors(session, visit.id)
    return view


def plan_view(session: Session, user: User, plan: InspectionPlan, *, check: bool = False) -> PlanPublic:
    """The plan with the visits (and weights) of the institutions the caller may see."""
    visits = service.list_visits(session, user, plan_id=plan.id)
    seen = {v.institution_id for v in visits}
    view = PlanPublic.model_validate(plan)
    view.weights = {i: w for i, w in plan.weights.items() if i in seen}
    view.visits = [visit_view(session, v) for v in visits]
    if check:
        again = service.reproduce(plan)
        stored = [
            {
                "institution_id": v.institution_id,
                "round": v.round,
                "month": v.month,
                "inspectors": v.inspectors,
            }
            for v in view.visits
        ]
        view.reproducible = all(item in again for item in stored)
    return view


@router.post(
    "/plans", response_model=PlanPublic, status_code=status.HTTP_201_CREATED, responses=ACTION_ERRORS
)
def draw_plan(body: PlanCreate, user: CurrentUser, session: SessionDep, now: Now) -> PlanPublic:
    """抽取检查计划 (office): every institution once, weighted extra visits, inspectors per visit; logged."""
    options = service.PlanOptions(
        extra_visits=body.extra_visits,
        problem_weight=body.problem_weight,
        problem_cap=body.problem_cap,
        inspectors_per_visit=body.inspectors_per_visit,
        items=body.items,
        departments=body.departments,
    )
    plan = service.draw_plan(
        session, user, year=body.year, region_code=body.region_code, seed=body.seed, options=options, now=now
    )
    return plan_view(session, user, plan)


@router.get("/plans", response_model=list[PlanPublic], responses=READ_ERRORS)
def list_plans(
    user: CurrentUser, session: SessionDep, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[PlanPublic]:
    """检查计划列表: plans of the caller's region, above or below it (visits: the caller's own)."""
    return [plan_view(session, user, p) for p in service.list_plans(session, user, year=year)]


@router.get("/plans/{plan_id}", response_model=PlanPublic, responses=READ_ERRORS)
def get_plan(plan_id: PlanId, user: CurrentUser, session: SessionDep) -> PlanPublic:
    """检查计划: its visits, and `reproducible` (the logged inputs give the same draw again)."""
    return plan_view(session, user, service.get_plan(session, user, plan_id), check=True)


@router.get("/visits", response_model=list[VisitPublic], responses=READ_ERRORS)
def list_visits(
    user: CurrentUser,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    institution_id: Annotated[str | None, Query(max_length=64)] = None,
) -> list[VisitPublic]:
    """检查任务列表 (an institution: its own)."""
    visits = service.list_visits(session, user, year=year, institution_id=institution_id)
    return [visit_view(session, v) for v in visits]


@router.get("/visits/{visit_id}", response_model=VisitPublic, responses=READ_ERRORS)
def get_visit(visit_id: VisitId, user: CurrentUser, session: SessionDep) -> VisitPublic:
    """检查任务."""
    return visit_view(session, service.read_visit(session, user, visit_id))


@router.post("/visits/{visit_id}/findings", response_model=VisitPublic, responses=ACTION_ERRORS)
def record_findings(
    visit_id: VisitId, body: FindingsCreate, user: CurrentUser, session: SessionDep, now: Now
) -> VisitPublic:
    """记录检查结果 (the drawn investigators; insurance when it takes part): one finding per item."""
    findings = [service.Finding(f.item, f.outcome, f.note) for f in body.findings]
    visit = service.record_findings(session, user, visit_id, summary=body.summary, findings=findings, now=now)
    return visit_view(session, visit)


@router.post(
    "/conflicts",
    response_model=InspectorConflictPublic,
    status_code=status.HTTP_201_CREATED,
    responses=ACTION_ERRORS,
)
def declare_conflict(
    body: InspectorConflictCreate, user: CurrentUser, session: SessionDep, now: Now
) -> InspectorConflictPublic:
    """检查人员申报回避 (investigator): never drawn for that institution."""
    row = service.declare_conflict(
        session, user, institution_id=body.institution_id, reason=body.reason, now=now
    )
    return InspectorConflictPublic.model_validate(row)
