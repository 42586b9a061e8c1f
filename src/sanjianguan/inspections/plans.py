"""检查计划: the yearly seeded draw of a region's inspections (双随机一公开), and reading plans.

One plan per region and year: every institution of the region is visited once, and
problem institutions (问题突出的医疗机构: those with clues decided unreasonable in the
periods of the year before the plan and of the plan year, level-1 hits and failing
level-2 indicators alike, since both become clues) are likelier to get the extra
visits. The plan stores every input of the draw, so `reproduce` gives the same visits
again; the audit event logs the same inputs under the same names (`DRAW_INPUTS`).
`user` None is the system (the `sjg inspections draw` command), acting for the whole store.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible, visible, within_region
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import require_region
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.cases.states import Decision
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.inputs import text
from sanjianguan.inspections import draw as dr
from sanjianguan.inspections.events import InspectionPlanDrawn
from sanjianguan.inspections.options import DEFAULT_OPTIONS, PlanOptions, check_options
from sanjianguan.inspections.pool import exclusions, inspector_pool
from sanjianguan.workflow_db.filters import where_given
from sanjianguan.workflow_db.models import (
    CaseDecision,
    Clue,
    InspectionInspector,
    InspectionPlan,
    InspectionVisit,
    Institution,
    User,
    VisitStatus,
)

# The inputs of a draw that the plan stores and its audit event logs, under the same names.
DRAW_INPUTS = (
    "year",
    "region_code",
    "seed",
    "extra_visits",
    "problem_weight",
    "problem_cap",
    "inspectors_per_visit",
)


def problem_counts(session: Session, region: str, year: int) -> dict[str, int]:
    """Institution → clues decided unreasonable with a period in `year - 1` or `year`."""
    query = (
        select(Clue.institution_id, func.count())
        .join(CaseDecision, CaseDecision.clue_id == Clue.id)
        .where(
            CaseDecision.decision == Decision.UNREASONABLE.value,
            Clue.period >= f"{year - 1}-01",
            Clue.period <= f"{year}-12",
            within_region(Clue.region_code, region),
        )
        .group_by(Clue.institution_id)
    )
    return {institution: int(count) for institution, count in session.execute(query).all()}


def _check_no_overlap(session: Session, year: int, region: RegionCode) -> None:
    ancestors = [link.code for link in region.chain()]
    query = select(InspectionPlan.id, InspectionPlan.region_code).where(
        InspectionPlan.year == year,
        within_region(InspectionPlan.region_code, region.code) | InspectionPlan.region_code.in_(ancestors),
    )
    found = session.execute(query).first()
    if found is not None:
        raise ConflictError(
            f"{year} 年已有覆盖该地区的检查计划（计划 {found[0]}，{found[1]}）",
            f"a {year} inspection plan already covers this region (plan {found[0]}, {found[1]})",
            code="plan_exists",
        )


def _draw(plan: InspectionPlan) -> list[tuple[dr.DrawnVisit, list[int] | None]]:
    """The visits and their inspectors that the plan's stored inputs give (None: too few eligible)."""
    targets = [dr.Target(i, int(w["problems"])) for i, w in plan.weights.items()]
    excluded = {i: list(w.get("excluded", [])) for i, w in plan.weights.items()}
    drawn = dr.draw_targets(
        targets,
        seed=plan.seed,
        extra_visits=plan.extra_visits,
        problem_weight=plan.problem_weight,
        problem_cap=plan.problem_cap,
    )
    pool, seed, size = plan.inspector_pool, plan.seed, plan.inspectors_per_visit
    return [(visit, dr.draw_inspectors(pool, excluded, visit, seed=seed, size=size)) for visit in drawn]


def _logged(visit: dr.DrawnVisit, team: list[int] | None) -> dict[str, Any]:
    return {
        "institution_id": visit.institution_id,
        "round": visit.round,
        "month": visit.month,
        "inspectors": team,
    }


def reproduce(plan: InspectionPlan) -> list[dict[str, Any]]:
    """The visits the plan's logged inputs give again (the check that the draw is reproducible)."""
    return [_logged(visit, team) for visit, team in _draw(plan)]


def draw_plan(
    session: Session,
    user: User | None,
    *,
    year: int,
    region_code: str,
    seed: str | None = None,
    options: PlanOptions = DEFAULT_OPTIONS,
    now: datetime,
) -> InspectionPlan:
    """抽取检查计划: every institution of the region once, weighted extra visits, inspectors per visit."""
    if user is not None:
        require(user, Action.INSPECTION_PLAN)
    region = require_region(user, region_code)
    if not 2000 <= year <= 2100:
        raise InvalidInputError(f"年度无效：{year}", f"invalid year: {year}", code="invalid_year")
    seed = text(seed, "随机种子", "seed") if seed is not None else secrets.token_hex(8)
    if len(seed) > 40:
        raise InvalidInputError(
            "随机种子过长（最多40字符）", "seed too long (40 characters at most)", code="invalid_seed"
        )
    institutions = list(
        session.execute(
            select(Institution.id)
            .where(within_region(Institution.region_code, region.code))
            .order_by(Institution.id)
        ).scalars()
    )
    if not institutions:
        raise ConflictError(
            f"{region.code} 没有医疗机构", f"no institutions in {region.code}", code="no_institutions"
        )
    items, departments = check_options(options, len(institutions))
    _check_no_overlap(session, year, region)
    problems = problem_counts(session, region.code, year)
    pool = inspector_pool(session, region.code)
    excluded = exclusions(session, pool, institutions)
    weights = {
        i: {
            "problems": problems.get(i, 0),
            "weight": dr.weight(problems.get(i, 0), options.problem_weight, options.problem_cap),
            "excluded": excluded.get(i, []),
        }
        for i in institutions
    }
    plan = InspectionPlan(
        year=year,
        region_code=region.code,
        seed=seed,
        extra_visits=options.extra_visits,
        problem_weight=options.problem_weight,
        problem_cap=options.problem_cap,
        inspectors_per_visit=options.inspectors_per_visit,
        items=items,
        departments=departments,
        weights=weights,
        inspector_pool=pool,
        created_at=now,
        created_by=user.id if user else None,
    )
    teams: list[tuple[dr.DrawnVisit, list[int]]] = []
    for visit, team in _draw(plan):
        if team is None:
            raise ConflictError(
                f"可抽取的检查人员不足：{visit.institution_id} 需要 {options.inspectors_per_visit} 人",
                f"not enough eligible inspectors for {visit.institution_id}: "
                f"{options.inspectors_per_visit} needed",
                code="not_enough_inspectors",
            )
        teams.append((visit, team))
    event = InspectionPlanDrawn(
        subject_id=f"{year}/{region.code}",
        after={"visits": len(teams)},
        **{name: getattr(plan, name) for name in DRAW_INPUTS},
        weights=plan.weights,
        pool=plan.inspector_pool,
        visits=[_logged(visit, team) for visit, team in teams],
    )
    plan.audit_seq = record(session, event, actor=user or SYSTEM, now=now).seq
    session.add(plan)
    session.flush()
    regions = dict(
        session.execute(
            select(Institution.id, Institution.region_code).where(Institution.id.in_(institutions))
        ).all()
    )
    for visit, team in teams:
        row_visit = InspectionVisit(
            plan_id=plan.id,
            institution_id=visit.institution_id,
            region_code=regions[visit.institution_id],
            round=visit.round,
            month=visit.month,
            items=items,
            departments=departments,
            status=VisitStatus.PLANNED,
        )
        session.add(row_visit)
        session.flush()
        session.add_all(InspectionInspector(visit_id=row_visit.id, user_id=uid) for uid in team)
    session.flush()
    return plan


def get_plan(session: Session, user: User, plan_id: int) -> InspectionPlan:
    """A plan overlapping the caller's region (a county sees the city's plan, with its own visits)."""
    require(user, Action.INSPECTION_READ)
    return get_visible(session, user, InspectionPlan, plan_id)


def list_plans(session: Session, user: User, *, year: int | None = None) -> list[InspectionPlan]:
    require(user, Action.INSPECTION_READ)
    query = where_given(visible(user, InspectionPlan), (InspectionPlan.year, year))
    return list(session.execute(query.order_by(InspectionPlan.year.desc(), InspectionPlan.id)).scalars())
