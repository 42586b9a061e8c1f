"""机构待办 (the institution's queues): its clues that wait for an act of its own, with deadlines.

What the workbench (机构工作台) lists, read under the caller's jurisdiction (`clue_filter`:
an institution sees its own clues; an office may look at one institution of its region):

- 待自查 `self_check`: pushed clues (status `pushed`), with the self-check deadline;
- 补充材料 `evidence`: clues with an open request for materials (责令提供材料, step `evidence`);
- 可申诉 `appealable`: clues decided unreasonable and notified, not appealed, whose appeal
  window is still open; 申诉中 `appealed`: open appeals (status `appealed`), with the review deadline;
- 整改 `rectification`: clues under accountability (status `accountability`), with the
  rectification deadline and the reports sent so far;
- 通知 `notices`: the decision and responsibility notices the institution received.

Each item carries its deadline, the working days left by the platform's calendar
(`calendar.remaining`), whether it is overdue, and whether the caller may act now (the same
`allowed_actions` the case file gives). The lists are the API's: `GET /clues?status=…`
gives the same clues for the statuses above.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import clue_filter, get_visible, visible_clues
from sanjianguan.access.permissions import Action, require
from sanjianguan.calendar.remaining import working_days_left
from sanjianguan.calendar.table import calendar_for
from sanjianguan.cases.states import ClueStatus, Decision
from sanjianguan.cases.transitions import EVIDENCE_STATES, CaseAction
from sanjianguan.cases.views import allowed_actions
from sanjianguan.workflow_db.models import (
    Appeal,
    CaseDecision,
    Clue,
    Deadline,
    Institution,
    Notice,
    Rectification,
    User,
)

NOTICE_ZH = {"decision": "不合理问题告知", "responsibility": "责任追究通知"}


@dataclass(frozen=True)
class QueueItem:
    """One clue of a queue, with the deadline that matters for it."""

    clue: Clue
    step: str | None  # the deadline's step (self_check, evidence, appeal, review, rectification)
    due_on: date | None
    days_left: int | None  # 剩余工作日 (negative: working days overdue)
    overdue: bool
    provisional: bool  # the deadline counts a year whose calendar is not loaded
    can_act: bool  # the caller may take the queue's action now
    reports: int = 0  # rectification reports sent (整改 only)


@dataclass(frozen=True)
class NoticeItem:
    """A notice the institution received (通知)."""

    clue_id: str
    kind: str
    kind_zh: str
    text: str
    issued_at: datetime


@dataclass
class Queues:
    """The workbench's lists."""

    self_check: list[QueueItem] = field(default_factory=list)
    evidence: list[QueueItem] = field(default_factory=list)
    appealable: list[QueueItem] = field(default_factory=list)
    appealed: list[QueueItem] = field(default_factory=list)
    rectification: list[QueueItem] = field(default_factory=list)
    notices: list[NoticeItem] = field(default_factory=list)


def institution_queues(
    session: Session, user: User, today: date, *, institution_id: str | None = None
) -> Queues:
    """The queues of the clues `user` may see (of `institution_id` only, when given: 404 if unseen)."""
    require(user, Action.CLUE_READ)
    query = visible_clues(user)
    if institution_id is not None:
        get_visible(session, user, Institution, institution_id)
        query = query.where(Clue.institution_id == institution_id)
    builder = _Builder(session, user, today)
    statuses = [ClueStatus.PUSHED, ClueStatus.DECIDED, ClueStatus.APPEALED, ClueStatus.ACCOUNTABILITY]
    clues = list(
        session.scalars(
            query.where(Clue.status.in_([*statuses, *EVIDENCE_STATES])).order_by(Clue.period, Clue.id)
        )
    )
    queues = Queues(
        self_check=builder.items(_with(clues, ClueStatus.PUSHED), "self_check", CaseAction.SELF_CHECK),
        evidence=builder.items(
            [c for c in clues if c.id in builder.open_steps("evidence", clues)],
            "evidence",
            CaseAction.SUPPLY_EVIDENCE,
        ),
        appealable=builder.items(_appealable(session, clues, today, builder), "appeal", CaseAction.APPEAL),
        appealed=builder.items(_with(clues, ClueStatus.APPEALED), "review", None),
        rectification=builder.items(
            _with(clues, ClueStatus.ACCOUNTABILITY), "rectification", CaseAction.REPORT_RECTIFICATION
        ),
    )
    queues.notices = _notices(session, user, institution_id)
    return queues


def _with(clues: Sequence[Clue], status: ClueStatus) -> list[Clue]:
    return [c for c in clues if c.status == status]


class _Builder:
    """Deadlines and allowed moves of the clues, read once per queue."""

    def __init__(self, session: Session, user: User, today: date) -> None:
        self.session, self.user, self.today = session, user, today
        self.calendar = calendar_for(session)

    def deadlines(self, step: str, clues: Sequence[Clue]) -> dict[str, Deadline]:
        """The latest deadline of `step` for each clue (open ones first)."""
        rows = self.session.scalars(
            select(Deadline)
            .where(Deadline.clue_id.in_([c.id for c in clues]), Deadline.step == step)
            .order_by(Deadline.id)
        )
        found: dict[str, Deadline] = {}
        for row in rows:
            if row.clue_id not in found or found[row.clue_id].closed_at is not None:
                found[row.clue_id] = row
        return found

    def open_steps(self, step: str, clues: Sequence[Clue]) -> set[str]:
        return {k for k, d in self.deadlines(step, clues).items() if d.closed_at is None}

    def items(self, clues: Sequence[Clue], step: str, action: CaseAction | None) -> list[QueueItem]:
        deadlines = self.deadlines(step, clues)
        reports = _report_counts(self.session, clues) if step == "rectification" else {}
        return [self._item(c, step, deadlines.get(c.id), action, reports.get(c.id, 0)) for c in clues]

    def _item(
        self, clue: Clue, step: str, deadline: Deadline | None, action: CaseAction | None, reports: int
    ) -> QueueItem:
        allowed = {m["action"] for m in allowed_actions(self.session, self.user, clue, self.today)}
        due = deadline.due_on if deadline is not None else None
        left = working_days_left(self.calendar, self.today, due) if due is not None else None
        return QueueItem(
            clue=clue,
            step=step if deadline is not None else None,
            due_on=due,
            days_left=left,
            overdue=due is not None and self.today > due,
            provisional=bool(deadline and deadline.provisional),
            can_act=action is not None and action.value in allowed,
            reports=reports,
        )


def _appealable(session: Session, clues: Sequence[Clue], today: date, builder: _Builder) -> list[Clue]:
    """Decided unreasonable, notified, not appealed, the appeal window still open."""
    decided = [c for c in clues if c.status == ClueStatus.DECIDED]
    if not decided:
        return []
    ids = [c.id for c in decided]
    notified = set(
        session.scalars(
            select(CaseDecision.clue_id).where(
                CaseDecision.clue_id.in_(ids),
                CaseDecision.decision == Decision.UNREASONABLE,
                CaseDecision.notified_at.is_not(None),
            )
        )
    )
    appealed = set(session.scalars(select(Appeal.clue_id).where(Appeal.clue_id.in_(ids))))
    windows = builder.deadlines("appeal", decided)
    return [
        c
        for c in decided
        if c.id in notified and c.id not in appealed and c.id in windows and windows[c.id].due_on >= today
    ]


def _report_counts(session: Session, clues: Sequence[Clue]) -> dict[str, int]:
    rows = session.execute(
        select(Rectification.clue_id, func.count())
        .where(Rectification.clue_id.in_([c.id for c in clues]))
        .group_by(Rectification.clue_id)
    )
    return {str(clue_id): int(n) for clue_id, n in rows}


def _notices(session: Session, user: User, institution_id: str | None) -> list[NoticeItem]:
    query = select(Notice).join(Clue, Clue.id == Notice.clue_id).where(clue_filter(user))
    if institution_id is not None:
        query = query.where(Clue.institution_id == institution_id)
    rows = session.scalars(query.order_by(Notice.issued_at.desc(), Notice.id.desc()).limit(100))
    return [NoticeItem(n.clue_id, n.kind, NOTICE_ZH.get(n.kind, n.kind), n.text, n.issued_at) for n in rows]
