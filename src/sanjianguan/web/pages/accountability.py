"""责任追究 (accountability proposals): `/accountability`, the ladder's proposals to confirm or reject.

The list is `accountability.service.list_proposals` for the signed-in user, the call of
`GET /api/v1/accountability/proposals` with the same filters (year, status, institution,
article) and the same jurisdiction: an office sees its region's, an institution its own,
the auditor reads. For an office (`accountability.decide`) each open proposal (待确认)
carries two forms: 确认 (with mitigation, art. 12: a reason unless none) and 驳回 (a
reason is required), the service calls of the API's confirm and reject routes (audited;
a decided proposal is refused with 409, explained on the page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.permissions import Action, can
from sanjianguan.accountability import service
from sanjianguan.accountability.config import SUBJECT_ZH, Subject
from sanjianguan.calendar.workdays import china_date
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.notices.kinds import NoticeKind
from sanjianguan.web.deps import LadderDep, Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.notices import subject_buttons
from sanjianguan.web.pages.office_forms import conflict_notice, done_message
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import User
from sanjianguan.workflow_db.models.accountability import (
    MITIGATION_ZH,
    PROPOSAL_STATUS_ZH,
    Mitigation,
    ProposalStatus,
)

router = APIRouter(include_in_schema=False)
PAGE = "/accountability"
LIMIT = 200  # the API's default page
DONE = {"confirmed": "追责建议已确认。", "rejected": "追责建议已驳回。"}
MITIGATION_LABELS = {m.value: (MITIGATION_ZH[m] or "无（按建议处理）") for m in Mitigation}
ProposalId = Path(ge=1, le=2**31 - 1)


def _filters(
    year: str, status: str, institution_id: str, article: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The filters as the service takes them, and the errors of bad ones (by field)."""
    found: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if year.strip():
        if year.strip().isdigit() and 2000 <= int(year) <= 2100:
            found["year"] = int(year)
        else:
            errors["year"] = "年度应为 2000 至 2100 之间的四位数字"
    if status:
        if status in {s.value for s in ProposalStatus}:
            found["status"] = status
        else:
            errors["status"] = "请选择列表中的状态"
    for key, value, most in (("institution_id", institution_id, 64), ("article", article, 16)):
        if len(value.strip()) > most:
            errors[key] = f"最多 {most} 个字符"
        elif value.strip():
            found[key] = value.strip()
    return found, errors


def _page(
    request: Request,
    session: Session,
    user: User,
    query: dict[str, str],
    *,
    done: str = "",
    notice: str = "",
    row_errors: dict[int, dict[str, str]] | None = None,
    kept: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    filters, errors = _filters(query["year"], query["status"], query["institution_id"], query["article"])
    offset = int(query["offset"]) if query["offset"].isdigit() else 0
    rows = service.list_proposals(session, user, **filters, limit=LIMIT, offset=offset)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | {
        "proposals": rows,
        "query": query,
        "errors": errors,
        "offset": offset,
        "limit": LIMIT,
        "statuses": PROPOSAL_STATUS_ZH,
        "subjects": {s.value: SUBJECT_ZH[s] for s in Subject},
        "mitigations": MITIGATION_LABELS,
        "may_decide": can(user, Action.ACCOUNTABILITY_DECIDE),
        "done": done,
        "notice": notice,
        "row_errors": row_errors or {},
        "kept": kept or {},
        "yearly": yearly_download(request, user, filters.get("year")),
        "notice_buttons": subject_buttons(  # 责任追究通知书 for each confirmed proposal
            session, user, NoticeKind.ACCOUNTABILITY, [str(p.id) for p in rows if p.status == "confirmed"]
        ),
    }
    return render("accountability.html", context, status=status if not errors else 400)


def yearly_download(request: Request, user: User, year: int | None) -> dict[str, Any] | None:
    """The 年度责任追究汇总 download form (`GET /api/v1/reports/yearly`): for a user with a region."""
    if user.region_code is None or user.institution_id is not None:
        return None
    clock: Callable[[], datetime] = request.app.state.clock
    return {"region": user.region_code, "year": year or china_date(clock()).year}


def _query(year: str, status: str, institution_id: str, article: str, offset: str) -> dict[str, str]:
    return {
        "year": year,
        "status": status,
        "institution_id": institution_id,
        "article": article,
        "offset": offset,
    }


@router.get(PAGE)
def proposals_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    year: str = Query("", max_length=8),
    status: str = Query("", max_length=16),
    institution_id: str = Query("", max_length=200),
    article: str = Query("", max_length=200),
    offset: str = Query("", max_length=9),
    done: str | None = Query(None, max_length=32),
) -> Response:
    """责任追究: the proposals, filtered."""
    query = _query(year, status, institution_id, article, offset)
    return _page(request, session, user, query, done=done_message(DONE, done))


def _after(form: dict[str, str]) -> dict[str, str]:
    """The list's filters the form was posted from (kept on the page shown again)."""
    return _query(*(form.get(k, "")[:200] for k in ("year", "status", "institution_id", "article", "offset")))


@router.post(PAGE + "/{proposal_id}/confirm")
def confirm(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    ladder: LadderDep,
    proposal_id: int = ProposalId,
) -> Response:
    """确认 (with mitigation)."""
    query = _after(form)
    reason = form.get("reason", "")
    try:
        mitigation = Mitigation(form.get("mitigation", "none"))
    except ValueError:
        errors = {proposal_id: {"mitigation": "请选择列表中的处理方式"}}
        return _page(request, session, user, query, row_errors=errors, kept={proposal_id: form}, status=400)
    try:
        service.confirm(session, user, ladder, proposal_id, mitigation=mitigation, reason=reason, now=now)
    except InvalidInputError as exc:
        session.rollback()
        errors = {proposal_id: {"confirm_reason": exc.message_zh}}
        return _page(request, session, user, query, row_errors=errors, kept={proposal_id: form}, status=400)
    except ConflictError as exc:
        return _page(request, session, user, query, notice=conflict_notice(session, exc), status=409)
    return redirect(f"{PAGE}?done=confirmed")


@router.post(PAGE + "/{proposal_id}/reject")
def reject(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    proposal_id: int = ProposalId,
) -> Response:
    """驳回 (a reason is required)."""
    query = _after(form)
    try:
        service.reject(session, user, proposal_id, reason=form.get("reason", ""), now=now)
    except InvalidInputError as exc:
        session.rollback()
        errors = {proposal_id: {"reject_reason": exc.message_zh}}
        return _page(request, session, user, query, row_errors=errors, kept={proposal_id: form}, status=400)
    except ConflictError as exc:
        return _page(request, session, user, query, notice=conflict_notice(session, exc), status=409)
    return redirect(f"{PAGE}?done=rejected")
