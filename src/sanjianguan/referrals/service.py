"""移送: a clue referred to the insurance bureau or the market regulator, and their feedback.

Seed 004 ("案件联查机制"): a clue within another department's remit is passed on, and
when the case is finished the department that handled it reports back to the one that
found it. The receiving side of an insurance referral is an insurance user whose region
holds the clue; the market regulator has no account in this platform, so the sending
office records its receipt and feedback from the regulator's letter.

Jurisdiction: a referral is visible to whoever may see its clue (an insurance user only
the referrals to insurance); anything else is 404. States: sent → received → answered
(feedback may come without a separate receipt).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue, get_visible, visible
from sanjianguan.access.permissions import Action, require
from sanjianguan.audit.log import record
from sanjianguan.campaigns.service import amount_of
from sanjianguan.errors import ConflictError, InvalidInputError, PermissionDeniedError
from sanjianguan.inputs import text
from sanjianguan.referrals.events import ReferralAnswered, ReferralReceived, ReferralSent
from sanjianguan.workflow_db.filters import where_given
from sanjianguan.workflow_db.models import Referral, ReferralOutcome, ReferralStatus, Role, User

DEPARTMENTS = {"insurance": "医疗保障部门", "market_regulator": "市场监督管理部门"}
# Keyed by the plain text: the invalid-outcome message lists the keys.
OUTCOMES = {outcome.value: outcome.label_zh for outcome in ReferralOutcome}


def get(session: Session, user: User, referral_id: int, *, for_update: bool = False) -> Referral:
    """The referral if the caller may see it; NotFoundError otherwise (existence does not leak)."""
    require(user, Action.REFERRAL_READ)
    return get_visible(session, user, Referral, referral_id, for_update=for_update)


def list_referrals(
    session: Session, user: User, *, status: str | None = None, clue_id: str | None = None
) -> list[Referral]:
    require(user, Action.REFERRAL_READ)
    query = where_given(visible(user, Referral), (Referral.status, status), (Referral.clue_id, clue_id))
    return list(session.execute(query.order_by(Referral.id)).scalars())


def refer(
    session: Session, user: User, clue_id: str, *, department: str, reason: str, now: datetime
) -> Referral:
    """移送: one open referral per clue and department."""
    clue = get_clue(session, user, clue_id)
    require(user, Action.REFERRAL_EXCHANGE)
    if department not in DEPARTMENTS or (user.role is Role.INSURANCE and department == "insurance"):
        raise InvalidInputError(
            f"移送部门无效：{department}（可选 {list(DEPARTMENTS)}，不能移送本部门）",
            f"invalid department {department} (choose from {list(DEPARTMENTS)}, not your own)",
            code="invalid_department",
        )
    why = text(reason, "移送理由", "reason")
    open_one = session.execute(
        select(Referral.id).where(
            Referral.clue_id == clue.id,
            Referral.department == department,
            Referral.status != ReferralStatus.ANSWERED,
        )
    ).first()
    if open_one is not None:
        raise ConflictError(
            f"线索 {clue.id} 已移送 {DEPARTMENTS[department]}，尚未反馈（移送 {open_one[0]}）",
            f"clue {clue.id} is already referred to {department}, awaiting feedback (referral {open_one[0]})",
            code="referral_open",
        )
    row = Referral(
        clue_id=clue.id,
        department=department,
        region_code=clue.region_code,
        reason=why,
        status=ReferralStatus.SENT,
        sent_at=now,
        sent_by=user.id,
    )
    session.add(row)
    session.flush()
    record(
        session,
        ReferralSent(
            subject_id=str(row.id),
            after={"status": ReferralStatus.SENT},
            clue_id=clue.id,
            department=department,
        ),
        actor=user,
        reason=why,
        now=now,
    )
    return row


def _receiving_side(user: User, referral: Referral) -> None:
    """Insurance referrals are answered by insurance users; the market regulator's by the office."""
    allowed = Role.INSURANCE if referral.department == "insurance" else Role.OFFICE
    if user.role is not allowed:
        raise PermissionDeniedError(
            f"移送 {referral.id} 由{DEPARTMENTS[referral.department]}接收和反馈",
            f"referral {referral.id} is received and answered by the {referral.department} side",
            code="not_receiving_side",
        )


def receive(session: Session, user: User, referral_id: int, *, now: datetime) -> Referral:
    """接收移送 (the receiving department acknowledges it)."""
    referral = get(session, user, referral_id, for_update=True)
    require(user, Action.REFERRAL_EXCHANGE)
    _receiving_side(user, referral)
    if referral.status != ReferralStatus.SENT:
        raise ConflictError(
            f"移送 {referral.id} 已接收", f"referral {referral.id} was already received", code="wrong_state"
        )
    referral.status, referral.received_at, referral.received_by = ReferralStatus.RECEIVED, now, user.id
    record(
        session,
        ReferralReceived(
            subject_id=str(referral.id),
            before={"status": ReferralStatus.SENT},
            after={"status": ReferralStatus.RECEIVED},
            clue_id=referral.clue_id,
        ),
        actor=user,
        now=now,
    )
    session.flush()
    return referral


@dataclass(frozen=True)
class Feedback:
    """查办情况反馈: the outcome, a text, and the amounts recovered and fined (yuan, optional)."""

    outcome: str
    text: str
    amount_recovered: Decimal | str | None = None
    fine: Decimal | str | None = None


def _optional_amount(value: Decimal | str | None) -> Decimal | None:
    """None, blank or zero: no amount; otherwise a valid amount (negative and malformed refused)."""
    if value is None or not str(value).strip() or str(value).strip() in {"0", "0.0", "0.00"}:
        return None
    return amount_of(value)


def answer(session: Session, user: User, referral_id: int, feedback: Feedback, *, now: datetime) -> Referral:
    """反馈: the outcome of the referred case, reported back to the sending side."""
    referral = get(session, user, referral_id, for_update=True)
    require(user, Action.REFERRAL_EXCHANGE)
    _receiving_side(user, referral)
    if referral.status == ReferralStatus.ANSWERED:
        raise ConflictError(
            f"移送 {referral.id} 已反馈", f"referral {referral.id} was already answered", code="wrong_state"
        )
    if feedback.outcome not in OUTCOMES:
        raise InvalidInputError(
            f"查办结果无效：{feedback.outcome}（可选 {list(OUTCOMES)}）",
            f"invalid outcome {feedback.outcome} (choose from {list(OUTCOMES)})",
            code="invalid_outcome",
        )
    body = text(feedback.text, "反馈内容", "feedback")
    recovered, fine = _optional_amount(feedback.amount_recovered), _optional_amount(feedback.fine)
    before = {"status": referral.status}
    referral.status, referral.outcome, referral.feedback = (
        ReferralStatus.ANSWERED,
        ReferralOutcome(feedback.outcome),
        body,
    )
    referral.amount_recovered, referral.fine = recovered, fine
    referral.answered_at, referral.answered_by = now, user.id
    record(
        session,
        ReferralAnswered(
            subject_id=str(referral.id),
            before=before,
            after={"status": ReferralStatus.ANSWERED},
            clue_id=referral.clue_id,
            outcome=feedback.outcome,
            amount_recovered=None if recovered is None else str(recovered),
            fine=None if fine is None else str(fine),
        ),
        actor=user,
        reason=body,
        now=now,
    )
    session.flush()
    return referral
