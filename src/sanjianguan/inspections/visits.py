"""检查任务与检查结果: the visits of a plan, who inspects them, and their findings.

A visit (检查任务) is one institution's inspection in a planned month; a joint inspection
(联合检查) covers all its items at once. Only the inspectors drawn for it record the
findings (记录检查结果), one per item: compliant (未发现问题), problem (发现问题) or not
checked (未检查); the insurance department only for the visits it takes part in.
Jurisdiction first everywhere: an invisible visit is 404 before any role check (403).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_visible, visible
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.errors import ConflictError, InvalidInputError, PermissionDeniedError
from sanjianguan.inputs import text
from sanjianguan.inspections.events import InspectionFindingsRecorded
from sanjianguan.workflow_db.filters import where_given
from sanjianguan.workflow_db.models import (
    InspectionInspector,
    InspectionPlan,
    InspectionVisit,
    Role,
    User,
    VisitStatus,
)

RESULTS = {"compliant": "未发现问题", "problem": "发现问题", "not_checked": "未检查"}


@dataclass(frozen=True)
class Finding:
    """One item of a joint inspection: compliant, problem or not checked, with a note."""

    item: str
    result: str
    note: str = ""


def list_visits(
    session: Session,
    user: User,
    *,
    plan_id: int | None = None,
    institution_id: str | None = None,
    year: int | None = None,
) -> list[InspectionVisit]:
    require(user, Action.INSPECTION_READ)
    query = where_given(
        visible(user, InspectionVisit),
        (InspectionVisit.plan_id, plan_id),
        (InspectionVisit.institution_id, institution_id),
    )
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
    if visit.status != VisitStatus.PLANNED:
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
    visit.status, visit.summary, visit.findings = VisitStatus.DONE, summary_text, rows
    visit.recorded_at, visit.recorded_by = now, user.id
    record(
        session,
        InspectionFindingsRecorded(
            subject_id=str(visit.id),
            before={"status": VisitStatus.PLANNED},
            after={"status": VisitStatus.DONE, "summary": summary_text},
            institution_id=visit.institution_id,
            findings=rows,
        ),
        actor=user,
        reason=summary_text,
        now=now,
    )
    session.flush()
    return visit
