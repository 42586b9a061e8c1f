"""移送 (referrals, seed 004 案件联查): `/referrals`, clues passed to another department and its feedback.

The list is `referrals.service.list_referrals` for the user, the call of `GET
/api/v1/referrals` with the same filters (status, clue): the referrals of the clues the
user sees, an insurance user only those sent to insurance. An office (or insurance, to
the market regulator) refers a clue from `/referrals/new?clue=<id>` (the service of `POST
/api/v1/clues/{id}/referrals`; one open referral per clue and department, 409 after).
A referral's page carries the receiving side's forms: 接收 and 反馈查办情况 (outcome,
text, amounts recovered and fined), the services of `POST /api/v1/referrals/{id}/receive`
and `/feedback`; the market regulator has no account, so its side is recorded by the
office. Every change is audited (`referral.sent`, `.received`, `.answered`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from sanjianguan.access.jurisdiction import get_clue
from sanjianguan.access.permissions import Action, can, require
from sanjianguan.campaigns.service import amount_of
from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.errors import ConflictError, InvalidInputError
from sanjianguan.referrals import service
from sanjianguan.web.deps import Now, SessionDep
from sanjianguan.web.pages.forms import SignedForm
from sanjianguan.web.pages.layout import frame
from sanjianguan.web.pages.office_forms import conflict_notice, done_message, field_errors
from sanjianguan.web.pages.session import PageUser, page_token, redirect
from sanjianguan.web.pages.templating import render
from sanjianguan.workflow_db.models import Referral, ReferralStatus, Role, User
from sanjianguan.workflow_db.models.jointwork import REFERRAL_STATUS_ZH

router = APIRouter(include_in_schema=False)
PAGE = "/referrals"
DONE = {"sent": "线索已移送。", "received": "已登记接收。", "answered": "查办情况已反馈。"}
REFER_FIELDS = {"invalid_department": "department", "text_required": "reason", "text_too_long": "reason"}
FEEDBACK_FIELDS = {
    "invalid_outcome": "outcome",
    "text_required": "explanation",
    "text_too_long": "explanation",
}
STATUSES = {s.value: label for s, label in REFERRAL_STATUS_ZH.items()}
ReferralId = Path(ge=1, le=2**31 - 1)


def _labels() -> dict[str, Any]:
    return {"departments": service.DEPARTMENTS, "outcomes": service.OUTCOMES, "statuses": STATUSES}


@router.get(PAGE)
def referrals_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    status: str = Query("", max_length=16),
    clue: str = Query("", max_length=160),
    done: str | None = Query(None, max_length=32),
) -> Response:
    """移送列表: the referrals the user sees, filtered by status and clue."""
    errors: dict[str, str] = {}
    if status and status not in STATUSES:
        errors["status"] = "请选择列表中的状态"
    clue_id = resolve_clue_id(session, user, clue.strip()) if clue.strip() else None
    rows = service.list_referrals(session, user, status=status or None, clue_id=clue_id) if not errors else []
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | _labels()
    context |= {"referrals": rows, "query": {"status": status, "clue": clue}, "errors": errors}
    context["done"] = done_message(DONE, done)
    return render("referrals.html", context, status=400 if errors else 200)


def _new_page(
    request: Request,
    session: Session,
    user: User,
    clue_id: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status: int = 200,
) -> Response:
    clue = get_clue(session, user, resolve_clue_id(session, user, clue_id))
    require(user, Action.REFERRAL_EXCHANGE)
    choices = {
        k: v for k, v in service.DEPARTMENTS.items() if not (user.role is Role.INSURANCE and k == "insurance")
    }
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | _labels()
    context |= {
        "clue": clue,
        "choices": choices,
        "form": form or {},
        "errors": errors or {},
        "notice": notice,
    }
    context["open"] = service.list_referrals(session, user, clue_id=clue.id)
    return render("referral_new.html", context, status=status)


@router.get(PAGE + "/new")
def new_referral(
    request: Request, user: PageUser, session: SessionDep, clue: str = Query(max_length=160)
) -> Response:
    """移送 form for one clue (404 if the user cannot see it)."""
    return _new_page(request, session, user, clue)


@router.post(PAGE + "/new")
def refer(request: Request, form: SignedForm, user: PageUser, session: SessionDep, now: Now) -> Response:
    """移送: the service of `POST /api/v1/clues/{id}/referrals`."""
    kept = {k: form.get(k, "").strip() for k in ("clue", "department", "reason")}
    clue_id = resolve_clue_id(session, user, kept["clue"])
    errors: dict[str, str] = {}
    if not kept["department"]:
        errors["department"] = "请选择移送部门"
    if not errors:
        try:
            row = service.refer(
                session, user, clue_id, department=kept["department"], reason=kept["reason"], now=now
            )
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return _new_page(request, session, user, kept["clue"], form=kept, notice=notice, status=409)
        except InvalidInputError as exc:
            session.rollback()
            errors = field_errors(exc, REFER_FIELDS, "reason")
        else:
            return redirect(f"{PAGE}/{row.id}?done=sent")
    return _new_page(request, session, user, kept["clue"], form=kept, errors=errors, status=400)


def receiving(user: User, referral: Referral) -> bool:
    """Whether `user` is the receiving side (insurance for insurance, the office for the regulator)."""
    side = Role.INSURANCE if referral.department == "insurance" else Role.OFFICE
    return can(user, Action.REFERRAL_EXCHANGE) and user.role is side


def _page(
    request: Request,
    session: Session,
    user: User,
    referral_id: int,
    *,
    done: str = "",
    notice: str = "",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    referral = service.get(session, user, referral_id)
    side = receiving(user, referral)
    context: dict[str, Any] = frame(session, user, page_token(request) or "", active=PAGE) | _labels()
    context |= {
        "referral": referral,
        "may_receive": side and referral.status == ReferralStatus.SENT,
        "may_answer": side and referral.status != ReferralStatus.ANSWERED,
        "form": form or {},
        "errors": errors or {},
        "done": done,
        "notice": notice,
    }
    return render("referral.html", context, status=status)


@router.get(PAGE + "/{referral_id}")
def referral_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    referral_id: int = ReferralId,
    done: str | None = Query(None, max_length=32),
) -> Response:
    """移送记录 with its feedback, and the receiving side's forms."""
    return _page(request, session, user, referral_id, done=done_message(DONE, done))


@router.post(PAGE + "/{referral_id}/receive")
def receive(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    referral_id: int = ReferralId,
) -> Response:
    """接收移送."""
    try:
        service.receive(session, user, referral_id, now=now)
    except ConflictError as exc:
        return _page(request, session, user, referral_id, notice=conflict_notice(session, exc), status=409)
    return redirect(f"{PAGE}/{referral_id}?done=received")


def _amount_errors(kept: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in ("amount_recovered", "fine"):
        value = kept[key]
        if value and value not in {"0", "0.0", "0.00"}:
            try:
                amount_of(value)
            except InvalidInputError as exc:
                errors[key] = exc.message_zh
    return errors


@router.post(PAGE + "/{referral_id}/feedback")
def feedback(
    request: Request,
    form: SignedForm,
    user: PageUser,
    session: SessionDep,
    now: Now,
    referral_id: int = ReferralId,
) -> Response:
    """反馈查办情况: outcome, text, amounts recovered and fined (optional)."""
    kept = {k: form.get(k, "").strip() for k in ("outcome", "explanation", "amount_recovered", "fine")}
    errors = _amount_errors(kept)
    if not kept["outcome"]:
        errors["outcome"] = "请选择查办结果"
    if not errors:
        answer = service.Feedback(
            kept["outcome"], kept["explanation"], kept["amount_recovered"], kept["fine"]
        )
        try:
            service.answer(session, user, referral_id, answer, now=now)
        except ConflictError as exc:
            notice = conflict_notice(session, exc)
            return _page(request, session, user, referral_id, notice=notice, form=kept, status=409)
        except InvalidInputError as exc:
            session.rollback()
            errors = field_errors(exc, FEEDBACK_FIELDS, "explanation")
        else:
            return redirect(f"{PAGE}/{referral_id}?done=answered")
    return _page(request, session, user, referral_id, form=kept, errors=errors, status=400)
