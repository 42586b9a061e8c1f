"""双随机一公开: yearly inspection plans, visits, findings and inspectors' conflicts.

Every function: jurisdiction (404) → permission (403) → state (409) → input (400) →
the change → one typed audit event, in the caller's session (the caller commits).
`user` None is the system (the `sjg inspections draw` command), acting for the whole store.

Problem institutions (问题突出的医疗机构) are those with clues decided unreasonable in the
periods of the year before the plan and of the plan year (level-1 hits and failing
level-2 indicators alike: both become clues).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
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
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from sanjianguan.inputs import text
from sanjianguan.inspections import draw as dr
from sanjianguan.inspections.events import (
    InspectionFindingsRecorded,
    InspectionPlanDrawn,
    InspectorConflictDeclared,
)
from sanjianguan.workflow_db.models import (
    CaseDecision,
    Clue,
    ExpertConflict,
    ExpertProfile,
    InspectionInspector,
    InspectionPlan,
    InspectionVisit,
    InspectorConflict,
    Institution,
    Role,
    User,
    VisitStatus,
)

DEPARTMENTS = {"health": "卫生健康", "insurance": "医疗保障", "market_regulator": "市场监管"}
DEFAULT_ITEMS = ("医疗服务行为", "医保基金使用", "药品耗材管理")
RESULTS = {"compliant": "未发现问题", "problem": "发现问题", "not_checked": "未检查"}
PLANNED, DONE = VisitStatus.PLANNED, VisitStatus.DONE


@dataclass(frozen=True)
class PlanOptions:
    """The parameters of a draw (defaults: no extra visit, weight 1 + 2 per problem up to 5, 2 inspectors)."""

    extra_visits: int = 0
    problem_weight: int = 2
    problem_cap: int = 5
    inspectors_per_visit: int = 2
    items: Sequence[str] = DEFAULT_ITEMS
    departments: Sequence[str] = ("health",)


def _check_options(options: PlanOptions, population: int) -> tuple[list[str], list[str]]:
    if not 0 <= options.extra_visits <= population:
        raise InvalidInputError(
            f"加抽次数应在 0 到 {population}（机构数）之间",
            f"extra_visits must be between 0 and {population} (the number of institutions)",
            code="invalid_extra_visits",
        )
    if not 0 <= options.problem_weight <= 100 or not 0 <= options.problem_cap <= 100:
        raise InvalidInputError(
            "问题权重和上限应在 0 到 100 之间",
            "problem_weight and problem_cap must be between 0 and 100",
            code="invalid_weight",
        )
    if not 1 <= options.inspectors_per_visit <= 10:
        raise InvalidInputError(
            "每次检查人员数应在 1 到 10 之间",
            "inspectors_per_visit must be between 1 and 10",
            code="invalid_inspectors",
        )
    items = [text(item, "检查事项", "inspection item") for item in options.items]
    if not items or len(items) > 20 or len(set(items)) != len(items) or any(len(i) > 100 for i in items):
        raise InvalidInputError(
            "检查事项应为 1 到 20 项、互不重复、每项不超过100字",
            "items: 1 to 20 distinct items of at most 100 characters",
            code="invalid_items",
        )
    departments = list(dict.fromkeys(options.departments))
    unknown = [d for d in departments if d not in DEPARTMENTS]
    if not departments or unknown:
        raise InvalidInputError(
            f"参加部门无效：{unknown}（可选 {sorted(DEPARTMENTS)}）",
            f"invalid departments {unknown} (choose from {sorted(DEPARTMENTS)})",
            code="invalid_departments",
        )
    return items, departments


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


def _inspector_pool(session: Session, region: str) -> list[int]:
    query = select(User.id).where(
        User.role == Role.INVESTIGATOR, User.is_active.is_(True), within_region(User.region_code, region)
    )
    return sorted(session.execute(query).scalars())


def _exclusions(session: Session, pool: list[int], institutions: list[str]) -> dict[str, list[int]]:
    """Institution → pool members never drawn for it: declared conflicts and affiliation."""
    excluded: dict[str, set[int]] = {i: set() for i in institutions}
    pairs: list[tuple[int, str | None]] = []
    pairs += session.execute(
        select(InspectorConflict.user_id, InspectorConflict.institution_id).where(
            InspectorConflict.user_id.in_(pool)
        )
    ).all()
    pairs += session.execute(
        select(ExpertConflict.expert_user_id, ExpertConflict.institution_id).where(
            ExpertConflict.expert_user_id.in_(pool)
        )
    ).all()
    pairs += session.execute(
        select(ExpertProfile.user_id, ExpertProfile.institution_id).where(ExpertProfile.user_id.in_(pool))
    ).all()
    pairs += session.execute(select(User.id, User.institution_id).where(User.id.in_(pool))).all()
    for user_id, institution_id in pairs:
        if institution_id in excluded:
            excluded[institution_id].add(user_id)
    return {i: sorted(users) for i, users in excluded.items() if users}


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


def draw_plan(
    session: Session,
    user: User | None,
    *,
    year: int,
    region_code: str,
    seed: str | None = None,
    options: PlanOptions = PlanOptions(),
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
    items, departments = _check_options(options, len(institutions))
    _check_no_overlap(session, year, region)
    problems = problem_counts(session, region.code, year)
    targets = [dr.Target(i, problems.get(i, 0)) for i in institutions]
    pool = _inspector_pool(session, region.code)
    excluded = _exclusions(session, pool, institutions)
    weights = {
        t.institution_id: {
            "problems": t.problems,
            "weight": dr.weight(t.problems, options.problem_weight, options.problem_cap),
            "excluded": excluded.get(t.institution_id, []),
        }
        for t in targets
    }
    drawn = dr.draw_targets(
        targets,
        seed=seed,
        extra_visits=options.extra_visits,
        problem_weight=options.problem_weight,
        problem_cap=options.problem_cap,
    )
    teams: list[list[int]] = []
    for visit in drawn:
        team = dr.draw_inspectors(pool, excluded, visit, seed=seed, size=options.inspectors_per_visit)
        if team is None:
            raise ConflictError(
                f"可抽取的检查人员不足：{visit.institution_id} 需要 {options.inspectors_per_visit} 人",
                f"not enough eligible inspectors for {visit.institution_id}: "
                f"{options.inspectors_per_visit} needed",
                code="not_enough_inspectors",
            )
        teams.append(team)
    visits_log = [
        {"institution_id": v.institution_id, "round": v.round, "month": v.month, "inspectors": team}
        for v, team in zip(drawn, teams, strict=True)
    ]
    row = record(
        session,
        InspectionPlanDrawn(
            subject_id=f"{year}/{region.code}",
            after={"visits": len(drawn)},
            year=year,
            region_code=region.code,
            seed=seed,
            extra_visits=options.extra_visits,
            problem_weight=options.problem_weight,
            problem_cap=options.problem_cap,
            inspectors_per_visit=options.inspectors_per_visit,
            weights=weights,
            pool=pool,
            visits=visits_log,
        ),
        actor=user or SYSTEM,
        now=now,
    )
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
        audit_seq=row.seq,
    )
    session.add(plan)
    session.flush()
    regions = dict(
        session.execute(
            select(Institution.id, Institution.region_code).where(Institution.id.in_(institutions))
        ).all()
    )
    for visit, team in zip(drawn, teams, strict=True):
        row_visit = InspectionVisit(
            plan_id=plan.id,
            institution_id=visit.institution_id,
            region_code=regions[visit.institution_id],
            round=visit.round,
            month=visit.month,
            items=items,
            departments=departments,
            status=PLANNED,
        )
        session.add(row_visit)
        session.flush()
        session.add_all(InspectionInspector(visit_id=row_visit.id, user_id=uid) for uid in team)
    session.flush()
    return plan


def reproduce(plan: InspectionPlan) -> list[dict[str, Any]]:
    """The visits the plan's logged inputs give again (the check that the draw is reproducible)."""
    targets = [dr.Target(i, int(w["problems"])) for i, w in plan.weights.items()]
    excluded = {i: list(w.get("excluded", [])) for i, w in plan.weights.items()}
    drawn = dr.draw_targets(
        targets,
        seed=plan.seed,
        extra_visits=plan.extra_visits,
        problem_weight=plan.problem_weight,
        problem_cap=plan.problem_cap,
    )
    out = []
    for visit in drawn:
        team = dr.draw_inspectors(
            plan.inspector_pool, excluded, visit, seed=plan.seed, size=plan.inspectors_per_visit
        )
        out.append(
            {
                "institution_id": visit.institution_id,
                "round": visit.round,
                "month": visit.month,
                "inspectors": team,
            }
        )
    return out


# --- reading ----------------------------------------------------------------------------------


def _not_found(kind_zh: str, kind_en: str, ident: object) -> NotFoundError:
    return NotFoundError(
        f"{kind_zh}不存在：{ident}", f"no such {kind_en}: {ident}", code=f"{kind_en}_not_found"
    )


def get_plan(session: Session, user: User, plan_id: int) -> InspectionPlan:
    """A plan overlapping the caller's region (a county sees the city's plan, with its own visits)."""
    require(user, Action.INSPECTION_READ)
    return get_visible(session, user, InspectionPlan, plan_id)


def list_plans(session: Session, user: User, *, year: int | None = None) -> list[InspectionPlan]:
    require(user, Action.INSPECTION_READ)
    query = visible(user, InspectionPlan)
    if year is not None:
        query = query.where(InspectionPlan.year == year)
    return list(session.execute(query.order_by(InspectionPlan.year.desc(), InspectionPlan.id)).scalars())


def list_visits(
    session: Session,
    user: User,
    *,
    plan_id: int | None = None,
    institution_id: str | None = None,
    year: int | None = None,
) -> list[InspectionVisit]:
    require(user, Action.INSPECTION_READ)
    query = visible(user, InspectionVisit)
    if plan_id is not None:
        query = query.where(InspectionVisit.plan_id == plan_id)
    if institution_id is not None:
        query = query.where(InspectionVisit.institution_id == institution_id)
    if year is not None:
        query = query.join(InspectionPlan, InspectionPlan.id == InspectionVisit.plan_id).where(
            InspectionPlan.year == year
        )
    return list(session.execute(query.order_by(InspectionVisit.id)).scalars())


def get_visit(session: Session, user: User, visit_id: int, *, for_update: bool = False) -> InspectionVisit:
    """The visit if the caller may see it (NotFoundError otherwise: existence does not leak)."""
    return get_visible(session, user, InspectionVisit, visit_id, for_update=for_update)


def read_visit(session: Session, user: User, visit_id: int) -> InspectionVisit:
    """A visit, for reading (jurisdiction first: 404, then the role: 403)."""
    visit = get_visit(session, user, visit_id)
    require(user, Action.INSPECTION_READ)
    return visit


def inspectors(session: Session, visit_id: int) -> list[int]:
    query = select(InspectionInspector.user_id).where(InspectionInspector.visit_id == visit_id)
    return sorted(session.execute(query).scalars())


# --- acting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One item of a joint inspection: compliant, problem or not checked, with a note."""

    item: str
    result: str
    note: str = ""


def record_findings(
    session: Session, user: User, visit_id: int, *, summary: str, findings: Sequence[Finding], now: datetime
) -> InspectionVisit:
    """记录检查结果: one finding per item of the visit (all items of a joint inspection at once)."""
    visit = get_visit(session, user, visit_id, for_update=True)
    require(user, Action.INSPECTION_RECORD)
    if user.role is Role.INVESTIGATOR and user.id not in inspectors(session, visit.id):
        raise PermissionDeniedError(
            "只有抽中的检查人员可以记录检查结果",
            "only the inspectors drawn for this visit may record its findings",
            code="not_an_inspector",
        )
    if user.role is Role.INSURANCE and "insurance" not in visit.departments:
        raise PermissionDeniedError(
            "医保部门未参加该次检查",
            "the insurance department does not take part in this visit",
            code="not_a_party",
        )
    if visit.status != PLANNED:
        raise ConflictError(
            f"检查任务 {visit.id} 已记录结果",
            f"visit {visit.id} already has its findings",
            code="wrong_state",
        )
    summary_text = text(summary, "检查结论", "summary")
    given = [f.item for f in findings]
    if sorted(given) != sorted(visit.items):
        raise InvalidInputError(
            f"应对每个检查事项各记录一次结果：{visit.items}",
            f"record one finding for each item of the visit: {visit.items}",
            code="invalid_findings",
        )
    rows = []
    for finding in findings:
        if finding.result not in RESULTS:
            raise InvalidInputError(
                f"检查结果无效：{finding.result}（可选 {sorted(RESULTS)}）",
                f"invalid result {finding.result} (choose from {sorted(RESULTS)})",
                code="invalid_findings",
            )
        rows.append(
            {
                "item": finding.item,
                "result": finding.result,
                "note": text(finding.note, "说明", "note", required=False),
            }
        )
    visit.status, visit.summary, visit.findings = DONE, summary_text, rows
    visit.recorded_at, visit.recorded_by = now, user.id
    record(
        session,
        InspectionFindingsRecorded(
            subject_id=str(visit.id),
            before={"status": PLANNED},
            after={"status": DONE, "summary": summary_text},
            institution_id=visit.institution_id,
            findings=rows,
        ),
        actor=user,
        reason=summary_text,
        now=now,
    )
    session.flush()
    return visit


def declare_conflict(
    session: Session, user: User, *, institution_id: str, reason: str, now: datetime
) -> InspectorConflict:
    """检查人员申报回避: the declaring investigator is never drawn for the institution again."""
    require(user, Action.INSPECTOR_CONFLICT_DECLARE)
    if session.get(Institution, institution_id) is None:
        raise _not_found("医疗机构", "institution", institution_id)
    reason_text = text(reason, "回避理由", "reason")
    exists = session.execute(
        select(InspectorConflict.id).where(
            InspectorConflict.user_id == user.id, InspectorConflict.institution_id == institution_id
        )
    ).first()
    if exists is not None:
        raise ConflictError(
            f"已申报对 {institution_id} 回避",
            f"conflict with {institution_id} already declared",
            code="conflict_exists",
        )
    row = InspectorConflict(
        user_id=user.id, institution_id=institution_id, reason=reason_text, declared_at=now
    )
    session.add(row)
    session.flush()
    record(
        session,
        InspectorConflictDeclared(
            subject_id=str(user.id), after={"institution_id": institution_id}, institution_id=institution_id
        ),
        actor=user,
        reason=reason_text,
        now=now,
    )
    return row
