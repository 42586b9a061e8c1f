"""调查核实 queue: the sampled clues awaiting verification, and where materials may be requested.

For the investigator (调查核实组, the role that may `verify`): the clues of its jurisdiction
in state `sampled` (已抽中核实), the same set as the clue list filtered by that status,
with the day they were drawn, the working days since, and the due date of an open
request for materials (责令限期提供证明材料, 5 working days, art. 31) with the working days
left. Verification itself has no statutory deadline (docs/workflow.md), so none is made up
here. Second list: the clues in a state where materials may be requested (self-checked,
sampled, verified, adjudicating) with no request open, i.e. where the transition table
lets this user `request_evidence` now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import visible_clues
from sanjianguan.access.permissions import Action, can, require
from sanjianguan.calendar.remaining import working_days_left
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.states import ClueStatus
from sanjianguan.cases.transitions import EVIDENCE_STATES
from sanjianguan.workflow_db.models import Clue, Deadline, SamplingDraw, SamplingMember, User

LIMIT = 200  # rows listed per queue (the totals count them all)
EVIDENCE_STEP = "evidence"


@dataclass(frozen=True)
class QueueItem:
    """One clue of a queue with its dates (None: not drawn / no open request)."""

    clue: Clue
    drawn_on: date | None
    drawn_reason: str | None  # random | selected
    working_days_since_drawn: int | None
    evidence_due: date | None
    evidence_days_left: int | None  # negative: overdue by that many working days


@dataclass(frozen=True)
class VerificationQueue:
    to_verify: list[QueueItem]
    to_verify_total: int
    may_request: list[QueueItem]
    may_request_total: int


def _open_evidence() -> Select[str]:
    return select(Deadline.clue_id).where(Deadline.step == EVIDENCE_STEP, Deadline.closed_at.is_(None))


def _count(session: Session, query: Select[Clue]) -> int:
    return int(session.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def _items(session: Session, clues: list[Clue], today: date) -> list[QueueItem]:
    ids = [c.id for c in clues]
    drawn = {
        row.clue_id: (row.drawn_at, row.reason)
        for row in session.execute(
            select(SamplingMember.clue_id, SamplingDraw.drawn_at, SamplingMember.reason)
            .join(SamplingDraw, SamplingDraw.id == SamplingMember.draw_id)
            .where(SamplingMember.clue_id.in_(ids), SamplingMember.drawn.is_(True))
        )
    }
    due = {
        row.clue_id: row.due_on
        for row in session.execute(
            select(Deadline.clue_id, Deadline.due_on).where(
                Deadline.clue_id.in_(ids), Deadline.step == EVIDENCE_STEP, Deadline.closed_at.is_(None)
            )
        )
    }
    calendar = calendar_for(session)
    items = []
    for clue in clues:
        drawn_at, reason = drawn.get(clue.id, (None, None))
        drawn_on = china_date(drawn_at) if drawn_at is not None else None
        evidence_due = due.get(clue.id)
        items.append(
            QueueItem(
                clue=clue,
                drawn_on=drawn_on,
                drawn_reason=reason,
                working_days_since_drawn=None
                if drawn_on is None
                else calendar.working_days_between(drawn_on, today),
                evidence_due=evidence_due,
                evidence_days_left=None
                if evidence_due is None
                else working_days_left(calendar, today, evidence_due),
            )
        )
    return items


def verification_queue(session: Session, user: User, *, today: date, limit: int = LIMIT) -> VerificationQueue:
    """The user's verification queue (403 for a role that may not verify)."""
    require(user, Action.CLUE_VERIFY)
    sampled = visible_clues(user).where(Clue.status == ClueStatus.SAMPLED.value)
    to_verify = list(session.execute(sampled.order_by(Clue.id).limit(limit)).scalars())
    requestable: list[Clue] = []
    requestable_total = 0
    if can(user, Action.EVIDENCE_REQUEST):
        query = visible_clues(user).where(
            and_(Clue.status.in_([s.value for s in EVIDENCE_STATES]), Clue.id.not_in(_open_evidence()))
        )
        requestable = list(session.execute(query.order_by(Clue.id).limit(limit)).scalars())
        requestable_total = _count(session, query)
    return VerificationQueue(
        to_verify=_items(session, to_verify, today),
        to_verify_total=_count(session, sampled),
        may_request=_items(session, requestable, today),
        may_request_total=requestable_total,
    )
