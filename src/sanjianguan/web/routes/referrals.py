"""移送 over HTTP: refer a clue, list and read referrals, receive them, answer with the outcome.

Routes only translate HTTP to `sanjianguan.referrals.service` (jurisdiction → 404,
role → 403, state → 409, input → 400/422); a refused request changes nothing.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from sanjianguan.clues.ids import resolve_clue_id
from sanjianguan.referrals import service
from sanjianguan.web.deps import CurrentUser, Now, SessionDep
from sanjianguan.web.routes.clues import ClueIdPath
from sanjianguan.web.schemas.common import IdPath
from sanjianguan.web.schemas.errors import error_responses
from sanjianguan.web.schemas.jointwork import ReferralCreate, ReferralFeedbackCreate, ReferralPublic

router = APIRouter(tags=["referrals"])
READ_ERRORS = error_responses(401, 403, 404)
ACTION_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
ReferralId = IdPath


@router.post(
    "/clues/{clue_id}/referrals",
    response_model=ReferralPublic,
    status_code=status.HTTP_201_CREATED,
    responses=ACTION_ERRORS,
)
def refer(
    clue_id: ClueIdPath,
    body: ReferralCreate,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
) -> ReferralPublic:
    """移送 (office; insurance to the market regulator): one open referral per clue and department."""
    row = service.refer(session, user, clue_id, department=body.department, reason=body.reason, now=now)
    return ReferralPublic.model_validate(row)


@router.get("/referrals", response_model=list[ReferralPublic], responses=READ_ERRORS)
def list_referrals(
    user: CurrentUser,
    session: SessionDep,
    status_: Annotated[Literal["sent", "received", "answered"] | None, Query(alias="status")] = None,
    clue_id: Annotated[str | None, Query(max_length=160)] = None,
) -> list[ReferralPublic]:
    """移送列表: the referrals of the clues the caller may see (insurance: those sent to it)."""
    if clue_id is not None:
        clue_id = resolve_clue_id(session, user, clue_id)
    rows = service.list_referrals(session, user, status=status_, clue_id=clue_id)
    return [ReferralPublic.model_validate(r) for r in rows]


@router.get("/referrals/{referral_id}", response_model=ReferralPublic, responses=READ_ERRORS)
def get(referral_id: ReferralId, user: CurrentUser, session: SessionDep) -> ReferralPublic:
    """移送记录 with its feedback."""
    return ReferralPublic.model_validate(service.get(session, user, referral_id))


@router.post("/referrals/{referral_id}/receive", response_model=ReferralPublic, responses=ACTION_ERRORS)
def receive(referral_id: ReferralId, user: CurrentUser, session: SessionDep, now: Now) -> ReferralPublic:
    """接收移送 (the receiving side)."""
    return ReferralPublic.model_validate(service.receive(session, user, referral_id, now=now))


@router.post("/referrals/{referral_id}/feedback", response_model=ReferralPublic, responses=ACTION_ERRORS)
def answer(
    referral_id: ReferralId, body: ReferralFeedbackCreate, user: CurrentUser, session: SessionDep, now: Now
) -> ReferralPublic:
    """反馈查办情况 (the receiving side): outcome, text, amounts recovered and fined."""
    feedback = service.Feedback(body.outcome, body.explanation, body.amount_recovered, body.fine)
    return ReferralPublic.model_validate(service.answer(session, user, referral_id, feedback, now=now))
