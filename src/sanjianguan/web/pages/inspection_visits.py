"""检查任务 (an inspection visit): `/inspections/visits/{id}`, its findings form, and 回避申报.

A visit's page is `inspections.service.read_visit` through the API's view (`GET
/api/v1/inspections/visits/{id}`: 404 outside the jurisdiction, and for an institution
until its findings are recorded). The findings form (记录检查结果: a conclusion, and one
finding per item: 未发现问题 / 发现问题 / 未检查, with a note) is the service of `POST
/api/v1/inspections/visits/{id}/findings`, shown only to whom the service allows (the
inspectors drawn for the visit; insurance when it takes part) while the visit is planned;
recorded once (409 after, explained), audited `inspection.findings_recorded`. An
investigator declares a conflict with an institution (`POST /api/v1/inspections/conflicts`)
from the list page's form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.errors import ConflictError, InvalidInputError, NotFoundError
from sanjianguan.inspections import service
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.inspections import PAGE, list_page, shared
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, done_message
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.web.routes.inspections import visit_view
from sanjianguan.web.schemas.jointwork import VisitPublic
from sanjianguan.workflow_db.models import Role, User, VisitStatus

router = APIRouter(include_in_schema=False)
DONE = {"recorded": "检查结果已记录。"}
VisitId = Path(ge=1, le=2**31 - 1)


def may_record(user: User, visit: VisitPublic) -> bool:
    """Whether the findings form is offered: the service's own checks, read before the call."""
    if not can(user, Action.INSPECTION_RECORD) or visit.status != VisitStatus.PLANNED:
        return False
    if user.role is Role.INVESTIGATOR:
        return user.id in visit.inspectors
    if user.role is Role.INSURANCE:
        return "insurance" in visit.departments
    return True


def _page(
    request: Request,
    session: Session,
    user: User,
    visit_id: int,
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    visit = visit_view(session, service.read_visit(session, user, visit_id))
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | shared(
        session, user
    )
    context |= {
        "visit": visit,
        "may_record": may_record(user, visit),
        "form": form or {},
        "errors": errors or {},
        "done": done,
        "notice": notice,
    }
    return render("inspection_visit.html", context, status=status)


@router.get(PAGE + "/visits/{visit_id}")
def visit_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    visit_id: int = VisitId,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """检查任务: institution, month, items, inspectors, and the findings once recorded."""
    return _page(request, session, user, visit_id, done=done_message(DONE, done))


@router.post(PAGE + "/visits/{visit_id}/findings")
def record_findings(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now, visit_id: int = VisitId
) -> Response:
    """记录检查结果: a conclusion and one finding per item of the visit."""
    visit = service.read_visit(session, user, visit_id)
    kept = {"summary": form.get("summary", "").strip()}
    errors: dict[str, str] = {}
    findings = []
    for index, item in enumerate(visit.items):
        result, note = form.get(f"result_{index}", ""), form.get(f"note_{index}", "").strip()
        kept[f"result_{index}"], kept[f"note_{index}"] = result, note
        if result not in service.RESULTS:
            errors[f"result_{index}"] = "请选择该事项的检查结果"
        findings.append(service.Finding(item, result, note))
    if not kept["summary"]:
        errors["summary"] = "请填写检查结论"
    if not errors:
        try:
            service.record_findings(
                session, user, visit_id, summary=kept["summary"], findings=findings, now=now
            )
        except InvalidInputError as exc:
            session.rollback()
            errors = {"summary": exc.message_zh}
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return _page(request, session, user, visit_id, notice=notice, status=409)
        else:
            return redirect(f"{PAGE}/visits/{visit_id}?done=recorded")
    return _page(request, session, user, visit_id, form=kept, errors=errors, status=400)


@router.post(PAGE + "/conflicts")
def declare_conflict(
    request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now
) -> Response:
    """回避申报 (investigator): never drawn to inspect that institution."""
    kept = {
        "conflict_institution": form.get("institution_id", "").strip(),
        "conflict_reason": form.get("reason", ""),
    }
    errors: dict[str, str] = {}
    try:
        service.declare_conflict(
            session,
            user,
            institution_id=kept["conflict_institution"],
            reason=kept["conflict_reason"],
            now=now,
        )
    except NotFoundError as exc:
        session.rollback()
        errors = {"conflict_institution": exc.message_zh}
    except InvalidInputError as exc:
        session.rollback()
        errors = {"conflict_reason": exc.message_zh}
    except ConflictError as exc:
        notice = conflict_notice(session, exc)
        return list_page(request, session, user, now, notice=notice, conflict=kept, status=409)
    else:
        return redirect(f"{PAGE}?done=conflict")
    return list_page(request, session, user, now, conflict=kept, errors=errors, status=400)
