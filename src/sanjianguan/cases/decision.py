"""认定、告知、申诉与办结: the decision phase, from the decision to the closed case.

The office decides (认定) from the ruling, the verification or the self-check and
notifies an unreasonable decision (告知, art. 29), which opens the institution's appeal
(申诉, 7 working days) and the office's review (复核, 30 days). A settled unreasonable
decision leads to the responsibility notice (责任追究通知, art. 30) and the
institution's rectification report (整改落实); the office then closes the case (办结).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from sanjianguan.audit import events as ev
from sanjianguan.cases import inputs
from sanjianguan.cases.evidence import EvidenceStore, Upload
from sanjianguan.cases.states import (
    ClueStatus,
    Decision,
    DecisionBasis,
    ReviewResult,
    SelfCheckOutcome,
    expected_decision,
)
from sanjianguan.cases.steps import Step, begin, finish
from sanjianguan.cases.transitions import CaseAction as A
from sanjianguan.messages import hooks
from sanjianguan.workflow_db.models import (
    Adjudication,
    Appeal,
    CaseDecision,
    Clue,
    Notice,
    Rectification,
    SelfCheck,
    User,
)


def set_decision(step: Step, value: Decision, basis: DecisionBasis, reason: str) -> CaseDecision:
    """The clue's decision row, made by the step's actor now (also the art. 31 default's)."""
    row = CaseDecision(
        clue_id=step.clue.id,
        decision=value,
        basis=basis,
        reason=reason,
        decided_at=step.now,
        decided_by=step.actor_id,
    )
    step.session.add(row)
    return row


def _derived_decision(session: Session, clue: Clue) -> tuple[Decision, DecisionBasis]:
    """What the case says: the ruling if there is one, else the (verified or accepted) self-check."""
    adjudication = session.get(Adjudication, clue.id)
    if clue.status == ClueStatus.ADJUDICATING and adjudication is not None and adjudication.ruling:
        return Decision(adjudication.ruling), DecisionBasis.RULING
    found = session.get(SelfCheck, clue.id)
    assert found is not None  # every state before `decided` except `pushed` has one
    basis = DecisionBasis.VERIFICATION if clue.status == ClueStatus.VERIFIED else DecisionBasis.SELF_CHECK
    return expected_decision(SelfCheckOutcome(found.outcome)), basis


def decide(session: Session, user: User, clue_id: str, *, reason: str = "", now: datetime) -> CaseDecision:
    """认定: adopts the ruling, the agreeing verification, or (not drawn) the self-check."""
    step = begin(session, user, clue_id, A.DECIDE, now)
    value, basis = _derived_decision(session, step.clue)
    decision = set_decision(step, value, basis, inputs.text(reason, "说明", "note", required=False))
    finish(
        step,
        ev.ClueDecided,
        reason=decision.reason or None,
        after={"decision": value.value},
        basis=basis.value,
    )
    return decision


def _notice(step: Step, kind: str, text: str) -> Notice:
    """A notice of `kind` (its text checked) to the institution, issued by the step's actor now."""
    assert step.user is not None  # notices are the office's, never the system's
    notice = Notice(
        clue_id=step.clue.id,
        kind=kind,
        text=text,
        issued_at=step.now,
        issued_by=step.user.id,
    )
    step.session.add(notice)
    return notice


def notify(session: Session, user: User, clue_id: str, *, text: str, now: datetime) -> Notice:
    """告知 (art. 29): the institution learns of the unreasonable decision; the appeal period starts."""
    step = begin(session, user, clue_id, A.NOTIFY, now)
    notice = _notice(step, "decision", inputs.text(text, "告知内容", "notice text"))
    decision = session.get(CaseDecision, clue_id)
    assert decision is not None
    decision.notified_at = now
    finish(step, ev.DecisionNotified, due_as="appeal_due", due_in_after=False, after={"notified": True})
    return notice


def appeal(
    session: Session,
    user: User,
    clue_id: str,
    *,
    reason: str,
    now: datetime,
    files: Sequence[Upload] = (),
    store: EvidenceStore | None = None,
) -> Appeal:
    """申诉 within 7 working days of the notice, optionally with evidence files (like a self-check)."""
    step = begin(session, user, clue_id, A.APPEAL, now)
    text = inputs.text(reason, "申诉理由", "appeal reason")
    if files and store is None:
        raise ValueError("evidence files need an evidence store")
    file_ids = inputs.store_files(step, files, store, required=False) if store is not None else []
    row = Appeal(clue_id=clue_id, reason=text, filed_at=now, filed_by=user.id)
    session.add(row)
    finish(
        step, ev.AppealFiled, reason=row.reason, due_as="review_due", due_in_after=False, file_ids=file_ids
    )
    return row


def review(
    session: Session, user: User, clue_id: str, *, result: ReviewResult, text: str, now: datetime
) -> CaseDecision:
    """申诉复核 (30 days): upheld keeps the decision; overturned makes the clue reasonable."""
    step = begin(session, user, clue_id, A.REVIEW, now)
    row = session.get(Appeal, clue_id)
    decision = session.get(CaseDecision, clue_id)
    assert row is not None
    assert decision is not None
    row.result, row.review_text = result, inputs.text(text, "复核意见", "review opinion")
    row.reviewed_at, row.reviewed_by = now, user.id
    before = {"decision": decision.decision}
    if result is ReviewResult.OVERTURNED:
        decision.decision, decision.basis = Decision.REASONABLE, DecisionBasis.REVIEW
        decision.reason, decision.decided_at, decision.decided_by = row.review_text, now, user.id
    finish(
        step,
        ev.AppealReviewed,
        reason=row.review_text,
        before=before,
        after={"decision": decision.decision, "review": result.value},
    )
    hooks.clue_appeal_decided(session, step.clue, result, text=row.review_text, now=now)
    return decision


def issue_responsibility_notice(
    session: Session, user: User, clue_id: str, *, text: str, now: datetime
) -> Notice:
    """下达责任追究通知 (art. 30); the institution reports rectification within 30 days."""
    step = begin(session, user, clue_id, A.ISSUE_RESPONSIBILITY_NOTICE, now)
    notice = _notice(step, "responsibility", inputs.text(text, "通知内容", "notice text"))
    finish(
        step,
        ev.ResponsibilityNoticeIssued,
        reason=notice.text,
        due_as="rectification_due",
        due_in_after=False,
    )
    return notice


def report_rectification(
    session: Session,
    user: User,
    clue_id: str,
    *,
    report: str,
    handling: str = "",
    files: Sequence[Upload] = (),
    store: EvidenceStore,
    now: datetime,
) -> Rectification:
    """报送整改落实和院内处理情况 (may be sent more than once; the first meets the deadline)."""
    step = begin(session, user, clue_id, A.REPORT_RECTIFICATION, now)
    row = Rectification(
        clue_id=clue_id,
        report=inputs.text(report, "整改落实情况", "rectification report"),
        handling=inputs.text(handling, "院内处理情况", "in-hospital handling", required=False),
        reported_at=now,
        reported_by=user.id,
    )
    file_ids = inputs.store_files(step, files, store, required=False)
    session.add(row)
    finish(step, ev.RectificationReported, file_ids=file_ids)
    return row


def close(session: Session, user: User, clue_id: str, *, reason: str = "", now: datetime) -> None:
    """办结: a reasonable clue, or an accountability case whose rectification is accepted."""
    step = begin(session, user, clue_id, A.CLOSE, now)
    finish(step, ev.ClueClosed, reason=inputs.text(reason, "说明", "note", required=False) or None)
