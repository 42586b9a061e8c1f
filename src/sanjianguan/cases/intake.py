"""推送与自查: the intake phase of a clue, from the push to the institution's answer.

The office pushes a month's generated clues (推送); the institution answers each within
7 working days (自查反馈, art. 28), after a reminder (催办) within a second, last deadline;
the office may demand evidence (责令限期提供证明材料, art. 31) and the institution supplies
it. A clue with no answer after the reminder, or no evidence in time, is decided
unreasonable by the system (逾期判定不合理, art. 31).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_clues
from sanjianguan.access.permissions import Action, require
from sanjianguan.access.regions import RegionCode
from sanjianguan.access.scope import require_region
from sanjianguan.audit import events as ev
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.cases import inputs
from sanjianguan.cases.decision import set_decision
from sanjianguan.cases.evidence import EvidenceStore, Upload
from sanjianguan.cases.states import ClueStatus, Decision, DecisionBasis, SelfCheckOutcome
from sanjianguan.cases.steps import begin, begin_on, finish, load_batch, open_deadline
from sanjianguan.cases.transitions import CaseAction as A
from sanjianguan.errors import ConflictError
from sanjianguan.messages import hooks
from sanjianguan.workflow_db.models import Clue, DeadlineOutcome, PushBatch, SelfCheck, User


@dataclass(frozen=True)
class PushResult:
    """One push: its batch id, the clues pushed and the self-check due date of each."""

    batch_id: int
    period: str
    region_code: str
    clue_ids: list[str]
    provisional: list[str] = field(default_factory=list)  # clues whose self-check deadline is 暂定


def push_period(
    session: Session, user: User | None, period: str, region_code: str, *, now: datetime
) -> PushResult:
    """推送: every generated clue of `period` inside `region_code`, as one audited action.

    `user` None: the scheduled push (`sjg cases push`), acting for the whole store.
    """
    region, clues = _clues_to_push(session, user, period, region_code)
    due: dict[str, str] = {}
    provisional: list[str] = []
    for clue in clues:
        due[clue.id] = finish(begin_on(session, user, clue, A.PUSH, now), None) or ""
        deadline = open_deadline(session, clue.id, "self_check")
        if deadline is not None and deadline.provisional:
            provisional.append(clue.id)
    event = ev.CluesPushed(
        subject_id=f"{period}/{region.code}",
        before={"status": ClueStatus.GENERATED.value},
        after={"status": ClueStatus.PUSHED.value},
        period=period,
        region_code=region.code,
        clue_ids=[c.id for c in clues],
        self_check_due=due,
        provisional=provisional,
    )
    row = record(session, event, actor=user or SYSTEM, now=now)
    batch = PushBatch(
        period=period,
        region_code=region.code,
        pushed_at=now,
        pushed_by=user.id if user else None,
        clue_count=len(clues),
        audit_seq=row.seq,
    )
    session.add(batch)
    session.flush()
    hooks.clues_pushed(session, batch.id, period, clues, due, now=now)
    return PushResult(batch.id, period, region.code, [c.id for c in clues], provisional)


def _clues_to_push(
    session: Session, user: User | None, period: str, region_code: str
) -> tuple[RegionCode, list[Clue]]:
    """The region and its generated clues of `period`, locked; ConflictError when there are none."""
    if user is not None:
        require(user, Action.CLUE_PUSH)
        region = require_region(user, inputs.text(region_code, "行政区划", "region code"))
        base = visible_clues(user)
    else:
        region, base = RegionCode.parse(region_code), select(Clue)
    clues = load_batch(session, base, inputs.period(period), region.code, ClueStatus.GENERATED)
    if not clues:
        raise ConflictError(
            f"{period} 在 {region.code} 没有待推送的线索",
            f"no generated clues to push for {period} in {region.code}",
            code="nothing_to_push",
        )
    return region, clues


def remind(
    session: Session, user: User | None, clue_id: str, *, now: datetime, reason: str | None = None
) -> str:
    """催办: a second (last) self-check deadline; returns it (ISO date). `user` None: the system."""
    step = begin(session, user, clue_id, A.REMIND, now)
    second_due = finish(step, ev.ReminderSent, reason=reason, due_as="second_due")
    assert second_due is not None  # the row opens (extends) the self-check deadline
    return second_due


def self_check(
    session: Session,
    user: User,
    clue_id: str,
    *,
    outcome: SelfCheckOutcome,
    explanation: str,
    handling: str = "",
    files: Sequence[Upload] = (),
    store: EvidenceStore,
    now: datetime,
) -> SelfCheck:
    """自查反馈 (art. 28): confirmed needs the in-hospital handling; disputed needs evidence."""
    step = begin(session, user, clue_id, A.SELF_CHECK, now)
    explained = inputs.text(explanation, "自查说明", "self-check explanation")
    handled = inputs.text(
        handling,
        "院内处理及整改情况",
        "in-hospital handling and rectification",
        required=outcome is SelfCheckOutcome.CONFIRMED,
    )
    file_ids = inputs.store_files(step, files, store, required=outcome is SelfCheckOutcome.DISPUTED)
    row = SelfCheck(
        clue_id=clue_id,
        outcome=outcome,
        explanation=explained,
        handling=handled,
        submitted_at=now,
        submitted_by=user.id,
    )
    session.add(row)
    finish(step, ev.SelfCheckSubmitted, after={"outcome": outcome.value}, file_ids=file_ids)
    return row


def request_evidence(session: Session, user: User, clue_id: str, *, text: str, now: datetime) -> str:
    """责令限期提供证明材料 (art. 31); returns the due date."""
    step = begin(session, user, clue_id, A.REQUEST_EVIDENCE, now)
    note = inputs.text(text, "所需材料说明", "description of the evidence required")
    due_on = finish(step, ev.EvidenceRequested, reason=note, due_as="due_on")
    deadline = open_deadline(session, clue_id, "evidence")
    assert due_on is not None  # the row opens it
    assert deadline is not None
    deadline.note = note
    hooks.evidence_requested(session, step.clue, note=note, due_on=due_on, now=now)
    return due_on


def supply_evidence(
    session: Session,
    user: User,
    clue_id: str,
    *,
    note: str = "",
    files: Sequence[Upload],
    store: EvidenceStore,
    now: datetime,
) -> list[int]:
    """提供证明材料 within the requested deadline."""
    step = begin(session, user, clue_id, A.SUPPLY_EVIDENCE, now)
    said = inputs.text(note, "说明", "note", required=False)
    file_ids = inputs.store_files(step, files, store, required=True)
    finish(step, ev.EvidenceSupplied, reason=said or None, file_ids=file_ids)
    return file_ids


def default_unreasonable(session: Session, clue_id: str, *, now: datetime) -> None:
    """逾期判定不合理 (art. 31), a system action: no answer after the reminder, or no evidence."""
    step = begin(session, None, clue_id, A.DEFAULT_UNREASONABLE, now)
    missed = "self_check" if step.clue.status == ClueStatus.PUSHED else "evidence"
    deadline = open_deadline(session, clue_id, missed)
    assert deadline is not None  # the guard checked it
    deadline.closed_at, deadline.outcome = now, DeadlineOutcome.MISSED
    decision = set_decision(step, Decision.UNREASONABLE, DecisionBasis.ARTICLE_31, "第三十一条")
    finish(
        step,
        ev.DefaultedUnreasonable,
        reason="第三十一条：逾期未反馈或未提供证明材料",
        after={"decision": decision.decision},
        missed_step=missed,
        due_on=deadline.due_on.isoformat(),
    )
