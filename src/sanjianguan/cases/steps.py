"""The transition engine: every action goes `begin` → (the action's own changes) → `finish`.

`begin` loads the clue for update inside the caller's jurisdiction (404 outside it),
checks the role's permission (403), the table row for the clue's state (409
`invalid_transition`), the deadline the row must meet (409 `deadline_passed` when a
hard one has passed) and the row's guard (409 `guard_<name>`). `finish` sets the new
status, opens, meets or cancels deadlines as the row says, and appends the typed audit
event, which records the due date the row set as stored (a reminder: the extended one),
all in the caller's transaction: a refused or failed action changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from sanjianguan.access.jurisdiction import get_clue, within_region
from sanjianguan.access.permissions import require
from sanjianguan.audit.events import CaseEvent
from sanjianguan.audit.log import SYSTEM, record
from sanjianguan.calendar.days import Due
from sanjianguan.calendar.table import calendar_for
from sanjianguan.calendar.workdays import china_date
from sanjianguan.cases.guards import GuardContext, check_guard
from sanjianguan.cases.states import ClueStatus
from sanjianguan.cases.transitions import (
    DEADLINES,
    PERMISSIONS,
    SYSTEM_ROLE,
    TRANSITIONS,
    CaseAction,
    DeadlinePassedError,
    InvalidTransitionError,
    Transition,
    find,
)
from sanjianguan.errors import NotFoundError
from sanjianguan.workflow_db.models import Clue, Deadline, DeadlineOutcome, User


@dataclass
class Step:
    """One action under way: the locked clue, its table row, who acts, when."""

    session: Session
    clue: Clue
    row: Transition
    user: User | None  # None: the system (scheduled job)
    now: datetime
    late: bool = False
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return china_date(self.now)

    @property
    def actor_id(self) -> int | None:
        return self.user.id if self.user else None

    def guard_context(self) -> GuardContext:
        return GuardContext(self.session, self.clue, self.user, self.today)


def load_for(session: Session, user: User | None, clue_id: str, action: CaseAction) -> Clue:
    """The clue, locked; jurisdiction first (404), then the role's permission (403)."""
    if user is None:
        clue = session.execute(select(Clue).where(Clue.id == clue_id).with_for_update()).scalar_one_or_none()
        if clue is None:
            raise NotFoundError(f"线索不存在：{clue_id}", f"no such clue: {clue_id}", code="clue_not_found")
        return clue
    clue = get_clue(session, user, clue_id, for_update=True)
    require(user, PERMISSIONS[action])
    return clue


def load_batch(
    session: Session, base: Select[Clue], period: str, region_code: str, status: ClueStatus
) -> list[Clue]:
    """The clues of `base` in `period`, `status` and inside `region_code`, by id, locked (push, sample)."""
    query = (
        base.where(Clue.period == period, Clue.status == status, within_region(Clue.region_code, region_code))
        .order_by(Clue.id)
        .with_for_update()
    )
    return list(session.execute(query).scalars())


def begin(session: Session, user: User | None, clue_id: str, action: CaseAction, now: datetime) -> Step:
    """Load and check everything the table says about `action` on this clue now."""
    return begin_on(session, user, load_for(session, user, clue_id, action), action, now)


def begin_on(session: Session, user: User | None, clue: Clue, action: CaseAction, now: datetime) -> Step:
    """`begin` for a clue already loaded and locked (batch actions: push, sample)."""
    row = find(clue.status, action)
    role = SYSTEM_ROLE if user is None else user.role.value
    if role not in row.roles:  # the permission allowed it, the table row does not (e.g. system-only rows)
        raise InvalidTransitionError(
            f"“{action.label_zh}”在此状态下只能由系统执行",
            f"{action.value} in this state is not a move of role {role}",
        )
    step = Step(session, clue, row, user, now, before={"status": clue.status})
    step.late = _check_deadline(step)
    check_guard(row.guard, step.guard_context())
    return step


def _check_deadline(step: Step) -> bool:
    """True when a soft deadline has passed; raises when a hard one has."""
    if step.row.deadline is None:
        return False
    open_row = open_deadline(step.session, step.clue.id, step.row.deadline)
    if open_row is None or step.today <= open_row.due_on:
        return False
    if open_row.hard:
        spec = DEADLINES[step.row.deadline]
        raise DeadlinePassedError(
            f"已超过{spec.zh}期限（{open_row.due_on.isoformat()}，{spec.article}）",
            f"the {step.row.deadline} deadline passed on {open_row.due_on.isoformat()}",
        )
    return True


def finish(
    step: Step,
    event: type[CaseEvent] | None,
    *,
    reason: str | None = None,
    due_as: str | None = None,
    due_in_after: bool = True,
    **details: Any,
) -> str | None:
    """Apply the row (status, deadlines) and record `event` with before/after.

    The deadline the row opens or extends is recorded as stored once the row is applied
    (after a reminder: the extended date, not the first): in the state after as
    `<step>_due` (unless `due_in_after` is False: those events name it only in their own
    field) and in the event field `due_as` when given. Returns that date (ISO), None
    when the row opens no deadline.
    """
    applied = apply(step)
    key = None if step.row.opens is None else due_key(step.row.opens)
    due = applied.get(key) if key else None
    if event is not None:
        if due_as is not None:
            details[due_as] = due
        if not due_in_after:
            applied = {k: v for k, v in applied.items() if k != key}
        record_step(step, event, applied, reason=reason, **details)  # details may carry after=/before=
    return due


def due_key(opens: str) -> str:
    """The key of the state after that carries the due date of the deadline `opens` (a DEADLINES key)."""
    return f"{DEADLINES[opens].step}_due"


def apply(step: Step) -> dict[str, Any]:
    """Apply the row: meet and open its deadlines, set the status; the state after, for the event."""
    row, clue = step.row, step.clue
    after: dict[str, Any] = {"status": row.target.value}
    if row.deadline is not None:
        meet(step.session, clue.id, row.deadline, step.now)
    if row.opens is not None:
        due = open_step_deadline(step.session, clue.id, row.opens, step.today)
        after[due_key(row.opens)] = due.isoformat()  # the date as stored (a reminder: extended)
    clue.status = row.target
    if row.target != row.source:
        cancel_unreachable(step.session, clue.id, row.target, step.now)
    step.session.flush()
    return after


def record_step(
    step: Step, event: type[CaseEvent], applied: dict[str, Any], *, reason: str | None = None, **details: Any
) -> None:
    """Record the applied step's `event` (details computed after `apply` see its deadlines).

    `applied` is what `apply` returned; an `after=` detail adds to it, a `before=` detail
    to the state before.
    """
    state_after = {**applied, **details.pop("after", {})}
    record(
        step.session,
        event(
            subject_id=step.clue.id,
            before={**step.before, **details.pop("before", {})},
            after=state_after,
            action=step.row.action.value,
            late=step.late,
            **details,
        ),
        actor=step.user or SYSTEM,
        reason=reason,
        now=step.now,
    )


# --- Deadline rows -------------------------------------------------------------------


def open_deadline(session: Session, clue_id: str, step: str) -> Deadline | None:
    return session.execute(
        select(Deadline).where(
            Deadline.clue_id == clue_id, Deadline.step == step, Deadline.closed_at.is_(None)
        )
    ).scalar_one_or_none()


def due_date(session: Session, spec_name: str, start: date) -> Due:
    """The deadline `spec_name` counted from `start` by the store's calendar (provisional
    when it counts working days of a year not loaded)."""
    spec = DEADLINES[spec_name]
    if spec.working:
        return calendar_for(session).add_working_days(start, spec.days)
    return Due(start + timedelta(days=spec.days), provisional=False)


def open_step_deadline(session: Session, clue_id: str, spec_name: str, today: date) -> date:
    """Open the deadline `spec_name` from today; on an open row of the same step (a
    reminder), extend it from the later of today and the first date."""
    spec = DEADLINES[spec_name]
    found = session.execute(
        select(Deadline).where(Deadline.clue_id == clue_id, Deadline.step == spec.step)
    ).scalar_one_or_none()
    if found is not None and found.closed_at is None:
        found.reminded_on = today
        _set_due(session, found, spec_name, max(today, found.due_on))
        return found.due_on
    row = found or Deadline(clue_id=clue_id, step=spec.step)
    due = _set_due(session, row, spec_name, today)
    row.started_on, row.first_due_on, row.hard = today, due, spec.hard
    row.reminded_on, row.late_flagged_on, row.closed_at, row.outcome = None, None, None, None
    session.add(row)
    return due


def _set_due(session: Session, row: Deadline, spec_name: str, start: date) -> date:
    """Set the row's due date counted from `start`, and what a recomputation needs."""
    spec = DEADLINES[spec_name]
    due = due_date(session, spec_name, start)
    row.due_on, row.provisional = due.day, due.provisional
    row.counted_from, row.working_days = start, spec.days if spec.working else None
    return due.day


def meet(session: Session, clue_id: str, step: str, now: datetime) -> None:
    found = open_deadline(session, clue_id, step)
    if found is not None:
        found.closed_at = now
        found.outcome = DeadlineOutcome.MET if china_date(now) <= found.due_on else DeadlineOutcome.MET_LATE


def cancel_unreachable(session: Session, clue_id: str, state: str, now: datetime) -> None:
    """Close open deadlines no row leaving `state` can meet (the step is over for this clue)."""
    alive = {t.deadline for t in TRANSITIONS if t.source == state and t.deadline}
    rows = session.execute(
        select(Deadline).where(Deadline.clue_id == clue_id, Deadline.closed_at.is_(None))
    ).scalars()
    for row in rows:
        if row.step not in alive:
            row.closed_at = now
            row.outcome = (
                DeadlineOutcome.LAPSED if china_date(now) > row.due_on else DeadlineOutcome.CANCELLED
            )
